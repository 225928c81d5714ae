/**
 * What the four key constructs build, written once over the two key kinds (lib/shared/key-kinds.ts):
 * the custom resource of a key you bring (`PlaybackKeyPair`, `StagePublicKey`), and the secret and
 * custom resource of a generated key (`GeneratedPlaybackKeyPair`, `GeneratedStagePublicKey`). The
 * public classes are thin: their names, attributes and docs are the kind's; the rest is here.
 *
 * @internal
 */
import {
  CfnResource,
  CustomResource,
  Duration,
  Lazy,
  Names,
  RemovalPolicy,
  Stack,
  TagManager,
  TagType,
  Token,
  aws_iam as iam,
  aws_kms as kms,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { encryptionKeyGrant } from './encryption-key-grant';
import { PlaybackKeyPairProvider, SERVICE_TIMEOUT } from './playback-key-pair-provider';
import { rotationScheduleExpression, scheduleRotation } from './rotation-schedule';
import { keyPairsOf } from './stack-key-pairs';
import { GeneratedKeyPairProperty, KeyPairProperty } from '../shared/contract';
import { generatedKeySlots, validateGeneratedKeyTags, validateGeneration } from '../shared/generated-key';
import type { KeyKind } from '../shared/key-kinds';
import {
  validatePlaybackKeyPairName,
  validatePublicKeyMaterial,
  validateTagMap,
  validateTags,
} from '../shared/validation';

/** The options every key construct takes. */
export interface KeyOptions {
  readonly name?: string;
  readonly tags?: Record<string, string>;
  readonly removalPolicy?: RemovalPolicy;
}

/** What a key construct keeps of what was built for it. */
export interface KeyParts {
  readonly resource: CustomResource;
  /** The key's name in IVS. */
  readonly name: string;
  readonly tagManager: TagManager;
}

/**
 * The custom resource that imports `publicKeyMaterial` as a key of `kind`: validated where known at
 * synth time (the handler repeats every check at deploy time), queued behind the stack's other keys.
 */
export function importedKey(scope: Construct, kind: KeyKind, publicKeyMaterial: string, options: KeyOptions): KeyParts {
  const siblings = keyPairsOf(Stack.of(scope));
  if (!Token.isUnresolved(publicKeyMaterial)) {
    siblings.claimKey(kind, validatePublicKeyMaterial(publicKeyMaterial).der, scope.node.path);
  }
  siblings.claimSlots(kind, scope.node.path, 1);
  const name = keyName(scope, kind, options.name);
  // Other languages and JavaScript can pass what the types forbid (a string, a number as a value).
  if (!Token.isUnresolved(options.tags)) validateTagMap(options.tags);
  validateTags(options.tags ?? {}, Token.isUnresolved);
  const tagManager = keyTags(scope, kind.importedResourceType, options.tags, KeyPairProperty.TAGS, validateTags);
  const provider = PlaybackKeyPairProvider.getOrCreate(scope);
  provider.allowKeys(kind);
  const resource = new CustomResource(scope, 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType: kind.importedResourceType,
    properties: {
      [KeyPairProperty.PUBLIC_KEY_MATERIAL]: publicKeyMaterial,
      [KeyPairProperty.NAME]: name,
      [KeyPairProperty.TAGS]: Lazy.any({ produce: () => tagManager.renderTags() }),
    },
    removalPolicy: options.removalPolicy ?? RemovalPolicy.DESTROY,
    serviceTimeout: SERVICE_TIMEOUT,
  });
  siblings.queue(resource);
  return { resource, name, tagManager };
}

/** The options of a generated key. */
export interface GeneratedKeyOptions extends KeyOptions {
  readonly generation?: number;
  readonly keepPreviousKey?: boolean;
  readonly encryptionKey?: kms.IKey;
  readonly rotationSchedule?: Duration;
}

/** A generated key's parts: its secret besides the custom resource. */
export interface GeneratedKeyParts extends KeyParts {
  readonly secret: secretsmanager.Secret;
}

/**
 * An empty secret and the custom resource whose handler generates keys of `kind` into it: the
 * handler's policy on the secret (and its KMS key) comes first, and the resource waits for it.
 */
export function generatedKey(scope: Construct, kind: KeyKind, props: GeneratedKeyOptions): GeneratedKeyParts {
  const generation = props.generation ?? 1;
  if (!Token.isUnresolved(generation)) validateGeneration(generation);
  const scheduleExpression = props.rotationSchedule && rotationScheduleExpression(props.rotationSchedule);
  const keepPreviousKey = props.keepPreviousKey ?? true;
  const siblings = keyPairsOf(Stack.of(scope));
  siblings.claimSlots(kind, scope.node.path, generatedKeySlots(keepPreviousKey));
  const name = keyName(scope, kind, props.name);
  // The checks and messages of the imported kind's tags, which the handler repeats at deploy time.
  if (!Token.isUnresolved(props.tags)) validateTagMap(props.tags);
  validateGeneratedKeyTags(props.tags ?? {}, Token.isUnresolved);
  const tagManager = keyTags(
    scope,
    kind.generatedResourceType,
    props.tags,
    GeneratedKeyPairProperty.TAGS,
    validateGeneratedKeyTags,
  );

  const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
  const secret = new secretsmanager.Secret(scope, 'Secret', {
    description: `The private keys of the IVS ${kind.noun} ${scope.node.path} (AWSCURRENT signs)`,
    encryptionKey: props.encryptionKey,
    removalPolicy,
  });
  // An empty secret: the handler writes every version. CDK's Secret would otherwise generate a
  // password as the first AWSCURRENT, which the first key would push to AWSPREVIOUS.
  (secret.node.defaultChild as CfnResource).addPropertyDeletionOverride('GenerateSecretString');
  if (!scheduleExpression) acknowledgeRotationByDeploy(secret.node.defaultChild as CfnResource, kind);

  const provider = PlaybackKeyPairProvider.getOrCreate(scope);
  provider.allowKeys(kind);
  const policy = provider.allowGeneratedKeySecret(secret, props.encryptionKey);
  const resource = new CustomResource(scope, 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType: kind.generatedResourceType,
    properties: {
      [GeneratedKeyPairProperty.SECRET_ARN]: secret.secretArn,
      [GeneratedKeyPairProperty.GENERATION]: Token.isUnresolved(generation)
        ? Token.asString(generation)
        : String(generation),
      [GeneratedKeyPairProperty.KEEP_PREVIOUS_KEY]: String(keepPreviousKey),
      [GeneratedKeyPairProperty.NAME]: name,
      [GeneratedKeyPairProperty.TAGS]: Lazy.any({ produce: () => tagManager.renderTags() }),
    },
    removalPolicy,
    serviceTimeout: SERVICE_TIMEOUT,
  });
  resource.node.addDependency(policy);
  siblings.queue(resource);
  if (scheduleExpression) scheduleRotation(scope, { kind, secret, resource, keepPreviousKey }, scheduleExpression);
  return { resource, name, tagManager, secret };
}

/**
 * Lets `grantee` read a generated key's secret (`secretsmanager:GetSecretValue` and `DescribeSecret`,
 * and `kms:Decrypt` through Secrets Manager with a customer-managed key or alias), and nothing else.
 */
export function grantReadOfGeneratedKey(
  scope: Construct,
  secret: secretsmanager.ISecret,
  encryptionKey: kms.IKey | undefined,
  grantee: iam.IGrantable,
): iam.Grant {
  const grant = secret.grantRead(grantee);
  // An alias whose key is not known at synth time: aws-cdk-lib may drop that grant (without its
  // imported-alias feature flag), so it is granted here on the keys that carry the alias.
  const key = encryptionKey && encryptionKeyGrant(scope, encryptionKey);
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

/** The name given, or one unique to the construct's path, e.g. `MyStack-Key-1A2B3C4D`; checked unless a token. */
function keyName(scope: Construct, kind: KeyKind, given: string | undefined): string {
  const name =
    given ?? Names.uniqueResourceName(scope, { maxLength: 128, separator: '-', allowedSpecialCharacters: '-_' });
  if (!Token.isUnresolved(name)) validatePlaybackKeyPairName(name, kind.nameOption);
  return name;
}

/** Tags of `options.tags` and `Tags.of()`, checked again when the app synthesizes (Tags.of() adds them later). */
function keyTags(
  scope: Construct,
  resourceType: string,
  tags: Record<string, string> | undefined,
  tagPropertyName: string,
  validate: (tags: Record<string, string>, isUnresolved: (value: string) => boolean) => void,
): TagManager {
  const tagManager = new TagManager(TagType.MAP, resourceType, tags, { tagPropertyName });
  scope.node.addValidation({
    validate: () => {
      try {
        validate(tagManager.tagValues(), Token.isUnresolved);
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    },
  });
  return tagManager;
}

/**
 * cdk-nag's AwsSolutions-SMG4 asks for a Secrets Manager rotation schedule; without `rotationSchedule`
 * this secret rotates by deploy (raise `generation`), because a new key is only useful once IVS has
 * imported it, which a rotation function other than the stack's handler would not do. Recorded
 * in the forms cdk-nag 2 (CloudFormation metadata) and 3 (construct metadata) read.
 */
function acknowledgeRotationByDeploy(secret: CfnResource, kind: KeyKind): void {
  const reason =
    `The secret holds generated IVS ${kind.nounPlural} and rotates by deploy: raising the construct's generation ` +
    'writes a new key and imports it into IVS in one step, keeping the previous key imported. A Secrets Manager rotation ' +
    'Lambda could change the secret without IVS knowing the new key, and tokens signed with it would not be accepted.';
  secret.addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-SMG4', reason }] });
  secret.node.addMetadata('aws:cdk:acknowledged-rules', { 'AwsSolutions-SMG4': reason });
}
