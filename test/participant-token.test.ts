/**
 * signParticipantToken and verifyParticipantToken: the exact header and claim set, every refusal on signing, a
 * verification as strict as verifyPlaybackToken's, and interoperation with node:crypto, jose and PyJWT both ways.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import * as path from 'node:path';
import { importSPKI, jwtVerify, SignJWT, importPKCS8 } from 'jose';
import {
  ParticipantTokenClaims,
  ParticipantTokenError,
  signParticipantToken,
  verifyParticipantToken,
} from '../lib/backend/participant-token';
import { PlaybackKeyPairValidationError } from '../lib/shared/validation-error';
import { p384, pemBody, wrongKeys } from './support/keys';

const ROOT = path.resolve(__dirname, '..');
const PYTHON = path.join(ROOT, 'tools', 'python', '.venv', 'bin', 'python');

const STAGE_ARN = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdEfGh1234';
const PUBLIC_KEY_ARN = 'arn:aws:ivs:us-west-2:123456789012:public-key/Zy9Xw8Vu7Ts6';
const EVENTS_URL = 'wss://global.events.live-video.net';
const WHIP_URL = 'https://f99084460c35.global-bm.whip.live-video.net';
const CLAIMS: ParticipantTokenClaims = {
  stageArn: STAGE_ARN,
  publicKeyArn: PUBLIC_KEY_ARN,
  eventsUrl: EVENTS_URL,
  whipUrl: WHIP_URL,
};

const key = p384();
const other = p384();
const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const now = () => Math.floor(Date.now() / 1000);

/** A token over exactly this header and payload, correctly signed by `privateKey`. */
function signedOver(header: object, payload: object, privateKey: KeyObject = key.privateKey): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${b64(sign('sha384', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
}

const HEADER = { alg: 'ES384', typ: 'JWT', kid: PUBLIC_KEY_ARN };
function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = now();
  return {
    exp: iat + 600,
    iat,
    jti: 'participant-1',
    resource: STAGE_ARN,
    topic: 'AbCdEfGh1234',
    events_url: EVENTS_URL,
    whip_url: WHIP_URL,
    capabilities: { allow_publish: true, allow_subscribe: true },
    version: '1.0',
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('signParticipantToken', () => {
  test('writes exactly the header and claim set of a participant token, with the defaults', async () => {
    const before = now();
    const token = await signParticipantToken(key.privateKeyPem, CLAIMS);
    const [header, body] = token.split('.');

    expect(Buffer.from(header, 'base64url').toString()).toBe(`{"alg":"ES384","typ":"JWT","kid":"${PUBLIC_KEY_ARN}"}`);
    const claims = decode(body);
    expect(Object.keys(claims)).toEqual([
      'exp',
      'iat',
      'jti',
      'resource',
      'topic',
      'events_url',
      'whip_url',
      'capabilities',
      'version',
    ]);
    expect(claims).toEqual({
      exp: claims.iat + 43_200,
      iat: expect.any(Number),
      jti: expect.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/),
      resource: STAGE_ARN,
      topic: 'AbCdEfGh1234',
      events_url: EVENTS_URL,
      whip_url: WHIP_URL,
      capabilities: { allow_publish: true, allow_subscribe: true },
      version: '1.0',
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(now());
  });

  test('writes every optional claim given, and a fresh participant id each time none is', async () => {
    const token = await signParticipantToken(key.privateKey, {
      ...CLAIMS,
      userId: 'user-42',
      attributes: { displayName: 'Ana', role: 'host' },
      capabilities: { publish: false },
      expiresIn: 60,
      participantId: 'abc_DEF-123',
    });
    const claims = decode(token.split('.')[1]);

    expect(claims).toEqual({
      exp: claims.iat + 60,
      iat: claims.iat,
      jti: 'abc_DEF-123',
      resource: STAGE_ARN,
      topic: 'AbCdEfGh1234',
      events_url: EVENTS_URL,
      whip_url: WHIP_URL,
      capabilities: { allow_publish: false, allow_subscribe: true },
      version: '1.0',
      user_id: 'user-42',
      attributes: { displayName: 'Ana', role: 'host' },
    });
    const ids = await Promise.all(
      [1, 2].map(async () => decode((await signParticipantToken(key.privateKeyPem, CLAIMS)).split('.')[1]).jti),
    );
    expect(ids[0]).not.toBe(ids[1]);
  });

  test('accepts every claim at its limit: 14 days, 128-character userId, 64-character id, 1 KB of attributes', async () => {
    const attributes = { a: 'x'.repeat(1024 - '{"a":""}'.length) };
    const token = await signParticipantToken(key.privateKeyPem, {
      ...CLAIMS,
      expiresIn: 1_209_600,
      userId: 'u'.repeat(128),
      participantId: 'p'.repeat(64),
      attributes,
    });
    const claims = decode(token.split('.')[1]);

    expect(claims.exp - claims.iat).toBe(1_209_600);
    expect(claims.attributes).toEqual(attributes);
  });

  const refusals: [string, Partial<Record<keyof ParticipantTokenClaims, unknown>> | Record<string, unknown>, RegExp][] =
    [
      [
        'a channel ARN as stageArn',
        { stageArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234' },
        /^stageArn must be an IVS Real-Time stage ARN of the form arn:<partition>:ivs:<region>:<account>:stage\/<id>; got "arn:aws:ivs:us-west-2:123456789012:channel\/AbCdEfGh1234" \(that is a channel ARN/,
      ],
      ['a public key ARN as stageArn', { stageArn: PUBLIC_KEY_ARN }, /^stageArn must be .* \(that is a public key ARN/],
      [
        'a stage ARN of another service',
        { stageArn: 'arn:aws:s3:::stage/x' },
        /^stageArn must be an IVS Real-Time stage ARN/,
      ],
      ['no stageArn', { stageArn: undefined }, /^stageArn must be .*; got undefined/],
      [
        'a playback key ARN as publicKeyArn',
        { publicKeyArn: 'arn:aws:ivs:us-west-2:123456789012:playback-key/AbCdEfGh1234' },
        /^publicKeyArn must be an IVS Real-Time public key ARN of the form arn:<partition>:ivs:<region>:<account>:public-key\/<id>; got .* \(that is a playback key ARN/,
      ],
      ['the stage ARN as publicKeyArn', { publicKeyArn: STAGE_ARN }, /^publicKeyArn must be .* \(that is a stage ARN/],
      [
        'an eventsUrl that is not a URL',
        { eventsUrl: 'global.events' },
        /^eventsUrl must be an absolute URL of at most 2048 characters/,
      ],
      ['no whipUrl', { whipUrl: undefined }, /^whipUrl must be an absolute URL/],
      [
        'a userId over 128 characters',
        { userId: 'u'.repeat(129) },
        /^userId must be a string of at most 128 characters; got "u+" \(129 characters\)$/,
      ],
      [
        'attributes over 1 KB',
        { attributes: { a: 'x'.repeat(1017) } },
        /^attributes must be an object of string values, at most 1024 bytes \(1 KB\) in total as JSON; got 1025 bytes$/,
      ],
      [
        'attributes with a number',
        { attributes: { n: 1 } },
        /^attributes must be an object of string values.*; its "n" is 1$/,
      ],
      ['attributes as a string', { attributes: 'a=b' }, /^attributes must be an object of string values/],
      [
        'a capability that is not boolean',
        { capabilities: { publish: 'yes' } },
        /^capabilities must be an object with publish \(true or false\) and subscribe \(true or false\); its publish is "yes"$/,
      ],
      [
        'a capability in the claim spelling',
        { capabilities: { allow_publish: false } },
        /^capabilities must be .*; it has "allow_publish"$/,
      ],
      [
        'expiresIn above 14 days',
        { expiresIn: 1_209_601 },
        /^expiresIn must be a whole number of seconds from 1 to 1209600 \(14 days/,
      ],
      ['expiresIn 0', { expiresIn: 0 }, /^expiresIn must be a whole number of seconds from 1 to 1209600/],
      ['expiresIn as an absolute time', { expiresIn: 1_800_000_000 }, /^expiresIn must be .*; got 1800000000$/],
      ['a fractional expiresIn', { expiresIn: 1.5 }, /^expiresIn must be a whole number/],
      [
        'a participantId with a dot',
        { participantId: 'a.b' },
        /^participantId must be 1 to 64 characters of a-z, A-Z, 0-9, "-" and "_"; got "a.b"$/,
      ],
      [
        'a participantId of 65 characters',
        { participantId: 'p'.repeat(65) },
        /^participantId must be 1 to 64 characters/,
      ],
      ['an empty participantId', { participantId: '' }, /^participantId must be 1 to 64 characters/],
      [
        'a misspelt claim',
        { expiresAt: new Date() },
        /^claims has no property "expiresAt"; it takes stageArn, publicKeyArn/,
      ],
    ];

  test.each(refusals)('refuses %s, naming the claim and what is allowed', async (_, overrides, message) => {
    const error = await refusal(
      signParticipantToken(key.privateKeyPem, { ...CLAIMS, ...overrides } as ParticipantTokenClaims),
    );

    expect(error).toBeInstanceOf(ParticipantTokenError);
    expect(error.message).toMatch(message);
  });

  test('refuses claims that are not an object', async () => {
    const error = await refusal(signParticipantToken(key.privateKeyPem, null as unknown as ParticipantTokenClaims));
    expect(error).toBeInstanceOf(ParticipantTokenError);
    expect(error.message).toBe(
      'claims must be an object with at least stageArn, publicKeyArn, eventsUrl and whipUrl; got null',
    );
  });

  test.each([
    ['a public key', key.publicKeyPem, /got a public key; sign with the private half/],
    [
      'a P-256 key',
      wrongKeys.p256(),
      /must be an ECDSA P-384 \(secp384r1\) private key .* got an EC key on prime256v1|must be an ECDSA P-384/,
    ],
    ['an RSA key', wrongKeys.rsa(), /must be an ECDSA P-384 \(secp384r1\) private key/],
  ])('refuses %s as the private key, never quoting it', async (_, pem, message) => {
    const error = await refusal(signParticipantToken(pem, CLAIMS));

    expect(error).toBeInstanceOf(PlaybackKeyPairValidationError);
    expect(error.message).toMatch(/^The signing key passed to signParticipantToken must be/);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(pemBody(pem).slice(0, 40));
  });
});

describe('verifyParticipantToken', () => {
  test('returns the claims of a token it signed, in camelCase', async () => {
    const token = await signParticipantToken(key.privateKeyPem, {
      ...CLAIMS,
      userId: 'user-42',
      attributes: { role: 'host' },
      capabilities: { subscribe: false },
      participantId: 'p-1',
      expiresIn: 300,
    });
    const verified = await verifyParticipantToken(token, key.publicKeyPem, {
      stageArn: STAGE_ARN,
      publicKeyArn: PUBLIC_KEY_ARN,
    });

    expect(verified).toEqual({
      stageArn: STAGE_ARN,
      stageId: 'AbCdEfGh1234',
      publicKeyArn: PUBLIC_KEY_ARN,
      participantId: 'p-1',
      eventsUrl: EVENTS_URL,
      whipUrl: WHIP_URL,
      capabilities: { publish: true, subscribe: false },
      issuedAt: expect.any(Date),
      expiresAt: new Date(verified.issuedAt.getTime() + 300_000),
      userId: 'user-42',
      attributes: { role: 'host' },
    });
  });

  test('accepts a well-formed token from elsewhere (the private key reduced to its public half)', async () => {
    await expect(verifyParticipantToken(signedOver(HEADER, payload()), key.privateKeyPem)).resolves.toMatchObject({
      participantId: 'participant-1',
    });
  });

  const rejections: [string, () => string, RegExp, object?][] = [
    [
      'another key',
      () => signedOver(HEADER, payload(), other.privateKey),
      /its signature does not match the given key/,
    ],
    [
      'alg none',
      () => `${b64('{"alg":"none","typ":"JWT"}')}.${b64(JSON.stringify(payload()))}.`,
      /is not a compact JWS|alg is not ES384/,
    ],
    [
      'alg ES256 in the header',
      () => signedOver({ ...HEADER, alg: 'ES256' }, payload()),
      /its header alg is not ES384/,
    ],
    ['typ JOSE', () => signedOver({ ...HEADER, typ: 'JOSE' }, payload()), /its header typ is "JOSE", not "JWT"/],
    ['a crit header', () => signedOver({ ...HEADER, crit: ['b64'] }, payload()), /"crit" extensions/],
    [
      'no kid',
      () => signedOver({ alg: 'ES384', typ: 'JWT' }, payload()),
      /^The token's header "kid" must be an IVS Real-Time public key ARN/,
    ],
    [
      'a playback key as kid',
      () => signedOver({ ...HEADER, kid: 'arn:aws:ivs:us-west-2:123456789012:playback-key/AbCdEfGh1234' }, payload()),
      /header "kid" must be .*that is a playback key ARN/,
    ],
    ['a padded signature', () => `${signedOver(HEADER, payload())}=`, /not a compact JWS|not canonical base64url/],
    [
      'one more character on the signature',
      () => `${signedOver(HEADER, payload())}A`,
      /its signature is not canonical base64url/,
    ],
    ['an expired token', () => signedOver(HEADER, payload({ exp: now() - 1, iat: now() - 601 })), /it expired at/],
    ['no exp', () => signedOver(HEADER, payload({ exp: undefined })), /its "exp" claim is missing/],
    [
      'exp beyond every date',
      () => signedOver(HEADER, payload({ exp: 1e16 })),
      /its "exp" claim is 10000000000000000 seconds since the epoch, beyond any date/,
    ],
    [
      'exp as a string',
      () => signedOver(HEADER, payload({ exp: String(now() + 60) })),
      /its "exp" claim is not a number/,
    ],
    ['no iat', () => signedOver(HEADER, payload({ iat: undefined })), /its "iat" claim is missing/],
    [
      'iat in the future',
      () => signedOver(HEADER, payload({ iat: now() + 120, exp: now() + 600 })),
      /its "iat" claim is \d+, 120 seconds in the future/,
    ],
    [
      'a lifetime over 14 days',
      () => signedOver(HEADER, payload({ exp: now() + 1_209_601 })),
      /it lives 1209601 seconds from its "iat" to its "exp", more than 1209600 \(14 days\)/,
    ],
    [
      'a channel as resource',
      () => signedOver(HEADER, payload({ resource: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234' })),
      /^The token's claim "resource" must be an IVS Real-Time stage ARN.*that is a channel ARN/,
    ],
    [
      'a topic that is not the stage id',
      () => signedOver(HEADER, payload({ topic: 'other' })),
      /^The token's claim "topic" must be the stage's id, the last segment of its "resource" \("AbCdEfGh1234"\); got "other"$/,
    ],
    [
      'version 2.0',
      () => signedOver(HEADER, payload({ version: '2.0' })),
      /^The token's claim "version" must be "1.0"; got "2.0"$/,
    ],
    [
      'no capabilities',
      () => signedOver(HEADER, payload({ capabilities: undefined })),
      /^The token's claim "capabilities" must be an object with allow_publish/,
    ],
    [
      'a capability missing',
      () => signedOver(HEADER, payload({ capabilities: { allow_publish: true } })),
      /must have both allow_publish and allow_subscribe/,
    ],
    [
      'a capability as a string',
      () => signedOver(HEADER, payload({ capabilities: { allow_publish: 'true', allow_subscribe: true } })),
      /its allow_publish is "true"/,
    ],
    [
      'a jti with a space',
      () => signedOver(HEADER, payload({ jti: 'a b' })),
      /^The token's claim "jti" must be 1 to 64 characters/,
    ],
    [
      'no events_url',
      () => signedOver(HEADER, payload({ events_url: undefined })),
      /^The token's claim "events_url" must be an absolute URL/,
    ],
    [
      'a long user_id',
      () => signedOver(HEADER, payload({ user_id: 'u'.repeat(129) })),
      /^The token's claim "user_id" must be a string of at most 128 characters/,
    ],
    [
      'attributes as an array',
      () => signedOver(HEADER, payload({ attributes: ['a'] })),
      /^The token's claim "attributes" must be an object of string values/,
    ],
    [
      'another stage than required',
      () => signedOver(HEADER, payload()),
      /it names the stage ".*AbCdEfGh1234", not ".*stage\/Other1"/,
      { stageArn: 'arn:aws:ivs:us-west-2:123456789012:stage/Other1' },
    ],
    [
      'another key than required',
      () => signedOver(HEADER, payload()),
      /its header kid names the key ".*Zy9Xw8Vu7Ts6", not ".*public-key\/Other1"/,
      { publicKeyArn: 'arn:aws:ivs:us-west-2:123456789012:public-key/Other1' },
    ],
  ];

  test.each(rejections)('rejects %s', async (_, token, message, options = {}) => {
    const error = await refusal(verifyParticipantToken(token(), key.publicKeyPem, options));

    expect(error).toBeInstanceOf(ParticipantTokenError);
    expect(error.message).toMatch(message);
  });

  test('tolerates the skew it is given, on exp and on iat', async () => {
    const skewed = signedOver(HEADER, payload({ iat: now() + 20, exp: now() + 600 }));
    const expired = signedOver(HEADER, payload({ iat: now() - 600, exp: now() - 20 }));

    await expect(
      verifyParticipantToken(skewed, key.publicKeyPem, { clockToleranceSeconds: 30 }),
    ).resolves.toBeDefined();
    await expect(
      verifyParticipantToken(expired, key.publicKeyPem, { clockToleranceSeconds: 30 }),
    ).resolves.toBeDefined();
    await expect(
      verifyParticipantToken(expired, key.publicKeyPem, { currentDate: new Date(Date.now() - 60_000) }),
    ).resolves.toBeDefined();
  });

  test.each([
    [
      'a NaN tolerance',
      { clockToleranceSeconds: NaN },
      /^verifyParticipantToken's option clockToleranceSeconds must be a finite number/,
    ],
    ['a tolerance as a string', { clockToleranceSeconds: '30' }, /clockToleranceSeconds must be a finite number/],
    [
      'an invalid Date',
      { currentDate: new Date('nonsense') },
      /^verifyParticipantToken's option currentDate must be a valid Date/,
    ],
    [
      'a channel as the required stage',
      { stageArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234' },
      /^verifyParticipantToken's option stageArn must be an IVS Real-Time stage ARN/,
    ],
    [
      'a malformed required key',
      { publicKeyArn: 'key-1' },
      /^verifyParticipantToken's option publicKeyArn must be an IVS Real-Time public key ARN/,
    ],
    [
      'a misspelt option',
      { stageARN: STAGE_ARN },
      /^verifyParticipantToken's options has no property "stageARN"; it takes currentDate, clockToleranceSeconds, stageArn, publicKeyArn$/,
    ],
    ['options that are not an object', 'strict', /^verifyParticipantToken's options must be an object/],
  ])('fails closed on %s, even for a token that would verify', async (_, options, message) => {
    const token = await signParticipantToken(key.privateKeyPem, CLAIMS);
    const error = await refusal(verifyParticipantToken(token, key.publicKeyPem, options as object));

    expect(error).toBeInstanceOf(ParticipantTokenError);
    expect(error.message).toMatch(message);
  });

  test('never puts the token in a message', async () => {
    const token = signedOver(HEADER, payload(), other.privateKey);
    const error = await refusal(verifyParticipantToken(token, key.publicKeyPem));

    expect(error.message).not.toContain(token.split('.')[2].slice(0, 20));
  });
});

describe('interoperates', () => {
  test("node:crypto's raw verify accepts the signature over the first two parts", async () => {
    const token = await signParticipantToken(key.privateKeyPem, CLAIMS);
    const [header, body, signature] = token.split('.');

    expect(
      verify(
        'sha384',
        Buffer.from(`${header}.${body}`),
        { key: createPublicKey(key.publicKeyPem), dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true);
  });

  test("jose's jwtVerify (ES384 only, typ JWT) accepts our tokens and reads the kid", async () => {
    const token = await signParticipantToken(key.privateKeyPem, { ...CLAIMS, userId: 'u-1' });
    const { payload: claims, protectedHeader } = await jwtVerify(token, await importSPKI(key.publicKeyPem, 'ES384'), {
      algorithms: ['ES384'],
      typ: 'JWT',
    });

    expect(protectedHeader).toEqual(HEADER);
    expect(claims).toMatchObject({ resource: STAGE_ARN, topic: 'AbCdEfGh1234', user_id: 'u-1', version: '1.0' });
  });

  test("we accept jose's participant tokens", async () => {
    const token = await new SignJWT(payload({ exp: undefined, iat: undefined }))
      .setProtectedHeader(HEADER)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(await importPKCS8(key.privateKeyPem, 'ES384'));

    await expect(
      verifyParticipantToken(token, key.publicKeyPem, { publicKeyArn: PUBLIC_KEY_ARN }),
    ).resolves.toMatchObject({ stageId: 'AbCdEfGh1234', participantId: 'participant-1' });
  });

  test("PyJWT verifies our tokens, and we verify PyJWT's", async () => {
    const ours = await signParticipantToken(key.privateKeyPem, { ...CLAIMS, attributes: { role: 'host' } });
    const script = `
import json, sys, time, jwt
ours, public_pem, private_pem, stage, kid, events, whip = sys.argv[1:8]
decoded = jwt.decode(ours, public_pem, algorithms=["ES384"], options={"require": ["exp", "iat", "jti"]})
header = jwt.get_unverified_header(ours)
now = int(time.time())
theirs = jwt.encode(
    {"exp": now + 600, "iat": now, "jti": "py-participant", "resource": stage, "topic": stage.split("/")[-1],
     "events_url": events, "whip_url": whip, "capabilities": {"allow_publish": False, "allow_subscribe": True},
     "version": "1.0", "user_id": "py-user"},
    private_pem, algorithm="ES384", headers={"kid": kid, "typ": "JWT"})
print(json.dumps({"header": header, "claims": decoded, "theirs": theirs}))
`;
    const output = JSON.parse(
      execFileSync(
        PYTHON,
        ['-c', script, ours, key.publicKeyPem, key.privateKeyPem, STAGE_ARN, PUBLIC_KEY_ARN, EVENTS_URL, WHIP_URL],
        { encoding: 'utf8' },
      ),
    );

    expect(output.header).toEqual(HEADER);
    expect(output.claims).toMatchObject({ resource: STAGE_ARN, attributes: { role: 'host' } });
    await expect(
      verifyParticipantToken(output.theirs, key.publicKeyPem, { stageArn: STAGE_ARN, publicKeyArn: PUBLIC_KEY_ARN }),
    ).resolves.toMatchObject({
      participantId: 'py-participant',
      userId: 'py-user',
      capabilities: { publish: false, subscribe: true },
    });
  });
});
