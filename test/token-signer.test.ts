/**
 * createPlaybackTokenSigner against moto's real Secrets Manager (test/support/moto-server.ts): how
 * often it reads the secret, how it follows a rotation, and its errors. The secret is written here
 * with the SDK in the format GeneratedPlaybackKeyPair writes: {privateKeyPem, publicKeyPem,
 * fingerprint, generation} under AWSCURRENT.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  CreateSecretCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { generatePlaybackKeyPair, PlaybackKeyPairMaterial } from '../lib/backend/key-material';
import { verifyPlaybackToken } from '../lib/backend/playback-token';
import { createPlaybackTokenSigner, PlaybackTokenSignerError } from '../lib/backend/token-signer';
import { MotoServer, startMotoServer } from '../tools/stand-ins/moto-server';
import { pemBody } from './support/keys';

jest.setTimeout(60_000);

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh';
const CLAIMS = { channelArn: CHANNEL_ARN, expiresIn: 300 };
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

let moto: MotoServer;
let admin: SecretsManagerClient;
let secretCounter = 0;

beforeAll(async () => {
  moto = await startMotoServer();
  admin = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-west-2', credentials: CREDENTIALS });
});

afterAll(async () => {
  admin?.destroy();
  await moto?.stop();
});

/** A client for the signer that counts the GetSecretValue calls it sends to moto. */
function countingClient(): { client: SecretsManagerClient; reads: () => number } {
  const client = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-west-2', credentials: CREDENTIALS });
  let reads = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetSecretValueCommand') reads++;
      return next(args);
    },
    { step: 'initialize', name: 'countReads' },
  );
  return { client, reads: () => reads };
}

function secretValue(key: PlaybackKeyPairMaterial, generation: number): string {
  return JSON.stringify({
    privateKeyPem: key.privateKeyPem,
    publicKeyPem: key.publicKeyPem,
    fingerprint: key.fingerprint,
    generation,
  });
}

async function createSecret(secretString?: string): Promise<string> {
  const name = `playback-key-${++secretCounter}`;
  await admin.send(
    new CreateSecretCommand({ Name: name, ...(secretString === undefined ? {} : { SecretString: secretString }) }),
  );
  return name;
}

/** Rotates as a deploy does: the new version written as AWSPENDING, then AWSCURRENT moved to it. */
async function rotate(secretId: string, key: PlaybackKeyPairMaterial, generation: number): Promise<void> {
  const { VersionId } = await admin.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      SecretString: secretValue(key, generation),
      VersionStages: ['AWSPENDING'],
    }),
  );
  const current = await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }));
  const currentVersion = current.Versions!.find((version) => version.VersionStages?.includes('AWSCURRENT'))!.VersionId;
  await admin.send(
    new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: VersionId,
      RemoveFromVersionId: currentVersion,
    }),
  );
}

async function signedBy(token: string, key: PlaybackKeyPairMaterial): Promise<boolean> {
  return verifyPlaybackToken(token, key.publicKeyPem).then(
    () => true,
    () => false,
  );
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createPlaybackTokenSigner, reading moto's Secrets Manager", () => {
  test('reads the secret once for many signatures within the refresh time', async () => {
    const key = generatePlaybackKeyPair();
    const secretId = await createSecret(secretValue(key, 1));
    const { client, reads } = countingClient();
    const signer = createPlaybackTokenSigner({ secretId, client });

    const tokens: string[] = [];
    for (let i = 0; i < 50; i++) tokens.push(await signer.sign({ ...CLAIMS, viewerId: `viewer-${i}` }));

    expect(reads()).toBe(1);
    for (const token of tokens) expect(await signedBy(token, key)).toBe(true);
    expect((await verifyPlaybackToken(tokens[49], key.publicKeyPem)).viewerId).toBe('viewer-49');
  });

  test('makes one read for concurrent first calls', async () => {
    const key = generatePlaybackKeyPair();
    const secretId = await createSecret(secretValue(key, 1));
    const { client, reads } = countingClient();
    const signer = createPlaybackTokenSigner({ secretId, client });

    const tokens = await Promise.all(Array.from({ length: 20 }, () => signer.sign(CLAIMS)));

    expect(reads()).toBe(1);
    for (const token of tokens) expect(await signedBy(token, key)).toBe(true);
  });

  test('sees a rotation after the refresh time: tokens before it verify with the previous key, tokens after it with the new one', async () => {
    const first = generatePlaybackKeyPair();
    const second = generatePlaybackKeyPair();
    const secretId = await createSecret(secretValue(first, 1));
    const { client, reads } = countingClient();
    const signer = createPlaybackTokenSigner({ secretId, client, refreshAfterSeconds: 1 });

    const beforeRotation = await signer.sign(CLAIMS);
    await rotate(secretId, second, 2);
    const withinRefreshTime = await signer.sign(CLAIMS);
    expect(reads()).toBe(1);
    await sleep(1100);
    const afterRefresh = await signer.sign(CLAIMS);

    expect(reads()).toBe(2);
    expect(await signedBy(beforeRotation, first)).toBe(true);
    expect(await signedBy(beforeRotation, second)).toBe(false);
    // The cached key until the refresh time is up: still the previous key pair.
    expect(await signedBy(withinRefreshTime, first)).toBe(true);
    expect(await signedBy(afterRefresh, second)).toBe(true);
    expect(await signedBy(afterRefresh, first)).toBe(false);
  });

  test('follows a default PutSecretValue too, and reads again only once per refresh period', async () => {
    const first = generatePlaybackKeyPair();
    const second = generatePlaybackKeyPair();
    const secretId = await createSecret(secretValue(first, 1));
    const { client, reads } = countingClient();
    const signer = createPlaybackTokenSigner({ secretId, client, refreshAfterSeconds: 1 });

    await signer.sign(CLAIMS);
    await admin.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretValue(second, 2) }));
    await sleep(1100);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => signer.sign(CLAIMS)));

    expect(reads()).toBe(2);
    for (const token of tokens) expect(await signedBy(token, second)).toBe(true);
  });

  test("uses the SDK's default configuration when given no client (AWS_ENDPOINT_URL_SECRETS_MANAGER)", async () => {
    const key = generatePlaybackKeyPair();
    const secretId = await createSecret(secretValue(key, 1));
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
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

  test('fails for a secret that does not exist or has no value, and tries again on the next call', async () => {
    const { client, reads } = countingClient();
    const signer = createPlaybackTokenSigner({ secretId: 'no-such-secret', client });

    const error = await rejection(signer.sign(CLAIMS));
    expect(error).toBeInstanceOf(PlaybackTokenSignerError);
    expect(error.message).toMatch(
      /^Secrets Manager has no AWSCURRENT value of the secret "no-such-secret" \(ResourceNotFoundException\): check secretId/,
    );

    const key = generatePlaybackKeyPair();
    await admin.send(new CreateSecretCommand({ Name: 'no-such-secret', SecretString: secretValue(key, 1) }));
    expect(await signedBy(await signer.sign(CLAIMS), key)).toBe(true);
    expect(reads()).toBe(2);

    const empty = await createSecret();
    await expect(createPlaybackTokenSigner({ secretId: empty, client }).sign(CLAIMS)).rejects.toThrow(
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
      const secretId = await createSecret(value);
      const error = await rejection(
        createPlaybackTokenSigner({ secretId, client: countingClient().client }).sign(CLAIMS),
      );

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
  ])('refuses %s at once', (_, options, message) => {
    expect(() => createPlaybackTokenSigner(options as never)).toThrow(PlaybackTokenSignerError);
    expect(() => createPlaybackTokenSigner(options as never)).toThrow(message);
  });
});
