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
import { IStagePublicKey } from './stage-public-key';
import { GENERATED_STAGE_PUBLIC_KEY_RESOURCE_TYPE, GeneratedKeyPairAttribute } from '../shared/contract';
import { STAGE_PUBLIC_KEYS } from '../shared/key-kinds';

/** Properties of a `GeneratedStagePublicKey`; every one is optional. */
export interface GeneratedStagePublicKeyProps {
  /**
   * The key's generation, a whole number from 1. Raise it to rotate at the next deploy: a new key
   * becomes the secret's `AWSCURRENT` and is imported. A lower or equal value rotates nothing, so a
   * rollback never brings a retired key back.
   *
   * @default 1
   */
  readonly generation?: number;

  /**
   * Whether the key before the current one stays imported until the next rotation, so that
   * participant tokens signed with it are still accepted after a rotation.
   *
   * @default true
   */
  readonly keepPreviousKey?: boolean;

  /**
   * The public keys' name in IVS (the current and the previous key share it): at most 128
   * characters from `a-zA-Z0-9-_`. A change re-imports the same keys under the new name.
   *
   * @default - a name unique to the construct's path in the app, such as `MyStack-Key-1A2B3C4D`
   */
  readonly publicKeyName?: string;

  /**
   * A customer-managed KMS key (or alias) to encrypt the secret with, used by the handler only
   * through Secrets Manager, as for `GeneratedPlaybackKeyPair`.
   *
   * @default - the account's AWS managed key for Secrets Manager (`aws/secretsmanager`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Rotate the key on this schedule as well, without a deploy: Secrets Manager invokes the stack's
   * handler (the same one Lambda function), which writes a new key, imports it into IVS, makes it the
   * secret's `AWSCURRENT` and, with `keepPreviousKey`, keeps the one before it imported. A whole number
   * of hours from 4 hours to 999 days, such as `Duration.days(30)`. Keep the participant tokens' lifetime plus
   * your signer's refresh time shorter than the schedule, so that every token still verifies.
   *
   * The attributes (the public key ARNs) are as of the last deploy; a rotation between deploys does not
   * change them.
   *
   * @default - no schedule: the key rotates only when `generation` is raised
   */
  readonly rotationSchedule?: Duration;

  /**
   * What happens to the public keys and the secret when the construct leaves the stack or the stack
   * is deleted. `RETAIN` keeps both.
   *
   * @default RemovalPolicy.DESTROY - the public keys are deleted, and the secret is scheduled for deletion
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags for the public keys. `Tags.of(scope).add()` reaches them too (and the secret).
   * At most 48 tags: IVS allows 50 and the construct uses two to recognise its keys.
   *
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * An Amazon IVS Real-Time public key generated at deploy time, through the same handler and the same
 * lifecycle as `GeneratedPlaybackKeyPair`: the handler makes an ECDSA P-384 key, imports its public
 * half, and writes it to a Secrets Manager secret as JSON `privateKeyPem`, `publicKeyPem`,
 * `fingerprint`, `generation` and `publicKeyArn` (the `kid` of the participant tokens it signs, so a
 * signer needs no IVS call). The private key is never in the template.
 *
 * The secret's `AWSCURRENT` version is the key that signs, `AWSPREVIOUS` the one before it. Raise
 * `generation` to rotate; with `keepPreviousKey` (the default) the previous key stays imported.
 *
 * @resource Custom::IvsGeneratedStagePublicKey
 */
export class GeneratedStagePublicKey extends Resource implements IStagePublicKey, ITaggableV2 {
  /** The CloudFormation type of the custom resource behind a `GeneratedStagePublicKey`. */
  public static readonly RESOURCE_TYPE: string = GENERATED_STAGE_PUBLIC_KEY_RESOURCE_TYPE;

  /**
   * The ARN of the current public key (the secret's `AWSCURRENT` key), as of the last deploy.
   *
   * @attribute
   */
  public readonly publicKeyArn: string;

  /**
   * The fingerprint IVS computed for the current public key.
   *
   * @attribute
   */
  public readonly publicKeyFingerprint: string;

  /**
   * The ARN of the public key before the current one (the secret's `AWSPREVIOUS` key), or `""`
   * when there is none, `keepPreviousKey` is false, or the region had no room for it.
   *
   * @attribute
   */
  public readonly previousPublicKeyArn: string;

  /** The public keys' name in IVS. */
  public readonly publicKeyName: string;

  /** The secret holding the private keys: read its `AWSCURRENT` version to sign participant tokens. */
  public readonly secret: secretsmanager.ISecret;

  /** Tags for the public keys, set by `props.tags` and by `Tags.of()`. */
  public readonly cdkTagManager: TagManager;

  private readonly resource: CustomResource;
  private readonly storage: secretsmanager.Secret;
  private readonly encryptionKey?: kms.IKey;

  /**
   * Generates a key at the first deploy, and a new one whenever `generation` is raised.
   *
   * @param scope - the scope of the public key
   * @param id - the construct id, also the source of the default name
   * @param props - generation, keepPreviousKey, name, encryption key, rotation schedule, removal policy and tags
   */
  constructor(scope: Construct, id: string, props: GeneratedStagePublicKeyProps = {}) {
    super(scope, id);
    const { resource, name, tagManager, secret } = generatedKey(this, STAGE_PUBLIC_KEYS, {
      ...props,
      name: props.publicKeyName,
    });
    this.resource = resource;
    this.storage = secret;
    this.secret = secret;
    this.encryptionKey = props.encryptionKey;
    this.publicKeyName = name;
    this.cdkTagManager = tagManager;
    this.publicKeyArn = resource.getAttString(GeneratedKeyPairAttribute.ARN);
    this.publicKeyFingerprint = resource.getAttString(GeneratedKeyPairAttribute.FINGERPRINT);
    this.previousPublicKeyArn = resource.getAttString(GeneratedKeyPairAttribute.PREVIOUS_ARN);
  }

  /** A reference to the current public key for aws-cdk-lib APIs that take an `IPublicKeyRef`. */
  public get publicKeyRef(): ivs.PublicKeyReference {
    return { publicKeyArn: this.publicKeyArn };
  }

  /**
   * Lets `grantee` read the secret (`secretsmanager:GetSecretValue` and `DescribeSecret` on it,
   * and `kms:Decrypt` through Secrets Manager with a customer-managed key), and nothing else.
   *
   * @param grantee - the backend that signs participant tokens
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return grantReadOfGeneratedKey(this, this.storage, this.encryptionKey, grantee);
  }

  /** Sets what happens to the public keys and the secret when they leave the stack. */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
    this.storage.applyRemovalPolicy(policy);
  }
}
