import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AssetStaging,
  Aws,
  CfnResource,
  Duration,
  FileAssetLocation,
  Lazy,
  Names,
  RemovalPolicy,
  Stack,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
  cx_api as cxapi,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { encryptionKeyGrant } from './encryption-key-grant';
import { HANDLER_NODE_MAJOR } from '../shared/contract';
import { KeyKind, PLAYBACK_KEY_PAIRS } from '../shared/key-kinds';

/** Where `npm run build` writes the pre-bundled handler; shipped in the package. */
export const HANDLER_ASSET_DIR = path.join(__dirname, '..', '..', 'assets', 'ivs-key-handler');

/** The IVS actions the handler calls on playback key pairs, and nothing else. */
export const HANDLER_ACTIONS = [
  'ivs:ImportPlaybackKeyPair',
  'ivs:GetPlaybackKeyPair',
  'ivs:ListPlaybackKeyPairs',
  'ivs:DeletePlaybackKeyPair',
  'ivs:TagResource',
  'ivs:UntagResource',
];

/**
 * The IVS actions the handler calls on stage public keys, and nothing else. `ivs:ListPublicKeys`
 * has no resource type in the Service Authorization Reference (docs/facts/ivs-real-time.md), so it
 * gets a statement of its own on `*`; every other action is limited to this account's public keys.
 */
export const PUBLIC_KEY_ACTIONS = [
  'ivs:ImportPublicKey',
  'ivs:GetPublicKey',
  'ivs:DeletePublicKey',
  'ivs:TagResource',
  'ivs:UntagResource',
];

/** The Secrets Manager actions the handler calls on a generated key's secret, and nothing else. */
export const GENERATED_KEY_SECRET_ACTIONS = [
  'secretsmanager:ListSecretVersionIds',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

/**
 * What a scheduled rotation's steps call on the secret beyond `GENERATED_KEY_SECRET_ACTIONS`:
 * DescribeSecret, for the secret's rotation settings, its versions' labels and its tags.
 */
export const ROTATION_SECRET_ACTIONS = ['secretsmanager:DescribeSecret'];

/**
 * The construct metadata cdk-nag v3 reads acknowledgements from; the value of
 * `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, spelled out because `Validations` only exists in
 * newer aws-cdk-lib versions than this library supports.
 */
const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';

const PROVIDER_ID = 'IvsPlaybackKeyPairProvider';

/**
 * How long the handler may run. The worst legitimate event: IVS allows 3 key-pair calls a second
 * per account and region. The key pairs of one stack deploy one at a time (each depends on the one
 * before it), but other stacks and users of the account share those 3 calls; the SDK retries a
 * throttled call up to 10 attempts with full-jitter backoff of at most 0.5, 1, 2, 4, 8, 16, 20, 20,
 * 20 s, so one call that needs all 10 attempts waits at most 91.5 s. An event makes at most 6 IVS
 * calls (rule 6 falling back to its own key under an old name: Import, Delete, List, Get, Delete,
 * Import; docs/lifecycle-rules.md), so two calls of an event at their worst plus four ordinary ones
 * is about 200 s.
 * The handler gives IVS the timeout minus the 45.5 s its answer to CloudFormation may need (6 PUT
 * attempts of at most 5 s, 15.5 s of backoff): 300 - 45.5 = 254.5 s >= 200 s.
 * A generated key's rotation makes more calls (up to about 9 IVS and 4 Secrets Manager calls, at
 * the quota with a rename), but the key pairs of a stack deploy one at a time (`StackKeyPairs`),
 * so its calls do not share the 3 a second with siblings.
 */
export const HANDLER_TIMEOUT = Duration.minutes(5);

/**
 * How long CloudFormation waits for an answer before failing the resource by itself (the default
 * is one hour). The handler always answers before its timeout (300 s); 60 s more covers
 * CloudFormation's asynchronous invocation and a cold start. Only a crash (out of memory, a bug)
 * ever reaches it, and then the stack fails in 6 minutes, not an hour.
 */
export const SERVICE_TIMEOUT = HANDLER_TIMEOUT.plus(Duration.minutes(1));

/**
 * Lambda's asynchronous-invocation settings for the handler (one AWS::Lambda::EventInvokeConfig):
 * an event CloudFormation no longer waits for is dropped before the function starts (Lambda keeps
 * a throttled event up to 6 hours by default), and a failed invocation is retried at most twice
 * (about 1 and 2 minutes later), which only helps while CloudFormation still waits. The handler
 * checks the same age itself (stale-event.ts), for the events this setting cannot see.
 */
export const ASYNC_INVOKE = { maxEventAge: SERVICE_TIMEOUT, retryAttempts: 2 } as const;

/**
 * The custom-resource provider behind every `PlaybackKeyPair` of a stack: one Lambda function,
 * with its role and log group, created with the first key pair and shared by the rest. Its ARN is
 * the key pairs' ServiceToken, which CloudFormation never lets change ("Modifying service token is
 * not allowed"): the construct ids here fix the function's logical ID for good.
 *
 * @internal
 */
export class PlaybackKeyPairProvider extends Construct {
  /** Returns the stack's provider, creating it on first use. */
  public static getOrCreate(scope: Construct): PlaybackKeyPairProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    return existing instanceof PlaybackKeyPairProvider ? existing : new PlaybackKeyPairProvider(stack, PROVIDER_ID);
  }

  /** The ARN custom resources send their events to: the handler's own ARN. */
  public readonly serviceToken: string;

  /** The handler that imports and deletes the key pairs and answers CloudFormation. */
  public readonly handler: lambda.Function;

  private generatedKeySecrets?: iam.Policy;
  /** The role's inline IVS policy: a statement per kind of key the stack holds, added by its first key. */
  private readonly ivsPolicy = new iam.PolicyDocument();
  private readonly allowedKinds = new Set<KeyKind>();

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    if (!fs.existsSync(path.join(HANDLER_ASSET_DIR, 'index.js'))) {
      throw new Error(
        `The pre-bundled handler is missing from ${HANDLER_ASSET_DIR}: run "npm run build" in the ` +
          'cdk-ivs-playback-key-pair package (published packages ship it)',
      );
    }

    const handlerLogs = this.logGroup('HandlerLogs');
    // Inline, so the function waits for no separate AWS::IAM::Policy resource.
    const handlerRole = this.executionRole('HandlerRole', handlerLogs, { Ivs: this.ivsPolicy });
    this.handler = new lambda.Function(this, 'Handler', {
      description: 'Imports, re-imports and deletes Amazon IVS playback key pairs and stage public keys',
      runtime: new lambda.Runtime(`nodejs${HANDLER_NODE_MAJOR}.x`, lambda.RuntimeFamily.NODEJS, {
        supportsInlineCode: true,
      }),
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: new PreBundledHandlerCode(),
      timeout: HANDLER_TIMEOUT,
      memorySize: 256,
      role: handlerRole,
      logGroup: handlerLogs,
      ...ASYNC_INVOKE,
    });
    dropDependsOnRole(this.handler, handlerRole);
    this.serviceToken = this.handler.functionArn;
  }

  /**
   * Lets the handler call the IVS actions of `kind`'s keys (once per kind: the stack's first key of
   * a kind adds its statement), on this account and region's keys of that kind only.
   */
  public allowKeys(kind: KeyKind): void {
    if (this.allowedKinds.has(kind)) return;
    this.allowedKinds.add(kind);
    const stack = Stack.of(this);
    // The partition as the AWS::Partition pseudo parameter, always: with a concrete region and the
    // partition-literals feature flag, formatArn's default would load aws-cdk-lib's region database
    // (about 70 ms of every synth) to spell out the same value.
    const keys = stack.formatArn({
      partition: Aws.PARTITION,
      service: 'ivs',
      resource: kind.arnResource,
      resourceName: '*',
    });
    const playback = kind === PLAYBACK_KEY_PAIRS;
    this.ivsPolicy.addStatements(
      new iam.PolicyStatement({ actions: playback ? HANDLER_ACTIONS : PUBLIC_KEY_ACTIONS, resources: [keys] }),
    );
    const role = this.handler.role!.node.defaultChild;
    acknowledge(
      role,
      'AwsSolutions-IAM5',
      `Resource::${flatten(stack, keys)}`,
      `IVS gives a ${kind.noun} its ARN (a random id) only when it is imported, so the policy cannot name the ` +
        `${kind.nounPlural} in advance. The wildcard is limited to ${kind.nounPlural} of this account and region, and the ` +
        `handler acts only on the ${kind.noun} its own resource imported (the resource's physical ID, or the key ` +
        "carrying the resource's owner tag).",
    );
    if (!playback) {
      this.ivsPolicy.addStatements(new iam.PolicyStatement({ actions: ['ivs:ListPublicKeys'], resources: ['*'] }));
      acknowledge(
        role,
        'AwsSolutions-IAM5',
        'Resource::*',
        'ivs:ListPublicKeys has no resource type (Service Authorization Reference for IVS), so only "*" can allow it; ' +
          'the statement allows that one read-only action and nothing else.',
      );
    }
  }

  /**
   * Lets the handler read and write one generated key's secret, and use its customer-managed key
   * only through Secrets Manager. A policy of its own, made with the stack's first generated key,
   * so a stack without one keeps its template; the key pair's resource waits for it.
   */
  public allowGeneratedKeySecret(secret: secretsmanager.ISecret, encryptionKey?: kms.IKey): iam.Policy {
    this.generatedKeySecrets ??= new iam.Policy(this, 'GeneratedKeySecrets', { roles: [this.handler.role!] });
    this.generatedKeySecrets.addStatements(
      new iam.PolicyStatement({ actions: GENERATED_KEY_SECRET_ACTIONS, resources: [secret.secretArn] }),
    );
    if (encryptionKey) {
      // An alias: its target key, or the keys that carry it (encryption-key-grant.ts).
      const { resources, conditions, aliasName } = encryptionKeyGrant(this, encryptionKey);
      this.generatedKeySecrets.addStatements(
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources, conditions }),
      );
      if (aliasName) {
        acknowledge(
          this.generatedKeySecrets.node.defaultChild,
          'AwsSolutions-IAM5',
          `Resource::${flatten(Stack.of(this), resources[0])}`,
          `IAM cannot name a KMS key by its alias, and the key behind ${aliasName} is not known at synth time: the ` +
            'statement allows Decrypt and GenerateDataKey only on the keys that carry that alias (kms:ResourceAliases), ' +
            'only through Secrets Manager (kms:ViaService).',
        );
      }
    }
    return this.generatedKeySecrets;
  }

  /**
   * Lets the handler serve Secrets Manager's rotation steps on a generated key's secret: the actions
   * beyond what `allowGeneratedKeySecret` (called first, for the same secret) already allows.
   */
  public allowRotationOf(secret: secretsmanager.ISecret): iam.Policy {
    if (!this.generatedKeySecrets) throw new Error('allowGeneratedKeySecret must be called before allowRotationOf');
    this.generatedKeySecrets.addStatements(
      new iam.PolicyStatement({ actions: ROTATION_SECRET_ACTIONS, resources: [secret.secretArn] }),
    );
    return this.generatedKeySecrets;
  }

  private logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * A Lambda execution role that may write to its own log group and nowhere else: in place of the
   * AWSLambdaBasicExecutionRole managed policy (AwsSolutions-IAM4), which allows any log group.
   * The log group exists before the function, so logs:CreateLogGroup is not needed.
   */
  private executionRole(
    id: string,
    logGroup: logs.LogGroup,
    inlinePolicies: Record<string, iam.PolicyDocument> = {},
  ): iam.Role {
    return new iam.Role(this, id, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        ...inlinePolicies,
        Logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              // The log group's Arn attribute ends in ":*", which covers its log streams.
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
  }
}

/**
 * The pre-bundled handler as the function's code, staged and published as `lambda.Code.fromAsset`
 * does it (the same asset hash, S3 location, asset manifest entry and resource metadata), but
 * without its `aws_s3_assets.Asset`, whose bucket reference (never used here) loads aws-cdk-lib's
 * region database: about 50 ms of every `cdk synth` (`npm run bench` measures synth time).
 */
class PreBundledHandlerCode extends lambda.Code {
  public readonly isInline = false;
  private staged?: { readonly assetPath: string; readonly location: FileAssetLocation };

  public bind(scope: Construct): lambda.CodeConfig {
    const stack = Stack.of(scope);
    const staging = new AssetStaging(scope, 'Code', { sourcePath: HANDLER_ASSET_DIR });
    const assetPath = staging.relativeStagedPath(stack);
    const location = stack.synthesizer.addFileAsset({
      packaging: staging.packaging,
      sourceHash: staging.assetHash,
      fileName: assetPath,
      deployTime: true,
      displayName: Names.stackRelativeConstructPath(staging),
    });
    this.staged = { assetPath, location };
    return { s3Location: { bucketName: location.bucketName, objectKey: location.objectKey } };
  }

  /** The metadata SAM and `cdk` read to find a function's local code, as an `Asset` writes it. */
  public bindToResource(resource: CfnResource, options: lambda.ResourceBindOptions = {}): void {
    if (!this.staged || !resource.node.tryGetContext(cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT)) return;
    resource.cfnOptions.metadata = {
      ...resource.cfnOptions.metadata,
      [cxapi.ASSET_RESOURCE_METADATA_PATH_KEY]: this.staged.assetPath,
      [cxapi.ASSET_RESOURCE_METADATA_IS_BUNDLED_KEY]: false,
      [cxapi.ASSET_RESOURCE_METADATA_PROPERTY_KEY]: options.resourceProperty ?? 'Code',
    };
  }
}

/**
 * lambda.Function makes its function depend on its role, which the function's `Role` (an
 * `Fn::GetAtt` of the role) already does: cfn-lint warns of the redundant DependsOn (W3005). The
 * function keeps every other dependency it is given (the role's other resources included).
 */
function dropDependsOnRole(handler: lambda.Function, role: iam.Role): void {
  const cfnFunction = handler.node.defaultChild as CfnResource;
  const cfnRole = role.node.defaultChild as CfnResource;
  cfnFunction.addOverride(
    'DependsOn',
    Lazy.any({
      // Resolved at synthesis, after construct dependencies became CloudFormation ones; none left, no DependsOn.
      produce: () => {
        const others = cfnFunction
          .obtainDependencies()
          .filter((dependency): dependency is CfnResource => CfnResource.isCfnResource(dependency))
          .filter((dependency) => dependency !== cfnRole);
        return others.length > 0 ? others.map((dependency) => dependency.logicalId) : undefined;
      },
    }),
  );
}

/**
 * Records on the resource that holds a policy why one cdk-nag finding in it is accepted, in the two
 * forms cdk-nag reads, without making cdk-nag a dependency: the `cdk_nag` CloudFormation metadata of
 * cdk-nag 2 (`applies_to` narrows the suppression to the one finding) and the construct metadata
 * that `Validations.of(scope).acknowledge()` writes, which cdk-nag 3 reads as `Rule[finding]`.
 */
function acknowledge(resource: IConstruct | undefined, rule: string, finding: string, reason: string): void {
  if (!CfnResource.isCfnResource(resource)) return;
  const rules = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...rules, { id: rule, reason, applies_to: [finding] }] });
  resource.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, { [`${rule}[${finding}]`]: reason });
}

/**
 * A value as cdk-nag names it in a finding (its flattenCfnReference): `Ref`s and `Fn::GetAtt`s
 * become `<AWS::Region>` and `<LogicalId.Arn>`, and `Fn::Join`s are joined.
 */
function flatten(scope: Stack, value: string): string {
  type Resolved = string | { 'Fn::Join'?: [string, Resolved[]]; 'Fn::GetAtt'?: Resolved[]; Ref?: Resolved };
  const visit = (node: Resolved): string => {
    if (typeof node === 'string') return node;
    if (node?.['Fn::Join']) return node['Fn::Join'][1].map(visit).join(node['Fn::Join'][0]);
    if (node?.['Fn::GetAtt']) return `<${node['Fn::GetAtt'].map(visit).join('.')}>`;
    if (node?.Ref) return `<${visit(node.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(scope.resolve(value));
}
