#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { GeneratedKeyStack } from './generated-key-stack';
import { PrivateChannelStack } from './private-channel-stack';
import { RealTimeStack } from './real-time-stack';

/** A mistake in the app's context (`-c name=value`), reported as one line instead of a stack trace. */
class ContextError extends Error {}

/** The text of the public key file `-c publicKeyFile` names, or a ContextError that says what is wrong. */
function readPublicKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ContextError(
      `-c publicKeyFile=${file}: cannot read the public key (${reason}). ` +
        'Write a key pair with "npx cdk-ivs-playback-key-pair keygen --out keys", then pass -c publicKeyFile=keys/public.pem.',
    );
  }
}

function main(): void {
  const app = new App();

  // Your own key: `npx cdk synth -c publicKeyFile=path/to/public.pem`. Without it, a demo key whose
  // private half was thrown away: the stack synthesizes and deploys, but no token will ever play.
  const publicKeyFile = app.node.tryGetContext('publicKeyFile') ?? path.join(__dirname, 'demo-public-key.pem');

  new PrivateChannelStack(app, 'IvsPrivateChannelExample', {
    publicKeyMaterial: readPublicKeyFile(publicKeyFile),
    // Environment-agnostic, so synth needs no AWS account; set env to deploy to a fixed account and region.
  });

  // `npx cdk synth -c generatedKey=true` adds a stack whose key the deploy generates (private half in
  // Secrets Manager); `-c generation=2` rotates it. Off by default, so the default app stays as it is.
  if (String(app.node.tryGetContext('generatedKey')) === 'true') {
    new GeneratedKeyStack(app, 'IvsGeneratedKeyExample', {
      generation: Number(app.node.tryGetContext('generation') ?? 1),
    });
  }

  // `npx cdk synth -c realTime=true` adds an IVS Real-Time stage with a generated public key for
  // participant tokens, rotated every 30 days. Off by default too.
  if (String(app.node.tryGetContext('realTime')) === 'true') {
    new RealTimeStack(app, 'IvsRealTimeExample');
  }
}

// A wrong file or key is the user's to fix: say what is wrong in one line, without a stack trace.
try {
  main();
} catch (error) {
  // By name: tsx may load the construct's compiled validation module beside its TypeScript source.
  const isUsersToFix = error instanceof ContextError || (error as Error).name === 'PlaybackKeyPairValidationError';
  if (!isUsersToFix) throw error;
  console.error((error as Error).message);
  process.exit(1);
}
