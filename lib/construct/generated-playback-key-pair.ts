import {
  CustomResource,
  Duration,
  ITaggableV2,
  RemovalPolicy,
  Resource,
  TagManager,
  aws_iam as iam,
  aws_ivs as ivs,
  aws_kms as kms,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { generatedKey, grantReadOfGeneratedKey } from './key-resources';
import { IPlaybackKeyPair } from './playback-key-pair';
import { GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE, GeneratedKeyPairAttribute } from '../shared/contract';
import { PLAYBACK_KEY_PAIRS } from '../shared/key-kinds';

/** Properties of a `GeneratedPlaybackKeyPair`; every one is optional. */
export interface GeneratedPlaybackKeyPairProps {
  /**
   * The key's generation, a whole number from 1. Raise it to rotate at the next deploy: a new key
   * becomes the secret's `AWSCURRENT` and is imported. A lower or equal value rotates nothing, so a
   * rollback never brings a retired key back.
   *
   * @default 1
   */
  readonly generation?: number;

  /**
   * Whether the key before the current one stays imported until the next rotation, so that viewer
   * tokens signed with it keep playing after a rotation. It takes a second of the region's 3 key
   * pairs.
   *
   * @default true
   */
  readonly keepPreviousKey?: boolean;

  /**
   * The key pairs' name in IVS (the current and the previous key pair share it): at most 128
   * characters from `a-zA-Z0-9-_`. A change re-imports the same keys under the new name.
   *
   * @default - a name unique to the construct's path in the app, such as `MyStack-Key-1A2B3C4D`
   */
  readonly playbackKeyPairName?: string;

  /**
   * A customer-managed KMS key to encrypt the secret with. The handler uses it only through
   * Secrets Manager (`kms:ViaService`). An alias works too: IAM cannot name a key by its alias, so
   * the grants name the alias's target key when it is known (`new kms.Alias`,
   * `Alias.fromAliasAttributes`), and otherwise the account's keys that carry the alias
   * (`kms:ResourceAliases`; `Alias.fromAliasName`, or `Key.fromKeyArn` with an alias ARN).
   *
   * @default - the account's AWS managed key for Secrets Manager (`aws/secretsmanager`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Rotate the key on this schedule as well, without a deploy: Secrets Manager invokes the stack's
   * handler (the same one Lambda function), which writes a new key, imports it into IVS, makes it the
   * secret's `AWSCURRENT` and, with `keepPreviousKey`, keeps the one before it imported. A whole number
   * of hours from 4 hours to 999 days, such as `Duration.days(30)`. Keep the viewer tokens' lifetime plus
   * your signer's refresh time shorter than the schedule, so that every token still verifies.
   *
   * The attributes (the key pair ARNs) are as of the last deploy; a rotation between deploys does not
   * change them.
   *
   * @default - no schedule: the key rotates only when `generation` is raised
   */
  readonly rotationSchedule?: Duration;

  /**
   * What happens to the key pairs and the secret when the construct leaves the stack or the stack
   * is deleted. `RETAIN` keeps both: the imported key pairs (they still count against the quota)
   * and the secret with the private keys.
   *
   * @default RemovalPolicy.DESTROY - the key pairs are deleted, and the secret is scheduled for deletion
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags for the key pairs. `Tags.of(scope).add()` reaches them too (and the secret).
   * At most 48 tags: IVS allows 50 and the construct uses two to recognise its keys.
   *
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * An Amazon IVS playback key pair generated at deploy time: the handler makes an ECDSA P-384 key,
 * imports its public half, and writes it to a Secrets Manager secret (JSON `privateKeyPem`,
 * `publicKeyPem`, `fingerprint`, `generation`, `playbackKeyPairArn`). The private key is never in
 * the template.
 *
 * The secret's `AWSCURRENT` version is the key that signs, `AWSPREVIOUS` the one before it. Raise
 * `generation` to rotate; with `keepPreviousKey` (the default) the previous key stays imported, so
 * tokens signed before the rotation keep playing until the next one.
 *
 * @resource Custom::IvsGeneratedPlaybackKeyPair
 */
export class GeneratedPlaybackKeyPair extends Resource implements IPlaybackKeyPair, ITaggableV2 {
  /** The CloudFormation type of the custom resource behind a `GeneratedPlaybackKeyPair`. */
  public static readonly RESOURCE_TYPE: string = GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE;

  /**
   * The ARN of the current key pair (the secret's `AWSCURRENT` key).
   *
   * @attribute
   */
  public readonly playbackKeyPairArn: string;

  /**
   * The fingerprint IVS computed for the current key pair.
   *
   * @attribute
   */
  public readonly playbackKeyPairFingerprint: string;

  /**
   * The ARN of the key pair before the current one (the secret's `AWSPREVIOUS` key), or `""`
   * when there is none or `keepPreviousKey` is false.
   *
   * @attribute
   */
  public readonly previousPlaybackKeyPairArn: string;

  /** The key pairs' name in IVS. */
  public readonly playbackKeyPairName: string;

  /** The secret holding the private keys: read its `AWSCURRENT` version to sign viewer tokens. */
  public readonly secret: secretsmanager.ISecret;

  /** Tags for the key pairs, set by `props.tags` and by `Tags.of()`. */
  public readonly cdkTagManager: TagManager;

  private readonly resource: CustomResource;
  private readonly storage: secretsmanager.Secret;
  private readonly encryptionKey?: kms.IKey;

  /**
   * Generates a key pair at the first deploy, and a new one whenever `generation` is raised.
   *
   * @param scope - the scope of the key pair
   * @param id - the construct id, also the source of the default name
   * @param props - generation, keepPreviousKey, name, encryption key, rotation schedule, removal policy and tags
   * @throws Error if the stack's key pairs would need more than the region's 3
   */
  constructor(scope: Construct, id: string, props: GeneratedPlaybackKeyPairProps = {}) {
    super(scope, id);
    const { resource, name, tagManager, secret } = generatedKey(this, PLAYBACK_KEY_PAIRS, {
      ...props,
      name: props.playbackKeyPairName,
    });
    this.resource = resource;
    this.storage = secret;
    this.secret = secret;
    this.encryptionKey = props.encryptionKey;
    this.playbackKeyPairName = name;
    this.cdkTagManager = tagManager;
    this.playbackKeyPairArn = resource.getAttString(GeneratedKeyPairAttribute.ARN);
    this.playbackKeyPairFingerprint = resource.getAttString(GeneratedKeyPairAttribute.FINGERPRINT);
    this.previousPlaybackKeyPairArn = resource.getAttString(GeneratedKeyPairAttribute.PREVIOUS_ARN);
  }

  /** A reference to the current key pair for aws-cdk-lib APIs that take an `IPlaybackKeyPairRef`. */
  public get playbackKeyPairRef(): ivs.PlaybackKeyPairReference {
    return { playbackKeyPairArn: this.playbackKeyPairArn };
  }

  /**
   * Lets `grantee` read the secret (`secretsmanager:GetSecretValue` and `DescribeSecret` on it,
   * and `kms:Decrypt` through Secrets Manager with a customer-managed key), and nothing else.
   *
   * @param grantee - the backend that signs viewer tokens
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantReadOfGeneratedKey(this, this.storage, this.encryptionKey, grantee);
  }

  /** Sets what happens to the key pairs and the secret when they leave the stack. */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
    this.storage.applyRemovalPolicy(policy);
  }
}
