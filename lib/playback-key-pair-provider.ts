import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, custom_resources as cr } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Where `npm run build` writes the pre-bundled handler; shipped in the package. */
export const HANDLER_ASSET_DIR = path.join(__dirname, '..', 'assets', 'playback-key-pair-handler');

/** The IVS actions the handler calls, and nothing else. */
export const HANDLER_ACTIONS = [
  'ivs:ImportPlaybackKeyPair',
  'ivs:GetPlaybackKeyPair',
  'ivs:ListPlaybackKeyPairs',
  'ivs:DeletePlaybackKeyPair',
  'ivs:TagResource',
  'ivs:UntagResource',
];

const PROVIDER_ID = 'IvsPlaybackKeyPairProvider';

/**
 * The custom-resource provider behind every `PlaybackKeyPair` of a stack: one handler Lambda and
 * one Provider framework, created with the first key pair and shared by the rest.
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

  /** The ARN custom resources send their events to. */
  public readonly serviceToken: string;

  /** The handler that imports and deletes the key pairs. */
  public readonly onEventHandler: lambda.Function;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    if (!fs.existsSync(path.join(HANDLER_ASSET_DIR, 'index.js'))) {
      throw new Error(`The pre-bundled handler is missing from ${HANDLER_ASSET_DIR}: run "npm run build" in the `
        + 'cdk-ivs-playback-key-pair package (published packages ship it)');
    }

    this.onEventHandler = new lambda.Function(this, 'OnEventHandler', {
      description: 'Imports, re-imports and deletes Amazon IVS playback key pairs (Custom::IvsPlaybackKeyPair)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET_DIR),
      // Generous for the SDK's backoff under the 3 TPS limit, and well under the framework's 14 minutes.
      timeout: Duration.minutes(5),
      memorySize: 256,
      logGroup: this.logGroup('OnEventHandlerLogs'),
    });
    this.onEventHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: HANDLER_ACTIONS,
      resources: [scope.formatArn({ service: 'ivs', resource: 'playback-key', resourceName: '*' })],
    }));

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventHandler,
      logGroup: this.logGroup('ProviderLogs'),
    });
    this.serviceToken = provider.serviceToken;
  }

  private logGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
