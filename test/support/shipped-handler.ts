import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { PlaybackKeyPair } from '../../lib';
import { HANDLER_NODE_MAJOR } from '../../lib/shared/contract';
import type { IvsStandIn } from './ivs-stand-in';
import { p384 } from './keys';
import type { lambdaContext } from './response-endpoint';

/**
 * A custom-resource handler as Lambda calls it: CloudFormation's event and the Lambda context.
 * It answers by PUTting to the event's ResponseURL; what it resolves to means nothing.
 */
export type OnEventHandler = (event: CloudFormationCustomResourceEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * Synthesizes a cloud assembly with a key pair and returns the directory of the handler asset
 * CloudFormation would deploy: the bundle exactly as it ships, not the TypeScript source. The
 * caller removes `assemblyDir` when done.
 */
export function synthesizeHandlerAsset(): { assemblyDir: string; assetDir: string } {
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-key-assembly-'));
  const app = new App({ outdir: assemblyDir });
  const stack = new Stack(app, 'Shipped');
  new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem);
  app.synth();
  const [handler] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', {
    Properties: { Handler: 'index.handler', Runtime: `nodejs${HANDLER_NODE_MAJOR}.x` },
  }));
  const assetHash = String(handler.Properties.Code.S3Key).replace(/\.zip$/, '');
  return { assemblyDir, assetDir: path.join(assemblyDir, `asset.${assetHash}`) };
}

/**
 * Loads the handler from the asset directory as a fresh Lambda container would: a new module
 * instance (so a new SDK client) that reads the stand-in's endpoint and region from the environment.
 */
export function loadShippedHandler(assetDir: string, ivs: IvsStandIn): OnEventHandler {
  Object.assign(process.env, ivs.clientEnvironment());
  delete process.env.AWS_PROFILE;
  let handler: OnEventHandler | undefined;
  jest.isolateModules(() => {
    handler = require(path.join(assetDir, 'index.js')).handler;
  });
  return handler!;
}
