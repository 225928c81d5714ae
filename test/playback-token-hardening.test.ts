/**
 * Issue 21, items 13-15 and the first half of 17: what `./tokens` refuses so that it cannot fail open.
 *
 *  - 13: verify options that would turn the time checks off (NaN, "30s", an invalid Date) throw.
 *  - 14: only canonical base64url (no padding, no trailing bits, the right length) in every part, so one
 *        token has one spelling.
 *  - 15: `exp` bounds: signing refuses an expiry beyond the lifetime cap or the Date range; verifying
 *        refuses an `exp` no Date can hold.
 *  - 17: `aws:access-control-allow-origin` as a JSON array is refused (IVS documents a comma-separated string).
 */
import { createPrivateKey, KeyObject, sign } from 'node:crypto';
import { generatePlaybackKeyPair } from '../lib/backend/key-material';
import {
  PlaybackTokenClaims,
  PlaybackTokenError,
  signPlaybackToken,
  verifyPlaybackToken,
  VerifyPlaybackTokenOptions,
} from '../lib/backend/playback-token';

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh';
const keyPair = generatePlaybackKeyPair();
const privateKey = createPrivateKey(keyPair.privateKeyPem);
const HEADER = { alg: 'ES384', typ: 'JWT' };
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ 'aws:channel-arn': CHANNEL_ARN, exp: now() + 60, ...extra });

/** A token whose header and payload parts are written as given, correctly signed over exactly those parts. */
function signedOver(encodedHeader: string, encodedPayload: string, key: KeyObject = privateKey): string {
  const input = `${encodedHeader}.${encodedPayload}`;
  return `${input}.${b64(sign('sha384', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

const signed = (payload: object) => signedOver(b64(JSON.stringify(HEADER)), b64(JSON.stringify(payload)));

/**
 * The same bytes, spelled differently: the last character's unused low bits set. Decoders that ignore
 * those bits (Node's does) read the same bytes from both spellings.
 */
function withTrailingBits(part: string): string {
  const unusedBits = { 2: 4, 3: 2 }[(part.length % 4) as 2 | 3];
  if (!unusedBits) throw new Error(`a part of length ${part.length} has no unused bits`);
  const last = BASE64URL.indexOf(part.at(-1)!);
  return part.slice(0, -1) + BASE64URL[last | ((1 << unusedBits) - 1)];
}

/** The object with a `pad` claim long enough that its JSON's byte length modulo 3 is `remainder`. */
function withJsonLengthModThree(object: Record<string, unknown>, remainder: 0 | 1 | 2): Record<string, unknown> {
  for (let pad = ''; ; pad += 'x') {
    const candidate = { ...object, pad };
    if (Buffer.byteLength(JSON.stringify(candidate)) % 3 === remainder) return candidate;
  }
}

/** A JSON object whose base64url has unused bits (its length is not a multiple of 3 bytes). */
const withUnusedBits = (object: Record<string, unknown>) => withJsonLengthModThree(object, 1);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('13: verify options that are not valid throw, naming the option and what is allowed', () => {
  const expiredAYearAgo = () => signed(claims({ exp: now() - 365 * 86_400 }));

  test.each<[string, unknown, RegExp]>([
    ['NaN', Number.NaN, /got NaN$/],
    ['the string "30s"', '30s', /got "30s"$/],
    ['the string "30"', '30', /got "30"$/],
    ['a negative number', -1, /got -1$/],
    ['Infinity', Number.POSITIVE_INFINITY, /got Infinity$/],
  ])('clockToleranceSeconds %s', async (_, clockToleranceSeconds, got) => {
    const error = await rejection(
      verifyPlaybackToken(expiredAYearAgo(), keyPair.publicKeyPem, {
        clockToleranceSeconds,
      } as unknown as VerifyPlaybackTokenOptions),
    );
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(
      /^verifyPlaybackToken's option clockToleranceSeconds must be a finite number of seconds, 0 or more \(default 0\); /,
    );
    expect(error.message).toMatch(got);
  });

  test.each<[string, unknown, RegExp]>([
    ['an invalid Date', new Date('nonsense'), /got an invalid Date$/],
    ['a string', '2020-01-01T00:00:00Z', /got "2020-01-01T00:00:00Z"$/],
    ['a number of milliseconds', Date.now(), /got \d+$/],
    ['null', null, /got null$/],
  ])('currentDate %s', async (_, currentDate, got) => {
    const error = await rejection(
      verifyPlaybackToken(expiredAYearAgo(), keyPair.publicKeyPem, {
        currentDate,
      } as unknown as VerifyPlaybackTokenOptions),
    );
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(/^verifyPlaybackToken's option currentDate must be a valid Date \(default: now\); /);
    expect(error.message).toMatch(got);
  });

  test('options that are not an object', async () => {
    const error = await rejection(
      verifyPlaybackToken(expiredAYearAgo(), keyPair.publicKeyPem, 30 as unknown as VerifyPlaybackTokenOptions),
    );
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toBe(
      "verifyPlaybackToken's options must be an object such as { clockToleranceSeconds: 30 }; got 30",
    );
  });

  test('valid options still work: a fractional tolerance, a Date, and no options at all', async () => {
    const token = signed(claims({ exp: now() - 1 }));
    await expect(
      verifyPlaybackToken(token, keyPair.publicKeyPem, { clockToleranceSeconds: 30.5 }),
    ).resolves.toBeDefined();
    await expect(
      verifyPlaybackToken(token, keyPair.publicKeyPem, { currentDate: new Date((now() - 10) * 1000) }),
    ).resolves.toBeDefined();
    await expect(verifyPlaybackToken(signed(claims()), keyPair.publicKeyPem, undefined)).resolves.toBeDefined();
  });
});

describe('14: only canonical base64url verifies', () => {
  test('a signature with any one extra character appended (64 spellings of one token)', async () => {
    const token = signed(claims());
    await expect(verifyPlaybackToken(token, keyPair.publicKeyPem)).resolves.toBeDefined();
    for (const extra of BASE64URL) {
      const error = await rejection(verifyPlaybackToken(token + extra, keyPair.publicKeyPem));
      expect(error).toBeInstanceOf(PlaybackTokenError);
      expect(error.message).toMatch(
        /^Playback token rejected: its signature is not canonical base64url \(no padding, no unused bits set, no character more than its bytes need\)/,
      );
    }
  });

  test('a payload with non-zero trailing bits, though the signature covers that spelling', async () => {
    const payload = b64(JSON.stringify(withUnusedBits(claims())));
    const header = b64(JSON.stringify(HEADER));
    await expect(verifyPlaybackToken(signedOver(header, payload), keyPair.publicKeyPem)).resolves.toBeDefined();

    const error = await rejection(
      verifyPlaybackToken(signedOver(header, withTrailingBits(payload)), keyPair.publicKeyPem),
    );
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(/^Playback token rejected: its payload is not canonical base64url/);
  });

  test('a payload with one character more than its bytes need', async () => {
    // A whole number of 3-byte groups: one character more is ignored by a lenient decoder.
    const payload = b64(JSON.stringify(withJsonLengthModThree(claims(), 0)));
    expect(payload.length % 4).toBe(0);
    const header = b64(JSON.stringify(HEADER));
    const error = await rejection(verifyPlaybackToken(signedOver(header, `${payload}A`), keyPair.publicKeyPem));
    expect(error.message).toMatch(/^Playback token rejected: its payload is not canonical base64url/);
  });

  test('a header with non-zero trailing bits', async () => {
    const header = b64(JSON.stringify(withUnusedBits(HEADER)));
    const payload = b64(JSON.stringify(claims()));
    await expect(verifyPlaybackToken(signedOver(header, payload), keyPair.publicKeyPem)).resolves.toBeDefined();

    const error = await rejection(
      verifyPlaybackToken(signedOver(withTrailingBits(header), payload), keyPair.publicKeyPem),
    );
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(/^Playback token rejected: its header is not canonical base64url/);
  });

  test('padding, in any part', async () => {
    const header = b64(JSON.stringify(HEADER));
    const payload = b64(JSON.stringify(withUnusedBits(claims())));
    const padded = payload + '='.repeat(4 - (payload.length % 4));
    await expect(verifyPlaybackToken(signedOver(header, padded), keyPair.publicKeyPem)).rejects.toThrow(
      PlaybackTokenError,
    );
  });

  test('tokens from signPlaybackToken are canonical and verify', async () => {
    for (let i = 0; i < 20; i++) {
      const token = await signPlaybackToken(keyPair.privateKeyPem, {
        channelArn: CHANNEL_ARN,
        expiresIn: 60 + i,
        viewerId: 'v'.repeat(1 + i),
      });
      await expect(verifyPlaybackToken(token, keyPair.publicKeyPem)).resolves.toBeDefined();
    }
  });
});

describe('15: exp bounds', () => {
  const YEAR = 365 * 86_400;

  test.each<[string, Partial<PlaybackTokenClaims>, RegExp]>([
    [
      'expiresIn that is an absolute time by mistake (a 57-year token)',
      { expiresIn: 1_800_000_000 },
      /^exp would be 1800000000 seconds \(20833 days\) ahead, but a playback token may expire at most 31536000 seconds \(365 days\) ahead: expiresIn is seconds from now, not a time since the epoch$/,
    ],
    [
      'expiresIn that leaves the Date range',
      { expiresIn: 9_000_000_000_000_000 },
      /^exp would be 9000000000000000 seconds .* ahead, but a playback token may expire at most 31536000 seconds/,
    ],
    [
      'expiresIn one second over a year',
      { expiresIn: YEAR + 1 },
      /^exp would be 31536001 seconds \(365 days\) ahead, but a playback token may expire at most 31536000 seconds \(365 days\) ahead/,
    ],
    [
      'expiresAt at the end of the Date range',
      { expiresIn: undefined, expiresAt: new Date(8.64e15) },
      /^exp would be \d+ seconds \(\d+ days\) ahead, but a playback token may expire at most 31536000 seconds \(365 days\) ahead: expiresAt is a Date/,
    ],
  ])('signing refuses %s, naming exp', async (_, overrides, message) => {
    const error = await rejection(
      signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60, ...overrides } as never),
    );
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(message);
  });

  test('signing accepts a token that expires exactly a year ahead', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: YEAR });
    const { expiresAt } = await verifyPlaybackToken(token, keyPair.publicKeyPem);
    expect(expiresAt.getTime() / 1000 - now()).toBeGreaterThan(YEAR - 5);
  });

  test.each<[string, Record<string, unknown>]>([
    ['a viewer-id token with exp 1e16 (the 10-minute rule compared NaN)', { 'aws:viewer-id': 'v', exp: 1e16 }],
    ['a single-use token with exp 1e16', { 'aws:single-use-uuid': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', exp: 1e16 }],
    ['a plain token with exp 1e300', { exp: 1e300 }],
  ])('verifying refuses %s, naming exp', async (_, extra) => {
    const error = await rejection(verifyPlaybackToken(signed(claims(extra)), keyPair.publicKeyPem));
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(
      /^Playback token rejected: its "exp" claim is \d.* seconds since the epoch, beyond any date \(at most 8640000000000\)/,
    );
  });

  test('verifying still accepts an exp far ahead but within the Date range (IVS sets no cap)', async () => {
    const { expiresAt } = await verifyPlaybackToken(signed(claims({ exp: now() + 50 * YEAR })), keyPair.publicKeyPem);
    expect(expiresAt.getFullYear()).toBeGreaterThan(new Date().getFullYear() + 45);
  });
});

describe('17: aws:access-control-allow-origin as a JSON array', () => {
  test('verifying refuses it: IVS reads a comma-separated string', async () => {
    const token = signed(claims({ 'aws:access-control-allow-origin': ['https://a.example', 'https://b.example'] }));
    const error = await rejection(verifyPlaybackToken(token, keyPair.publicKeyPem));
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toBe(
      'The token\'s claim "aws:access-control-allow-origin" must be a string of one or more comma-separated origins ' +
        '(IVS reads a string, not a JSON array), such as "https://example.com,https://*.example.org"; ' +
        'got ["https://a.example","https://b.example"]',
    );
  });

  test('the string form verifies, and signing still takes an array and writes the string', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, {
      channelArn: CHANNEL_ARN,
      expiresIn: 60,
      accessControlAllowOrigin: ['https://a.example', 'https://b.example'],
    });
    expect(
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())['aws:access-control-allow-origin'],
    ).toBe('https://a.example,https://b.example');
    expect((await verifyPlaybackToken(token, keyPair.publicKeyPem)).accessControlAllowOrigin).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
