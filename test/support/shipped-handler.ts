import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PlaybackKeyPair } from '../../lib';
import { HANDLER_NODE_MAJOR } from '../../lib/shared/contract';
import { p384 } from './keys';

// The loader is shared with the bench: one implementation, in tools/stand-ins.
export { loadShippedHandler, type OnEventHandler } from '../../tools/stand-ins/shipped-handler';

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
  const [handler] = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Handler: 'index.handler', Runtime: `nodejs${HANDLER_NODE_MAJOR}.x` },
    }),
  );
  const assetHash = String(handler.Properties.Code.S3Key).replace(/\.zip$/, '');
  return { assemblyDir, assetDir: path.join(assemblyDir, `asset.${assetHash}`) };
}
