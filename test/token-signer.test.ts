/**
 * createPlaybackTokenSigner against moto's real Secrets Manager (tools/stand-ins/moto-server.ts): how
 * often it reads the secret, how it follows a rotation, and its errors. The secret is written here
 * with the SDK in the format GeneratedPlaybackKeyPair writes: {privateKeyPem, publicKeyPem,
 * fingerprint, generation} under AWSCURRENT. Time is a clock the test moves (ManualClock); what the
 * signer does when Secrets Manager fails is in token-signer-outage.test.ts.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { generatePlaybackKeyPair } from '../lib/backend/key-material';
import { verifyPlaybackToken } from '../lib/backend/playback-token';
import {
  createPlaybackTokenSigner,
  PlaybackTokenSignerError,
  PlaybackTokenSignerOptions,
  playbackTokenSignerOn,
} from '../lib/backend/token-signer';
import { pemBody } from './support/keys';
import { ManualClock } from './support/manual-clock';
import {
  CLAIMS,
  countingClient,
  CountingClient,
  CREDENTIALS,
  rejection,
  rotate,
  secretValue,
  SecretsRig,
  signedBy,
  startSecretsRig,
} from './support/signer-rig';

jest.setTimeout(60_000);

let rig: SecretsRig;
const clients: CountingClient[] = [];

beforeAll(async () => {
  rig = await startSecretsRig();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await rig?.stop();
});

/** A signer on a clock the test moves, reading moto through a client that counts its reads. */
function signerOnClock(options: Omit<PlaybackTokenSignerOptions, 'client'>) {
  const clock = new ManualClock();
  const counting = countingClient(rig.moto.endpoint);
  clients.push(counting);
  return { clock, ...counting, signer: playbackTokenSignerOn(clock, { ...options, client: counting.client }) };
}

describe("createPlaybackTokenSigner, reading moto's Secrets Manager", () => {
  test('reads the secret once for many signatures within the refresh time', async () => {
    const key = generatePlaybackKeyPair();
    const secretId = await rig.createSecret(secretValue(key, 1));
    const { signer, reads } = signerOnClock({ secretId });

    const tokens: string[] = [];
    for (let i = 0; i < 50; i++) tokens.push(await signer.sign({ ...CLAIMS, viewerId: `viewer-${i}` }));

    expect(reads()).toBe(1);
    for (const token of tokens) expect(await signedBy(token, key)).toBe(true);
    expect((await verifyPlaybackToken(tokens[49], key.publicKeyPem)).viewerId).toBe('viewer-49');
  });

  test('makes one read for concurrent first calls', async () => {
    const key = generatePlaybackKeyPair();
    const secretId = await rig.createSecret(secretValue(key, 1));
    const { signer, reads } = signerOnClock({ secretId });

    const tokens = await Promise.all(Array.from({ length: 20 }, () => signer.sign(CLAIMS)));

    expect(reads()).toBe(1);
    for (const token of tokens) expect(await signedBy(token, key)).toBe(true);
  });

  test('sees a rotation after the refresh time, reading in the background: tokens before the read verify with the previous key, tokens after it with the new one', async () => {
    const first = generatePlaybackKeyPair();
    const second = generatePlaybackKeyPair();
    const secretId = await rig.createSecret(secretValue(first, 1));
    const { signer, reads, readsSettled, clock } = signerOnClock({ secretId, refreshAfterSeconds: 60 });

    const beforeRotation = await signer.sign(CLAIMS);
    await rotate(rig.admin, secretId, second, 2);
    clock.advanceSeconds(59.999);
    const withinRefreshTime = await signer.sign(CLAIMS);
    expect(reads()).toBe(1);
    clock.advanceSeconds(0.001);
    // Due: this call starts a read and signs with the key it holds, without waiting for the read.
    const whileReading = await signer.sign(CLAIMS);
    const alsoWhileReading = await signer.sign(CLAIMS);
    expect(reads()).toBe(2);
    await readsSettled();
    const afterRefresh = await signer.sign(CLAIMS);

    expect(reads()).toBe(2);
    expect(await signedBy(beforeRotation, first)).toBe(true);
    expect(await signedBy(beforeRotation, second)).toBe(false);
    // The held key until the read has answered: still the previous key pair.
    for (const token of [withinRefreshTime, whileReading, alsoWhileReading])
      expect(await signedBy(token, first)).toBe(true);
    expect(await signedBy(afterRefresh, second)).toBe(true);
    expect(await signedBy(afterRefresh, first)).toBe(false);
  });

  test('follows a default PutSecretValue too, and reads again only once per refresh period', async () => {
    const first = generatePlaybackKeyPair();
    const second = generatePlaybackKeyPair();
    const secretId = await rig.createSecret(secretValue(first, 1));
    const { signer, reads, readsSettled, clock } = signerOnClock({ secretId, refreshAfterSeconds: 60 });

    await signer.sign(CLAIMS);
    await rig.admin.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretValue(second, 2) }));
    clock.advanceSeconds(60);
    await Promise.all(Array.from({ length: 10 }, () => signer.sign(CLAIMS)));
    await readsSettled();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => signer.sign(CLAIMS)));
    clock.advanceSeconds(59);
    tokens.push(await signer.sign(CLAIMS));

    expect(reads()).toBe(2);
    for (const token of tokens) expect(await signedBy(token, second)).toBe(true);
  });

  test("uses the SDK's default configuration when given no client (AWS_ENDPOINT_URL_SECRETS_MANAGER)", async () => {
    const key = generatePlaybackKeyPair();
    const secretId = await rig.createSecret(secretValue(key, 1));
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: rig.moto.endpoint,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    });
    delete process.env.AWS_PROFILE;
    try {
      const token = await createPlaybackTokenSigner({ secretId }).sign(CLAIMS);
      expect(await signedBy(token, key)).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  test('takes the region from a secret ARN when the environment names none', async () => {
    const key = generatePlaybackKeyPair();
    const { ARN } = await rig.admin.send(
      new CreateSecretCommand({ Name: 'secret-by-arn', SecretString: secretValue(key, 1) }),
    );
    const saved = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE']) delete process.env[name];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: rig.moto.endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_CONFIG_FILE: '/nonexistent',
    });
    try {
      expect(await signedBy(await createPlaybackTokenSigner({ secretId: ARN! }).sign(CLAIMS), key)).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  test('fails for a secret that does not exist or has no value, and reads again once the backoff has passed', async () => {
    const { signer, reads, clock } = signerOnClock({ secretId: 'no-such-secret' });

    const error = await rejection(signer.sign(CLAIMS));
    expect(error).toBeInstanceOf(PlaybackTokenSignerError);
    expect(error.message).toMatch(
      /^Secrets Manager has no AWSCURRENT value of the secret "no-such-secret" \(ResourceNotFoundException\): check secretId/,
    );

    const key = generatePlaybackKeyPair();
    await rig.admin.send(new CreateSecretCommand({ Name: 'no-such-secret', SecretString: secretValue(key, 1) }));
    // Within the backoff (half a second after the first failure, with the jitter at its least): no read.
    const backingOff = await rejection(signer.sign(CLAIMS));
    expect(backingOff).toBeInstanceOf(PlaybackTokenSignerError);
    expect(backingOff.message).toMatch(
      /^No key to sign with yet \(1 failed read\); reads back off after failures, and the next starts in 1 s\. The last read failed: Secrets Manager has no AWSCURRENT value of the secret "no-such-secret"/,
    );
    expect(backingOff.cause).toBe(error);
    expect(reads()).toBe(1);
    clock.advanceSeconds(0.5);
    expect(await signedBy(await signer.sign(CLAIMS), key)).toBe(true);
    expect(reads()).toBe(2);

    const empty = await rig.createSecret();
    await expect(signerOnClock({ secretId: empty }).signer.sign(CLAIMS)).rejects.toThrow(
      /has no AWSCURRENT value of the secret /,
    );
  });

  describe('refuses a value that is not a playback key pair, never quoting it', () => {
    const key = generatePlaybackKeyPair();
    const p256 = require('node:crypto')
      .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    test.each<[string, string, RegExp]>([
      ['the PEM itself, not JSON', key.privateKeyPem, /: it is not JSON\. Expected JSON \{"privateKeyPem"/],
      ['a JSON string', JSON.stringify(key.privateKeyPem), /: it is a JSON string, not an object\./],
      ['no privateKeyPem', JSON.stringify({ publicKeyPem: key.publicKeyPem }), /: its "privateKeyPem" is missing\./],
      [
        'the public half as privateKeyPem',
        JSON.stringify({ privateKeyPem: key.publicKeyPem }),
        /: its "privateKeyPem" must be an ECDSA P-384 \(secp384r1\) private key as a PEM string or KeyObject; got a public key; sign with the private half/,
      ],
      [
        'a P-256 key',
        JSON.stringify({ privateKeyPem: p256 }),
        /got an EC key on curve prime256v1 \(P-256\)\. Expected/,
      ],
      [
        'a fingerprint of another key',
        secretValue({ ...key, fingerprint: generatePlaybackKeyPair().fingerprint }, 1),
        /: its "fingerprint" is not the fingerprint of its "privateKeyPem"\./,
      ],
    ])('%s', async (_, value, message) => {
      const secretId = await rig.createSecret(value);
      const error = await rejection(signerOnClock({ secretId }).signer.sign(CLAIMS));

      expect(error).toBeInstanceOf(PlaybackTokenSignerError);
      expect(error.message).toMatch(
        new RegExp(`^The AWSCURRENT value of the secret "${secretId}" is not a playback key pair: `),
      );
      expect(error.message).toMatch(message);
      for (const pem of [key.privateKeyPem, key.publicKeyPem, p256])
        expect(error.message).not.toContain(pemBody(pem).slice(0, 40));
      expect(error.cause).toBeUndefined();
    });
  });
});

describe('createPlaybackTokenSigner, other failures', () => {
  test('says which permission is missing when Secrets Manager denies access', async () => {
    // moto does not enforce IAM: a loopback server answers as Secrets Manager does for a role without the grant.
    const server: Server = createServer((request, response) => {
      request.resume().on('end', () => {
        response.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'AccessDeniedException',
        });
        response.end(
          JSON.stringify({
            __type: 'AccessDeniedException',
            message: 'User is not authorized to perform: secretsmanager:GetSecretValue',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new SecretsManagerClient({
        endpoint,
        region: 'us-west-2',
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      const error = await rejection(createPlaybackTokenSigner({ secretId: 'denied', client }).sign(CLAIMS));

      expect(error).toBeInstanceOf(PlaybackTokenSignerError);
      expect(error.message).toBe(
        'Not allowed to read the secret "denied" (AccessDeniedException): grant secretsmanager:GetSecretValue ' +
          'on it (GeneratedPlaybackKeyPair.grantRead does), and kms:Decrypt if a customer-managed key encrypts it',
      );
      expect((error.cause as Error).name).toBe('AccessDeniedException');
    } finally {
      server.close();
    }
  });

  test('a refreshAfterSeconds above an hour raises the default maxKeyAgeSeconds to twice it', () => {
    expect(() => createPlaybackTokenSigner({ secretId: 's', refreshAfterSeconds: 7200 })).not.toThrow();
  });

  test.each<[string, object, RegExp]>([
    ['no secretId', {}, /^secretId must be the name or ARN of the secret that holds the key pair; got undefined$/],
    ['an empty secretId', { secretId: '' }, /^secretId must be .*; got ""$/],
    [
      'refreshAfterSeconds 0',
      { secretId: 's', refreshAfterSeconds: 0 },
      /^refreshAfterSeconds must be a number of seconds greater than 0 \(default 300; keep it below the time between rotations\); got 0$/,
    ],
    [
      'refreshAfterSeconds NaN',
      { secretId: 's', refreshAfterSeconds: Number.NaN },
      /refreshAfterSeconds must be .*; got NaN$/,
    ],
    [
      'refreshAfterSeconds as a string',
      { secretId: 's', refreshAfterSeconds: '60' },
      /refreshAfterSeconds must be .*; got "60"$/,
    ],
    [
      'maxKeyAgeSeconds equal to refreshAfterSeconds',
      { secretId: 's', refreshAfterSeconds: 60, maxKeyAgeSeconds: 60 },
      /^maxKeyAgeSeconds must be a number of seconds greater than refreshAfterSeconds \(60\) \(default 3600, or twice refreshAfterSeconds when that is more\); got 60$/,
    ],
    [
      'maxKeyAgeSeconds below the default refreshAfterSeconds',
      { secretId: 's', maxKeyAgeSeconds: 120 },
      /^maxKeyAgeSeconds must be .* greater than refreshAfterSeconds \(300\) .*; got 120$/,
    ],
    [
      'maxKeyAgeSeconds Infinity',
      { secretId: 's', maxKeyAgeSeconds: Infinity },
      /^maxKeyAgeSeconds must be .*; got Infinity$/,
    ],
    [
      'readTimeoutSeconds 0',
      { secretId: 's', readTimeoutSeconds: 0 },
      /^readTimeoutSeconds must be a number of seconds greater than 0 \(default 3\); got 0$/,
    ],
    [
      'readTimeoutSeconds as a string',
      { secretId: 's', readTimeoutSeconds: '3' },
      /^readTimeoutSeconds must be .*; got "3"$/,
    ],
    [
      'an onReadFailure that is not a function',
      { secretId: 's', onReadFailure: 'console.log' },
      /^onReadFailure must be a function that takes the error of a failed read; got "console.log"$/,
    ],
  ])('refuses %s at once', (_, options, message) => {
    expect(() => createPlaybackTokenSigner(options as never)).toThrow(PlaybackTokenSignerError);
    expect(() => createPlaybackTokenSigner(options as never)).toThrow(message);
  });
});
