import {
  CfnResource,
  CustomResource,
  ITaggableV2,
  Lazy,
  Names,
  RemovalPolicy,
  Resource,
  Stack,
  TagManager,
  TagType,
  Token,
  aws_iam as iam,
  aws_ivs as ivs,
  aws_kms as kms,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IPlaybackKeyPair } from './playback-key-pair';
import { encryptionKeyGrant } from './encryption-key-grant';
import { PlaybackKeyPairProvider, SERVICE_TIMEOUT } from './playback-key-pair-provider';
import { keyPairsOf } from './stack-key-pairs';
import {
  GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  GeneratedKeyPairAttribute,
  GeneratedKeyPairProperty,
} from '../shared/contract';
import { generatedKeySlots, validateGeneratedKeyTags, validateGeneration } from '../shared/generated-key';
import { validatePlaybackKeyPairName, validateTagMap } from '../shared/validation';

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
 * writes it to a Secrets Manager secret (JSON `privateKeyPem`, `publicKeyPem`, `fingerprint`,
 * `generation`) and only then imports its public half. The private key is never in the template.
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
   * @param props - generation, keepPreviousKey, name, encryption key, removal policy and tags
   * @throws Error if the stack's key pairs would need more than the region's 3
   */
  constructor(scope: Construct, id: string, props: GeneratedPlaybackKeyPairProps = {}) {
    super(scope, id);
    const generation = props.generation ?? 1;
    if (!Token.isUnresolved(generation)) validateGeneration(generation);
    const keepPreviousKey = props.keepPreviousKey ?? true;
    const siblings = keyPairsOf(Stack.of(this));
    siblings.claimSlots(this.node.path, generatedKeySlots(keepPreviousKey));
    this.playbackKeyPairName =
      props.playbackKeyPairName ??
      Names.uniqueResourceName(this, { maxLength: 128, separator: '-', allowedSpecialCharacters: '-_' });
    if (!Token.isUnresolved(this.playbackKeyPairName)) validatePlaybackKeyPairName(this.playbackKeyPairName);
    // The checks and messages of PlaybackKeyPair's tags, which the handler repeats at deploy time.
    if (!Token.isUnresolved(props.tags)) validateTagMap(props.tags);
    validateGeneratedKeyTags(props.tags ?? {}, Token.isUnresolved);
    this.cdkTagManager = new TagManager(TagType.MAP, GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE, props.tags, {
      tagPropertyName: GeneratedKeyPairProperty.TAGS,
    });
    this.node.addValidation({ validate: () => tagErrors(this.cdkTagManager.tagValues()) });

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.encryptionKey = props.encryptionKey;
    this.storage = new secretsmanager.Secret(this, 'Secret', {
      description: `The private keys of the IVS playback key pair ${this.node.path} (AWSCURRENT signs)`,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    // An empty secret: the handler writes every version. CDK's Secret would otherwise generate a
    // password as the first AWSCURRENT, which the first key would push to AWSPREVIOUS.
    (this.storage.node.defaultChild as CfnResource).addPropertyDeletionOverride('GenerateSecretString');
    this.secret = this.storage;
    acknowledgeRotation(this.storage.node.defaultChild as CfnResource);

    const provider = PlaybackKeyPairProvider.getOrCreate(this);
    const policy = provider.allowGeneratedKeySecret(this.storage, props.encryptionKey);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
      properties: {
        [GeneratedKeyPairProperty.SECRET_ARN]: this.storage.secretArn,
        [GeneratedKeyPairProperty.GENERATION]: Token.isUnresolved(generation)
          ? Token.asString(generation)
          : String(generation),
        [GeneratedKeyPairProperty.KEEP_PREVIOUS_KEY]: String(keepPreviousKey),
        [GeneratedKeyPairProperty.NAME]: this.playbackKeyPairName,
        [GeneratedKeyPairProperty.TAGS]: Lazy.any({ produce: () => this.cdkTagManager.renderTags() }),
      },
      removalPolicy,
      serviceTimeout: SERVICE_TIMEOUT,
    });
    this.resource.node.addDependency(policy);
    siblings.queue(this.resource);
    this.playbackKeyPairArn = this.resource.getAttString(GeneratedKeyPairAttribute.ARN);
    this.playbackKeyPairFingerprint = this.resource.getAttString(GeneratedKeyPairAttribute.FINGERPRINT);
    this.previousPlaybackKeyPairArn = this.resource.getAttString(GeneratedKeyPairAttribute.PREVIOUS_ARN);
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
    const grant = this.storage.grantRead(grantee);
    // An alias whose key is not known at synth time: aws-cdk-lib may drop that grant (without its
    // imported-alias feature flag), so it is granted here on the keys that carry the alias.
    const key = this.encryptionKey && encryptionKeyGrant(this, this.encryptionKey);
    if (!key?.aliasName) return grant;
    return grant.combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: key.resources,
        conditions: key.conditions,
      }),
    );
  }

  /** Sets what happens to the key pairs and the secret when they leave the stack. */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
    this.storage.applyRemovalPolicy(policy);
  }
}

/**
 * cdk-nag's AwsSolutions-SMG4 asks for a Secrets Manager rotation schedule; this secret rotates by
 * deploy instead (raise `generation`), because a new key is only useful once IVS has imported it.
 * Recorded in the forms cdk-nag 2 (CloudFormation metadata) and 3 (construct metadata) read.
 */
function acknowledgeRotation(secret: CfnResource): void {
  const reason =
    "The secret holds generated IVS playback keys and rotates by deploy: raising the construct's generation " +
    'writes a new key and imports it into IVS in one step, keeping the previous key imported. A Secrets Manager rotation ' +
    'Lambda could change the secret without IVS knowing the new key, and viewer tokens signed with it would not play.';
  secret.addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-SMG4', reason }] });
  secret.node.addMetadata('aws:cdk:acknowledged-rules', { 'AwsSolutions-SMG4': reason });
}

function tagErrors(tags: Record<string, string>): string[] {
  try {
    validateGeneratedKeyTags(tags, Token.isUnresolved);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}
