/**
 * A private key passed by mistake as a claim (a swapped argument, a wrong variable) is refused without
 * being echoed: error messages quote short claim values, and a PEM block is never one of them.
 */
import { signParticipantToken } from '../lib/backend/participant-token';
import { signPlaybackToken } from '../lib/backend/playback-token';
import { p384, pemBody } from './support/keys';

const key = p384();
const STAGE_ARN = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdEfGh1234';
const PUBLIC_KEY_ARN = 'arn:aws:ivs:us-west-2:123456789012:public-key/Zy9Xw8Vu7Ts6';
const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
const ENDPOINTS = { eventsUrl: 'wss://global.events.live-video.net', whipUrl: 'https://example.whip.live-video.net' };

async function messageOf(signing: () => unknown): Promise<string> {
  try {
    await signing();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the call to throw');
}

/** No run of the key's base64 body longer than a PEM header's worth of characters appears in `message`. */
function expectNoKeyMaterial(message: string): void {
  const body = pemBody(key.privateKeyPem).replace(/\s/g, '');
  for (let start = 0; start + 16 <= body.length; start += 8) {
    expect(message).not.toContain(body.slice(start, start + 16));
  }
  expect(message).toContain('not shown');
}

test.each([
  ['stageArn', { stageArn: key.privateKeyPem, publicKeyArn: PUBLIC_KEY_ARN, ...ENDPOINTS }],
  ['userId', { stageArn: STAGE_ARN, publicKeyArn: PUBLIC_KEY_ARN, ...ENDPOINTS, userId: key.privateKeyPem }],
  [
    'capabilities',
    { stageArn: STAGE_ARN, publicKeyArn: PUBLIC_KEY_ARN, ...ENDPOINTS, capabilities: key.privateKeyPem },
  ],
])('a private key as the participant claim %s is refused without being echoed', async (_, claims) => {
  expectNoKeyMaterial(await messageOf(() => signParticipantToken(key.privateKeyPem, claims as never)));
});

test.each([
  ['channelArn', { channelArn: key.privateKeyPem, expiresIn: 60 }],
  ['viewerId', { channelArn: CHANNEL_ARN, expiresIn: 60, viewerId: key.privateKeyPem }],
])('a private key as the playback claim %s is refused without being echoed', async (_, claims) => {
  expectNoKeyMaterial(await messageOf(() => signPlaybackToken(key.privateKeyPem, claims as never)));
});
