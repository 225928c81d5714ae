import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { generatePlaybackKeyPair } from '../lib/tokens';
import { PrivateChannelStack } from '../bin/private-channel-stack';

const ROOT = path.join(__dirname, '..');

test('the example stack has a key pair, an authorized channel with a stream key, and the outputs the walkthrough uses', () => {
  const { publicKeyPem } = generatePlaybackKeyPair();
  const template = Template.fromStack(
    new PrivateChannelStack(new App(), 'IvsPrivateChannelExample', { publicKeyMaterial: publicKeyPem }),
  );
  template.hasResourceProperties('Custom::IvsPlaybackKeyPair', { PublicKeyMaterial: publicKeyPem });
  const [channelId] = Object.keys(template.findResources('AWS::IVS::Channel', { Properties: { Authorized: true } }));
  template.hasResourceProperties('AWS::IVS::StreamKey', { ChannelArn: { 'Fn::GetAtt': [channelId, 'Arn'] } });
  const outputs = template.findOutputs('*');
  expect(Object.keys(outputs).sort()).toEqual([
    'ChannelArn',
    'IngestEndpoint',
    'PlaybackKeyPairArn',
    'PlaybackKeyPairFingerprint',
    'PlaybackUrl',
    'StreamKeyArn',
  ]);
  expect(outputs.IngestEndpoint.Value).toEqual({ 'Fn::GetAtt': [channelId, 'IngestEndpoint'] });
  // The stream key's value is a secret: the stack outputs its ARN, never its Value.
  const [streamKeyId] = Object.keys(template.findResources('AWS::IVS::StreamKey'));
  expect(outputs.StreamKeyArn.Value).toEqual({ 'Fn::GetAtt': [streamKeyId, 'Arn'] });
  expect(JSON.stringify(template.toJSON())).not.toContain(`"${streamKeyId}","Value"`);
});

/** Runs the example app as `cdk synth` does, with the given context. */
function synthExampleApp(context: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'private-channel.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-')),
    },
  });
}

test('a public key file that does not exist gets one line that names it and says how to make one', () => {
  const result = synthExampleApp({ publicKeyFile: 'missing.pem' });
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(
    '-c publicKeyFile=missing.pem: cannot read the public key (no such file). Write a key pair with ' +
      '"npx cdk-ivs-playback-key-pair keygen --out keys", then pass -c publicKeyFile=keys/public.pem.\n',
  );
});

test("the private half passed by mistake gets the construct's message in one line, without the key or a stack trace", () => {
  const { privateKeyPem } = generatePlaybackKeyPair();
  const privateKeyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'example-key-')), 'private.pem');
  fs.writeFileSync(privateKeyFile, privateKeyPem);
  const result = synthExampleApp({ publicKeyFile: privateKeyFile });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^Invalid publicKeyMaterial: [^\n]*private key[^\n]*\n$/);
  const keyBody = privateKeyPem.split('\n')[1];
  expect(result.stderr).not.toContain(keyBody);
});
