import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { generatePlaybackKeyPair, verifyPlaybackToken } from '../lib/tokens';
import { PrivateChannelStack } from '../bin/private-channel-stack';
import { channelFromOutputs, signedPlaybackUrl } from '../bin/sign-playback-url';

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
const PLAYBACK_URL =
  'https://0123456789ab.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.AbCdEfGh1234.m3u8';

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

test('the last step signs a token for the deployed channel and appends it to the playback URL', async () => {
  const { privateKeyPem, publicKeyPem } = generatePlaybackKeyPair();
  const outputs = JSON.stringify({ IvsPrivateChannelExample: { ChannelArn: CHANNEL_ARN, PlaybackUrl: PLAYBACK_URL } });

  const url = new URL(await signedPlaybackUrl(privateKeyPem, outputs));
  expect(`${url.origin}${url.pathname}`).toBe(PLAYBACK_URL);
  const verified = await verifyPlaybackToken(url.searchParams.get('token')!, publicKeyPem);
  expect(verified.channelArn).toBe(CHANNEL_ARN);
  const lifetime = verified.expiresAt.getTime() - Date.now();
  expect(lifetime).toBeLessThanOrEqual(300_000);
  expect(lifetime).toBeGreaterThan(290_000); // five minutes, as the README says
});

test('an outputs file from another stack gets an error that says how to write the right one', () => {
  expect(() => channelFromOutputs('{"OtherStack":{}}')).toThrow(
    'The outputs file has no ChannelArn and PlaybackUrl for the stack IvsPrivateChannelExample; write it with: npx cdk deploy --outputs-file outputs.json',
  );
});
