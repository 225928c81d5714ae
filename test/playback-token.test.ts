import { createPrivateKey, generateKeyPairSync, verify } from 'node:crypto';
import { SignJWT } from 'jose';
import { generatePlaybackKeyPair } from '../lib/backend/key-material';
import {
  PlaybackTokenClaims,
  PlaybackTokenError,
  playbackUrlWithToken,
  signPlaybackToken,
  verifyPlaybackToken,
} from '../lib/backend/playback-token';
import { PlaybackKeyPairValidationError } from '../lib/shared/validation';

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh';
const UUID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const keyPair = generatePlaybackKeyPair();
const otherKeyPairs = [generatePlaybackKeyPair(), generatePlaybackKeyPair()];

function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** An expiry `seconds` ahead, with milliseconds that signing must drop. */
function secondsAhead(seconds: number): { date: Date; exp: number } {
  const exp = nowInSeconds() + seconds;
  return { date: new Date(exp * 1000 + 999), exp };
}

function decodePart(token: string, index: 0 | 1): unknown {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Signs arbitrary claims and header with jose, for tokens signPlaybackToken would never produce. */
function signRaw(
  payload: Record<string, unknown>,
  header: { alg: string; typ?: string } = { alg: 'ES384', typ: 'JWT' },
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(createPrivateKey(keyPair.privateKeyPem));
}

describe('signPlaybackToken', () => {
  test('writes exactly the IVS header', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });

    expect(token.split('.')[0]).toBe(Buffer.from('{"alg":"ES384","typ":"JWT"}').toString('base64url'));
    expect(decodePart(token, 0)).toEqual({ alg: 'ES384', typ: 'JWT' });
  });

  test('signs with standard ES384 (SHA-384, raw r||s signature) over header.payload', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    const [header, payload, signature] = token.split('.');
    const signed = Buffer.from(`${header}.${payload}`);
    const signatureBytes = Buffer.from(signature, 'base64url');

    expect(signatureBytes).toHaveLength(96);
    expect(verify('sha384', signed, { key: keyPair.publicKeyPem, dsaEncoding: 'ieee-p1363' }, signatureBytes)).toBe(
      true,
    );
    expect(
      verify('sha384', signed, { key: otherKeyPairs[0].publicKeyPem, dsaEncoding: 'ieee-p1363' }, signatureBytes),
    ).toBe(false);
  });

  test('writes only the channel and exp when nothing else is asked for (no iat)', async () => {
    const expiry = secondsAhead(300);
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresAt: expiry.date });

    expect(decodePart(token, 1)).toEqual({ 'aws:channel-arn': CHANNEL_ARN, exp: expiry.exp });
  });

  test('maps every property to its IVS claim', async () => {
    const expiry = secondsAhead(600);
    const token = await signPlaybackToken(keyPair.privateKeyPem, {
      channelArn: CHANNEL_ARN,
      expiresAt: expiry.date,
      accessControlAllowOrigin: ['https://example.com', 'https://*.example.org'],
      strictOriginEnforcement: true,
      singleUseUuid: UUID,
      viewerId: 'viewer-1',
      viewerSessionVersion: 3,
    });

    expect(decodePart(token, 1)).toEqual({
      'aws:channel-arn': CHANNEL_ARN,
      'aws:access-control-allow-origin': 'https://example.com,https://*.example.org',
      'aws:strict-origin-enforcement': true,
      'aws:single-use-uuid': UUID,
      'aws:viewer-id': 'viewer-1',
      'aws:viewer-session-version': 3,
      exp: expiry.exp,
    });
  });

  test('sets exp to expiresIn seconds from now', async () => {
    const before = nowInSeconds();
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 90 });
    const { exp } = decodePart(token, 1) as { exp: number };

    expect(exp).toBeGreaterThanOrEqual(before + 90);
    expect(exp).toBeLessThanOrEqual(nowInSeconds() + 90);
  });

  test.each<[string, Partial<PlaybackTokenClaims>, string]>([
    [
      'a comma-separated string, trimmed',
      { accessControlAllowOrigin: 'https://a.example, https://b.example' },
      'https://a.example,https://b.example',
    ],
    [
      'six origins without strict enforcement',
      { accessControlAllowOrigin: ['1', '2', '3', '4', '5', '6'].map((n) => `https://${n}.example`) },
      'https://1.example,https://2.example,https://3.example,https://4.example,https://5.example,https://6.example',
    ],
    [
      'five origins with strict enforcement',
      {
        accessControlAllowOrigin: ['1', '2', '3', '4', '5'].map((n) => `https://${n}.example`),
        strictOriginEnforcement: true,
      },
      'https://1.example,https://2.example,https://3.example,https://4.example,https://5.example',
    ],
  ])('accepts origins as %s', async (_, claims, expected) => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60, ...claims });

    expect(decodePart(token, 1)).toMatchObject({ 'aws:access-control-allow-origin': expected });
  });

  test('allows a single-viewer token to expire exactly 10 minutes ahead', async () => {
    const before = nowInSeconds();
    const token = await signPlaybackToken(keyPair.privateKeyPem, {
      channelArn: CHANNEL_ARN,
      expiresIn: 600,
      viewerId: 'v',
    });

    const claims = decodePart(token, 1) as { exp: number; 'aws:viewer-id': string };
    expect(claims['aws:viewer-id']).toBe('v');
    expect(claims.exp - before).toBeGreaterThanOrEqual(600);
    expect(claims.exp - nowInSeconds()).toBeLessThanOrEqual(600);
  });

  test('accepts the key as a KeyObject and in SEC1 form', async () => {
    const privateKey = createPrivateKey(keyPair.privateKeyPem);
    const sec1Pem = privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    for (const key of [privateKey, sec1Pem]) {
      const token = await signPlaybackToken(key, { channelArn: CHANNEL_ARN, expiresIn: 60 });
      await expect(verifyPlaybackToken(token, keyPair.publicKeyPem)).resolves.toMatchObject({
        channelArn: CHANNEL_ARN,
      });
    }
  });

  describe('rejects claims IVS would not accept, naming the allowed values', () => {
    const base: PlaybackTokenClaims = { channelArn: CHANNEL_ARN, expiresIn: 60 };
    const channelArnForm = 'must be an IVS channel ARN of the form arn:<partition>:ivs:<region>:<account>:channel/<id>';
    const origins = (count: number) => Array.from({ length: count }, (_, n) => `https://${n}.example`);

    test.each<[string, Record<string, unknown>, RegExp]>([
      [
        'a playback key ARN',
        { channelArn: 'arn:aws:ivs:us-west-2:123456789012:playback-key/abcdABCDefgh' },
        new RegExp(
          `^channelArn ${escape(channelArnForm)}; got ".*playback-key/abcdABCDefgh" \\(that is a playback key ARN; the token names the channel, not the key\\)$`,
        ),
      ],
      [
        'a stage ARN',
        { channelArn: 'arn:aws:ivs:us-west-2:123456789012:stage/abcd' },
        new RegExp(`channelArn ${escape(channelArnForm)}; got "arn:aws:ivs:us-west-2:123456789012:stage/abcd"$`),
      ],
      [
        'a missing channel',
        { channelArn: undefined },
        new RegExp(`channelArn ${escape(channelArnForm)}; got undefined`),
      ],
      [
        'no expiry',
        { expiresIn: undefined },
        /^Set exactly one of expiresAt \(a Date\) and expiresIn \(seconds from now\); got neither$/,
      ],
      ['two expiries', { expiresAt: new Date(Date.now() + 60_000) }, /^Set exactly one of expiresAt .* got both$/],
      ['expiresIn 0', { expiresIn: 0 }, /^expiresIn must be a whole number of seconds greater than 0; got 0$/],
      ['a negative expiresIn', { expiresIn: -5 }, /expiresIn must be a whole number of seconds greater than 0; got -5/],
      [
        'a fractional expiresIn',
        { expiresIn: 1.5 },
        /expiresIn must be a whole number of seconds greater than 0; got 1.5/,
      ],
      [
        'an expiresAt in the past',
        { expiresIn: undefined, expiresAt: new Date('2020-01-01T00:00:00Z') },
        /^expiresAt must be at least 1 second in the future; got 2020-01-01T00:00:00.000Z, which is \d+ seconds before now$/,
      ],
      [
        'an invalid Date',
        { expiresIn: undefined, expiresAt: new Date('nonsense') },
        /^expiresAt must be a valid Date in the future; got an invalid Date$/,
      ],
      [
        'an expiresAt that is not a Date',
        { expiresIn: undefined, expiresAt: '2030-01-01' },
        /expiresAt must be a valid Date in the future; got "2030-01-01"/,
      ],
      [
        'a viewer id of 41 characters',
        { viewerId: 'v'.repeat(41) },
        /^viewerId must be a string of 1 to 40 characters; got "v{41}" \(41 characters\)$/,
      ],
      [
        'an empty viewer id',
        { viewerId: '' },
        /viewerId must be a string of 1 to 40 characters; got "" \(0 characters\)/,
      ],
      [
        'a single-use id that is not a UUID',
        { singleUseUuid: 'token-1' },
        /^singleUseUuid must be a UUID such as ".*" \(use crypto.randomUUID\(\)\); got "token-1"$/,
      ],
      [
        'a negative session version',
        { viewerSessionVersion: -1 },
        /^viewerSessionVersion must be a whole number >= 0; got -1$/,
      ],
      [
        'a fractional session version',
        { viewerSessionVersion: 1.5 },
        /viewerSessionVersion must be a whole number >= 0; got 1.5/,
      ],
      [
        'six origins with strict enforcement',
        { accessControlAllowOrigin: origins(6), strictOriginEnforcement: true },
        /^accessControlAllowOrigin lists 6 origins, but with strict origin enforcement IVS allows at most 5$/,
      ],
      [
        'six origins in one string with strict enforcement',
        { accessControlAllowOrigin: origins(6).join(','), strictOriginEnforcement: true },
        /lists 6 origins.*at most 5/,
      ],
      [
        'no origins',
        { accessControlAllowOrigin: [] },
        /^accessControlAllowOrigin must list one or more origins such as "https:\/\/example.com" .*; got \[\]$/,
      ],
      [
        'an empty origin',
        { accessControlAllowOrigin: 'https://a.example,,https://b.example' },
        /accessControlAllowOrigin must list one or more origins.*no empty entries/,
      ],
      [
        'two origins in one array entry',
        { accessControlAllowOrigin: ['https://a.example,https://b.example'] },
        /accessControlAllowOrigin must list one or more origins.*no spaces or commas inside an origin/,
      ],
      [
        'a strict flag that is not a boolean',
        { strictOriginEnforcement: 'yes' },
        /^strictOriginEnforcement must be true or false; got "yes"$/,
      ],
      [
        'a viewer id with an expiry 601 seconds ahead',
        { viewerId: 'v', expiresIn: 601 },
        /^A token with singleUseUuid or viewerId may expire at most 600 seconds \(10 minutes\) ahead; this one would expire 601 seconds ahead$/,
      ],
      [
        'a single-use id with an expiry 11 minutes ahead',
        { singleUseUuid: UUID, expiresIn: undefined, expiresAt: new Date(Date.now() + 11 * 60_000) },
        // The Date is made when the table is built: a loaded machine may take seconds to reach this test.
        /may expire at most 600 seconds \(10 minutes\) ahead; this one would expire (6[1-5]\d|660) seconds ahead/,
      ],
    ])('%s', async (_, overrides, message) => {
      const error = await rejection(
        signPlaybackToken(keyPair.privateKeyPem, { ...base, ...overrides } as unknown as PlaybackTokenClaims),
      );

      expect(error).toBeInstanceOf(PlaybackTokenError);
      expect(error.message).toMatch(message);
    });

    test('claims that are not an object', async () => {
      const error = await rejection(signPlaybackToken(keyPair.privateKeyPem, null as unknown as PlaybackTokenClaims));
      expect(error.message).toMatch(
        /^claims must be an object with at least channelArn and expiresAt or expiresIn; got null$/,
      );
    });
  });

  describe('rejects signing keys other than a P-384 private key, never quoting the key', () => {
    const allowed =
      /^The signing key passed to signPlaybackToken must be an ECDSA P-384 \(secp384r1\) private key as a PEM string or KeyObject; got /;
    const pem = (type: 'ec' | 'rsa', options: object) =>
      generateKeyPairSync(
        type as 'ec',
        {
          ...options,
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        } as never,
      ) as unknown as { privateKey: string; publicKey: string };

    test.each<[string, () => string, RegExp]>([
      [
        'the public half',
        () => keyPair.publicKeyPem,
        /got a public key; sign with the private half \(private.pem\), not public.pem\.$/,
      ],
      [
        'a P-256 private key',
        () => pem('ec', { namedCurve: 'prime256v1' }).privateKey,
        /got an EC key on curve prime256v1 \(P-256\)\.$/,
      ],
      ['an RSA private key', () => pem('rsa', { modulusLength: 1024 }).privateKey, /got an RSA key\.$/],
      [
        'text that is not a key',
        () => keyPair.privateKeyPem.replace('-----BEGIN PRIVATE KEY-----\n', '-----BEGIN PRIVATE KEY-----\n#'),
        /got text that could not be parsed as a PEM key\.$/,
      ],
    ])('%s', async (_, key, found) => {
      const keyText = key();
      const error = await rejection(signPlaybackToken(keyText, { channelArn: CHANNEL_ARN, expiresIn: 60 }));

      expect(error).toBeInstanceOf(PlaybackKeyPairValidationError);
      expect(error.message).toMatch(allowed);
      expect(error.message).toMatch(found);
      expect(error.message).not.toContain(pemBody(keyText));
      expect(error.message).not.toContain(keyText.split('\n')[1]);
    });
  });
});

describe('verifyPlaybackToken', () => {
  test('returns the typed claims of a token signed with the matching key', async () => {
    const expiry = secondsAhead(300);
    const token = await signPlaybackToken(keyPair.privateKeyPem, {
      channelArn: CHANNEL_ARN,
      expiresAt: expiry.date,
      accessControlAllowOrigin: 'https://example.com,https://*.example.org',
      strictOriginEnforcement: false,
      singleUseUuid: UUID,
      viewerId: 'viewer-1',
      viewerSessionVersion: 0,
    });

    await expect(verifyPlaybackToken(token, keyPair.publicKeyPem)).resolves.toStrictEqual({
      channelArn: CHANNEL_ARN,
      expiresAt: new Date(expiry.exp * 1000),
      accessControlAllowOrigin: ['https://example.com', 'https://*.example.org'],
      strictOriginEnforcement: false,
      singleUseUuid: UUID,
      viewerId: 'viewer-1',
      viewerSessionVersion: 0,
    });
  });

  test('leaves out the claims the token does not have', async () => {
    const expiry = secondsAhead(60);
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresAt: expiry.date });

    await expect(verifyPlaybackToken(token, keyPair.publicKeyPem)).resolves.toStrictEqual({
      channelArn: CHANNEL_ARN,
      expiresAt: new Date(expiry.exp * 1000),
    });
  });

  test('rejects a single-viewer token that lives longer than IVS allows, even with a valid signature', async () => {
    const token = await signRaw({
      'aws:channel-arn': CHANNEL_ARN,
      'aws:viewer-id': 'viewer-1',
      exp: nowInSeconds() + 3600,
    });

    const error = await rejection(verifyPlaybackToken(token, keyPair.publicKeyPem));
    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(
      /^A token with singleUseUuid or viewerId may expire at most 600 seconds \(10 minutes\) ahead; this one would expire 3[56]\d\d seconds ahead$/,
    );
  });

  test('accepts the private half in place of the public one', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });

    await expect(verifyPlaybackToken(token, keyPair.privateKeyPem)).resolves.toMatchObject({ channelArn: CHANNEL_ARN });
  });

  test('fails with every other P-384 key, without quoting the token', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });

    for (const other of otherKeyPairs) {
      const error = await rejection(verifyPlaybackToken(token, other.publicKeyPem));
      expect(error).toBeInstanceOf(PlaybackTokenError);
      expect(error.message).toBe(
        'Playback token rejected: its signature does not match the given key; ' +
          'it must be signed with ES384 by the private half of that key pair',
      );
      expect(error.message).not.toContain(token.split('.')[2]);
    }
  });

  test('fails for a token whose claims were changed after signing', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ 'aws:channel-arn': CHANNEL_ARN, exp: nowInSeconds() + 86_400 }),
    ).toString('base64url');

    await expect(verifyPlaybackToken(`${header}.${forgedPayload}.${signature}`, keyPair.publicKeyPem)).rejects.toThrow(
      /signature does not match/,
    );
  });

  test('fails once the token has expired, allowing the given clock tolerance', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    const later = new Date(Date.now() + 120_000);

    await expect(verifyPlaybackToken(token, keyPair.publicKeyPem, { currentDate: later })).rejects.toThrow(
      /^Playback token rejected: it expired at \d{4}-\d\d-\d\dT[\d:.]+Z; exp must be in the future$/,
    );
    await expect(
      verifyPlaybackToken(token, keyPair.publicKeyPem, { currentDate: later, clockToleranceSeconds: 120 }),
    ).resolves.toBeDefined();
  });

  test.each<[string, () => Promise<string>, RegExp]>([
    [
      'another algorithm',
      async () => {
        const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
        return new SignJWT({ 'aws:channel-arn': CHANNEL_ARN, exp: nowInSeconds() + 60 })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
          .sign(p256);
      },
      /^Playback token rejected: its header alg is not ES384, the only algorithm IVS accepts$/,
    ],
    [
      'no typ header',
      () => signRaw({ 'aws:channel-arn': CHANNEL_ARN, exp: nowInSeconds() + 60 }, { alg: 'ES384' }),
      /typ.*header \{"alg":"ES384","typ":"JWT"\}/,
    ],
    ['no exp', () => signRaw({ 'aws:channel-arn': CHANNEL_ARN }), /"exp" claim.*numeric exp claim/],
    [
      'no channel',
      () => signRaw({ exp: nowInSeconds() + 60 }),
      /^The token's claim "aws:channel-arn" must be an IVS channel ARN of the form .*; got undefined$/,
    ],
    [
      'a playback key ARN',
      () =>
        signRaw({ 'aws:channel-arn': 'arn:aws:ivs:us-west-2:123456789012:playback-key/abc', exp: nowInSeconds() + 60 }),
      /The token's claim "aws:channel-arn" must be an IVS channel ARN.*that is a playback key ARN/,
    ],
    [
      'a viewer id that is too long',
      () => signRaw({ 'aws:channel-arn': CHANNEL_ARN, exp: nowInSeconds() + 60, 'aws:viewer-id': 'v'.repeat(41) }),
      /The token's claim "aws:viewer-id" must be a string of 1 to 40 characters/,
    ],
    [
      'a session version that is a string',
      () => signRaw({ 'aws:channel-arn': CHANNEL_ARN, exp: nowInSeconds() + 60, 'aws:viewer-session-version': '1' }),
      /The token's claim "aws:viewer-session-version" must be a whole number >= 0; got "1"/,
    ],
    [
      'something that is not a JWT',
      async () => 'not-a-token',
      /^Playback token rejected: .*A playback token is a compact JWT/,
    ],
  ])('fails for a token with %s', async (_, makeToken, message) => {
    const error = await rejection(verifyPlaybackToken(await makeToken(), keyPair.publicKeyPem));

    expect(error).toBeInstanceOf(PlaybackTokenError);
    expect(error.message).toMatch(message);
  });

  test('rejects a verification key that is not P-384, never quoting it', async () => {
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    const error = await rejection(verifyPlaybackToken(token, publicKey));

    expect(error).toBeInstanceOf(PlaybackKeyPairValidationError);
    expect(error.message).toBe(
      'The verification key passed to verifyPlaybackToken must be an ECDSA P-384 (secp384r1) public or private key ' +
        'as a PEM string or KeyObject; got an RSA key.',
    );
  });
});

describe('playbackUrlWithToken', () => {
  const token = 'eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9.eyJleHAiOjF9.c2ln-_';
  const base = 'https://abc.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.abcd.m3u8';

  test.each([
    ['no query', base, `${base}?token=${token}`],
    ['an empty query', `${base}?`, `${base}?token=${token}`],
    ['a query', `${base}?player=web&note=a%20b`, `${base}?player=web&note=a%20b&token=${token}`],
    ['a fragment', `${base}#live`, `${base}?token=${token}#live`],
    ['a query and a fragment', `${base}?player=web#live`, `${base}?player=web&token=${token}#live`],
    ['an old token', `${base}?token=old&player=web#live`, `${base}?player=web&token=${token}#live`],
  ])('adds the token to a URL with %s', (_, url, expected) => {
    expect(playbackUrlWithToken(url, token)).toBe(expected);
  });

  test('works with a real token', async () => {
    const signed = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });

    expect(new URL(playbackUrlWithToken(base, signed)).searchParams.get('token')).toBe(signed);
  });

  test('rejects a relative URL', () => {
    expect(() => playbackUrlWithToken('/api/video/v1/x.m3u8', token)).toThrow(
      /^playbackUrl must be an absolute URL such as the channel's playbackUrl \(https:\/\/<id>.*; got "\/api\/video\/v1\/x.m3u8"$/,
    );
  });

  test('rejects a token that is not a compact JWT, without quoting it', () => {
    const notAToken = 'secret value&x=1';
    expect(() => playbackUrlWithToken(base, notAToken)).toThrow(PlaybackTokenError);
    expect(() => playbackUrlWithToken(base, notAToken)).toThrow(
      /^token must be a compact JWT \(three base64url parts joined by dots\), as returned by signPlaybackToken$/,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
