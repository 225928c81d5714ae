/**
 * verifyPlaybackToken on node:crypto refuses what jose's jwtVerify refused: other algorithms
 * (`none`, HS384 keyed with the public key, ES256, ES512), other curves, tampered, expired and
 * not-yet-valid tokens, and the wrong key; and its tokens interoperate with jose both ways.
 * Also: parsed keys are cached by PEM, boundedly, and a bad key is never cached.
 */
import { createHmac, createPublicKey, createPrivateKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { importSPKI, jwtVerify, SignJWT } from 'jose';
import { ENCODED_ES384_HEADER, ES384_HEADER_JSON } from '../lib/backend/es384-jwt';
import { generatePlaybackKeyPair } from '../lib/backend/key-material';
import { PlaybackTokenError, signPlaybackToken, verifyPlaybackToken } from '../lib/backend/playback-token';
import { PlaybackKeyPairValidationError } from '../lib/shared/validation';

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh';
const keyPair = generatePlaybackKeyPair();
const privateKey = createPrivateKey(keyPair.privateKeyPem);

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const json = (value: unknown) => b64(JSON.stringify(value));
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ 'aws:channel-arn': CHANNEL_ARN, exp: now() + 60, ...extra });

/** A token with any header, signed over header.payload with ECDSA (P1363) by `key`, or with the signature given. */
function forge(header: object, payload: object, key: KeyObject = privateKey, hash = 'sha384'): string {
  const input = `${json(header)}.${json(payload)}`;
  return `${input}.${b64(sign(hash, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

async function rejection(token: string, key: string | KeyObject = keyPair.publicKeyPem, options = {}): Promise<Error> {
  try {
    await verifyPlaybackToken(token, key, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the token to be rejected');
}

const ALG_NOT_ES384 = 'Playback token rejected: its header alg is not ES384, the only algorithm IVS accepts';
const NO_MATCH =
  'Playback token rejected: its signature does not match the given key; it must be signed with ES384 by the private half of that key pair';

test('the header written out equals the encoded IVS header', () => {
  expect(ENCODED_ES384_HEADER).toBe(b64(ES384_HEADER_JSON));
  expect(JSON.parse(ES384_HEADER_JSON)).toEqual({ alg: 'ES384', typ: 'JWT' });
});

describe('verifyPlaybackToken refuses', () => {
  test('alg "none", with an empty or a made-up signature', async () => {
    const unsigned = `${json({ alg: 'none', typ: 'JWT' })}.${json(claims())}`;
    expect((await rejection(`${unsigned}.`)).message).toMatch(
      /^Playback token rejected: it is not a compact JWS .*A playback token is a compact JWT/,
    );
    expect((await rejection(`${unsigned}.AAAA`)).message).toBe(ALG_NOT_ES384);
  });

  test('HS384 keyed with the public key (the key-confusion attack)', async () => {
    for (const secret of [
      keyPair.publicKeyPem,
      createPublicKey(keyPair.publicKeyPem).export({ type: 'spki', format: 'der' }),
    ]) {
      const input = `${json({ alg: 'HS384', typ: 'JWT' })}.${json(claims())}`;
      const token = `${input}.${b64(createHmac('sha384', secret).update(input).digest())}`;
      const error = await rejection(token);
      expect(error).toBeInstanceOf(PlaybackTokenError);
      expect(error.message).toBe(ALG_NOT_ES384);
    }
  });

  test('ES384 in the header over another curve, and the other ECDSA algorithms', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const p521 = generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).privateKey;
    expect((await rejection(forge({ alg: 'ES384', typ: 'JWT' }, claims(), p256))).message).toBe(NO_MATCH);
    expect((await rejection(forge({ alg: 'ES384', typ: 'JWT' }, claims(), p521, 'sha512'))).message).toBe(NO_MATCH);
    expect((await rejection(forge({ alg: 'ES256', typ: 'JWT' }, claims(), p256, 'sha256'))).message).toBe(
      ALG_NOT_ES384,
    );
    expect((await rejection(forge({ alg: 'ES512', typ: 'JWT' }, claims(), p521, 'sha512'))).message).toBe(
      ALG_NOT_ES384,
    );
    // The right key and curve, but a header that names another algorithm.
    expect((await rejection(forge({ alg: 'ES256', typ: 'JWT' }, claims()))).message).toBe(ALG_NOT_ES384);
  });

  test('a DER-encoded signature, and a signature of the wrong length', async () => {
    const input = `${ENCODED_ES384_HEADER}.${json(claims())}`;
    const der = sign('sha384', Buffer.from(input), privateKey);
    expect((await rejection(`${input}.${b64(der)}`)).message).toBe(NO_MATCH);
    const p1363 = sign('sha384', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect((await rejection(`${input}.${b64(Buffer.concat([p1363, Buffer.from([0])]))}`)).message).toBe(NO_MATCH);
    await expect(verifyPlaybackToken(`${input}.${b64(p1363)}`, keyPair.publicKeyPem)).resolves.toMatchObject({
      channelArn: CHANNEL_ARN,
    });
  });

  test('a tampered header, payload or signature', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    const [header, payload, signature] = token.split('.');
    const flipped = Buffer.from(signature, 'base64url');
    flipped[10] ^= 1;
    for (const tampered of [
      `${json({ alg: 'ES384', typ: 'JWT', kid: 'x' })}.${payload}.${signature}`,
      `${header}.${json({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), 'aws:viewer-id': 'someone' })}.${signature}`,
      `${header}.${payload}.${b64(flipped)}`,
    ]) {
      expect((await rejection(tampered)).message).toBe(NO_MATCH);
    }
  });

  test('the wrong key, and a key that is not P-384', async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    expect((await rejection(token, generatePlaybackKeyPair().publicKeyPem)).message).toBe(NO_MATCH);
    const p256Public = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    expect(await rejection(token, p256Public)).toBeInstanceOf(PlaybackKeyPairValidationError);
  });

  test('an expired token (exp now), and a token not valid yet (nbf ahead), each within the clock tolerance', async () => {
    const expired = forge({ alg: 'ES384', typ: 'JWT' }, claims({ exp: now() }));
    expect((await rejection(expired)).message).toMatch(
      /^Playback token rejected: it expired at .*; exp must be in the future$/,
    );
    await expect(
      verifyPlaybackToken(expired, keyPair.publicKeyPem, { clockToleranceSeconds: 5 }),
    ).resolves.toBeDefined();

    const early = forge({ alg: 'ES384', typ: 'JWT' }, claims({ nbf: now() + 30 }));
    expect((await rejection(early)).message).toMatch(
      /^Playback token rejected: it is not valid before \d{4}-.*Z \(its "nbf" claim\)$/,
    );
    await expect(
      verifyPlaybackToken(early, keyPair.publicKeyPem, { clockToleranceSeconds: 60 }),
    ).resolves.toBeDefined();
  });

  test.each<[string, object, object, RegExp]>([
    [
      'a crit extension',
      { alg: 'ES384', typ: 'JWT', crit: ['b64'], b64: false },
      claims(),
      /its header has "crit" extensions/,
    ],
    ['another typ', { alg: 'ES384', typ: 'JOSE' }, claims(), /its header typ is "JOSE", not "JWT"/],
    [
      'a payload that is an array',
      { alg: 'ES384', typ: 'JWT' },
      [CHANNEL_ARN],
      /its payload is not a base64url-encoded JSON object/,
    ],
    [
      'an exp that is a string',
      { alg: 'ES384', typ: 'JWT' },
      claims({ exp: String(now() + 60) }),
      /its "exp" claim is not a number/,
    ],
    ['an nbf that is a string', { alg: 'ES384', typ: 'JWT' }, claims({ nbf: '0' }), /its "nbf" claim is not a number/],
  ])('a correctly signed token with %s', async (_, header, payload, message) => {
    const error = await rejection(forge(header, payload));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(
      /A playback token is a compact JWT with header \{"alg":"ES384","typ":"JWT"\} and a numeric exp claim$/,
    );
  });

  test('a header that is not JSON', async () => {
    expect((await rejection(`${b64('{alg')}.${json(claims())}.AAAA`)).message).toMatch(
      /its header is not a base64url-encoded JSON object/,
    );
  });
});

describe('interoperates with jose', () => {
  test("jose's jwtVerify (ES384 only, typ JWT) accepts our tokens", async () => {
    const token = await signPlaybackToken(keyPair.privateKeyPem, {
      channelArn: CHANNEL_ARN,
      expiresIn: 60,
      viewerId: 'v',
    });
    const { payload, protectedHeader } = await jwtVerify(token, await importSPKI(keyPair.publicKeyPem, 'ES384'), {
      algorithms: ['ES384'],
      typ: 'JWT',
      requiredClaims: ['exp'],
    });
    expect(protectedHeader).toEqual({ alg: 'ES384', typ: 'JWT' });
    expect(payload).toMatchObject({ 'aws:channel-arn': CHANNEL_ARN, 'aws:viewer-id': 'v' });
  });

  test("we accept jose's tokens, typ in any of the forms jose accepts", async () => {
    for (const typ of ['JWT', 'jwt', 'application/jwt']) {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES384', typ }).sign(privateKey);
      await expect(verifyPlaybackToken(token, keyPair.publicKeyPem)).resolves.toMatchObject({
        channelArn: CHANNEL_ARN,
      });
    }
  });
});

describe('parsed keys', () => {
  // The module object itself (not an import's interop copy), whose functions lib/ looks up at each call.
  const crypto: typeof import('node:crypto') = require('node:crypto');
  afterEach(() => jest.restoreAllMocks());

  test('a PEM is parsed once for many tokens and verifications', async () => {
    const fresh = generatePlaybackKeyPair();
    const parsePrivate = jest.spyOn(crypto, 'createPrivateKey');
    const parsePublic = jest.spyOn(crypto, 'createPublicKey');
    for (let i = 0; i < 20; i++) {
      await verifyPlaybackToken(
        await signPlaybackToken(fresh.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 }),
        fresh.publicKeyPem,
      );
    }
    // Signing: createPrivateKey once. Verifying: createPrivateKey fails once on the public PEM, createPublicKey once.
    expect(parsePrivate).toHaveBeenCalledTimes(2);
    expect(parsePublic).toHaveBeenCalledTimes(1);
  });

  test('the cache is bounded: after many other keys, the first is parsed again', async () => {
    const keys = Array.from({ length: 17 }, () => generatePlaybackKeyPair());
    for (const key of keys) await signPlaybackToken(key.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    const parsePrivate = jest.spyOn(crypto, 'createPrivateKey');
    await signPlaybackToken(keys[16].privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    expect(parsePrivate).not.toHaveBeenCalled();
    await signPlaybackToken(keys[0].privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 60 });
    expect(parsePrivate).toHaveBeenCalledTimes(1);
  });

  test('a key that fails its checks fails every time (it is never cached)', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    for (let i = 0; i < 2; i++) {
      await expect(signPlaybackToken(p256, { channelArn: CHANNEL_ARN, expiresIn: 60 })).rejects.toThrow(
        /got an EC key on curve prime256v1/,
      );
    }
  });
});
