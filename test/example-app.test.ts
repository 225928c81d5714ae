import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { generatePlaybackKeyPair, verifyPlaybackToken } from '../lib/tokens';
import { PrivateChannelStack } from '../bin/private-channel-stack';
import { channelFromOutputs, signedPlaybackUrl } from '../bin/sign-playback-url';

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
const PLAYBACK_URL =
  'https://0123456789ab.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.AbCdEfGh1234.m3u8';

test('the example stack has a key pair, an authorized channel and the outputs the walkthrough uses', () => {
  const { publicKeyPem } = generatePlaybackKeyPair();
  const template = Template.fromStack(
    new PrivateChannelStack(new App(), 'IvsPrivateChannelExample', { publicKeyMaterial: publicKeyPem }),
  );
  template.hasResourceProperties('Custom::IvsPlaybackKeyPair', { PublicKeyMaterial: publicKeyPem });
  template.hasResourceProperties('AWS::IVS::Channel', { Authorized: true });
  expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
    'ChannelArn',
    'PlaybackKeyPairArn',
    'PlaybackKeyPairFingerprint',
    'PlaybackUrl',
  ]);
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
