#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { GeneratedKeyStack } from './generated-key-stack';
import { PrivateChannelStack } from './private-channel-stack';

const app = new App();

// Your own key: `npx cdk synth -c publicKeyFile=path/to/public.pem`. Without it, a demo key whose
// private half was thrown away: the stack synthesizes and deploys, but no token will ever play.
const publicKeyFile = app.node.tryGetContext('publicKeyFile') ?? path.join(__dirname, 'demo-public-key.pem');

new PrivateChannelStack(app, 'IvsPrivateChannelExample', {
  publicKeyMaterial: fs.readFileSync(publicKeyFile, 'utf8'),
  // Environment-agnostic, so synth needs no AWS account; set env to deploy to a fixed account and region.
});

// `npx cdk synth -c generatedKey=true` adds a stack whose key the deploy generates (private half in
// Secrets Manager); `-c generation=2` rotates it. Off by default, so the default app stays as it is.
if (String(app.node.tryGetContext('generatedKey')) === 'true') {
  new GeneratedKeyStack(app, 'IvsGeneratedKeyExample', {
    generation: Number(app.node.tryGetContext('generation') ?? 1),
  });
}
