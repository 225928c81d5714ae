/**
 * The one IVS ARN parser (lib/shared/arn.ts), used by validation (playback-key ARNs, at synth and deploy time) and by
 * the token code (channel ARNs): every AWS partition IVS is or may be offered in, and nothing that is not an IVS ARN.
 */
import { App, Stack } from 'aws-cdk-lib';
import { PlaybackKeyPair } from '../lib';
import { parseIvsArn } from '../lib/shared/arn';
import { isPlaybackKeyPairArn } from '../lib/shared/validation';
import { generatePlaybackKeyPair, signPlaybackToken, verifyPlaybackToken } from '../lib/tokens';

const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'];
const REGION_OF: Record<string, string> = { 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };
const keyArn = (partition: string) =>
  `arn:${partition}:ivs:${REGION_OF[partition] ?? 'us-west-2'}:123456789012:playback-key/AbCd1234`;
const channelArn = (partition: string) =>
  `arn:${partition}:ivs:${REGION_OF[partition] ?? 'us-west-2'}:123456789012:channel/AbCdEfGh1234`;

describe('every partition', () => {
  test.each(PARTITIONS)('%s: a playback-key ARN and a channel ARN are parsed into their parts', (partition) => {
    const region = REGION_OF[partition] ?? 'us-west-2';
    expect(parseIvsArn(keyArn(partition), 'playback-key')).toEqual({
      partition,
      region,
      account: '123456789012',
      resource: 'playback-key',
      id: 'AbCd1234',
    });
    expect(parseIvsArn(channelArn(partition), 'channel')).toEqual({
      partition,
      region,
      account: '123456789012',
      resource: 'channel',
      id: 'AbCdEfGh1234',
    });
    expect(isPlaybackKeyPairArn(keyArn(partition))).toBe(true);
  });

  test.each(PARTITIONS)('%s: fromPlaybackKeyPairArn accepts the ARN at synth time', (partition) => {
    const stack = new Stack(new App(), 'Arns');
    expect(PlaybackKeyPair.fromPlaybackKeyPairArn(stack, 'Existing', keyArn(partition)).playbackKeyPairArn).toBe(
      keyArn(partition),
    );
  });

  test.each(['aws', 'aws-cn', 'aws-us-gov'])('%s: a viewer token names the channel and verifies', async (partition) => {
    const keys = generatePlaybackKeyPair();
    const token = await signPlaybackToken(keys.privateKeyPem, { channelArn: channelArn(partition), expiresIn: 60 });
    expect((await verifyPlaybackToken(token, keys.publicKeyPem)).channelArn).toBe(channelArn(partition));
  });
});

describe('anything else is not an IVS ARN of that type', () => {
  test.each([
    ['another resource type', channelArn('aws'), 'playback-key'],
    ['another resource type', keyArn('aws'), 'channel'],
    ["a partition that is not AWS's", 'arn:foo:ivs:us-west-2:123456789012:playback-key/AbCd1234', 'playback-key'],
    ['a partition with a suffix glued on', 'arn:awsx:ivs:us-west-2:123456789012:playback-key/AbCd1234', 'playback-key'],
    ['an upper-case partition', 'arn:AWS:ivs:us-west-2:123456789012:playback-key/AbCd1234', 'playback-key'],
    ['another service', 'arn:aws:kms:us-west-2:123456789012:playback-key/AbCd1234', 'playback-key'],
    ['an account of 11 digits', 'arn:aws:ivs:us-west-2:12345678901:playback-key/AbCd1234', 'playback-key'],
    ['no region', 'arn:aws:ivs::123456789012:playback-key/AbCd1234', 'playback-key'],
    ['no id', 'arn:aws:ivs:us-west-2:123456789012:playback-key/', 'playback-key'],
    ['an id with a slash', 'arn:aws:ivs:us-west-2:123456789012:playback-key/AbCd/1234', 'playback-key'],
    ['text after the ARN', `${keyArn('aws')} `, 'playback-key'],
    ['the id CloudFormation makes up after a lost answer', 'Stack-Key-1A2B3C4D5E6F', 'playback-key'],
  ] as const)('%s: %s', (_why, value, resource) => {
    expect(parseIvsArn(value, resource)).toBeUndefined();
    if (resource === 'playback-key') expect(isPlaybackKeyPairArn(value)).toBe(false);
  });

  test('a viewer token for a non-AWS partition is refused with the form of a channel ARN', async () => {
    const keys = generatePlaybackKeyPair();
    await expect(
      signPlaybackToken(keys.privateKeyPem, {
        channelArn: 'arn:foo:ivs:us-west-2:123456789012:channel/AbCd',
        expiresIn: 60,
      }),
    ).rejects.toThrow('must be an IVS channel ARN of the form arn:<partition>:ivs:<region>:<account>:channel/<id>');
  });
});
