/**
 * createParticipantTokenSigner against moto's real Secrets Manager and the IVS stand-in's real-time API
 * (`GetStage`), through the real SDK clients: the key and its kid from the secret in the format
 * GeneratedStagePublicKey writes, a stage's endpoints from GetStage once per stage and cache time, a rotation
 * picked up after the refresh time, and an outage met as the playback token signer meets it (the same code:
 * lib/backend/secret-backed-key.ts). Time is a clock the test moves (ManualClock).
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { generatePlaybackKeyPair, PlaybackKeyPairMaterial } from '../lib/backend/key-material';
import {
  createParticipantTokenSigner,
  ParticipantTokenSignerError,
  ParticipantTokenSignerOptions,
  participantTokenSignerOn,
} from '../lib/backend/participant-token-signer';
import { ParticipantTokenError, verifyParticipantToken } from '../lib/backend/participant-token';
import { IvsStandIn, StandInStage } from '../tools/stand-ins/ivs-stand-in';
import { SecretsManagerFaults } from '../tools/stand-ins/secrets-manager-faults';
import { pemBody } from './support/keys';
import { ManualClock, settle } from './support/manual-clock';
import {
  countingClient,
  CountingClient,
  CREDENTIALS,
  rejection,
  SecretsRig,
  startSecretsRig,
} from './support/signer-rig';

jest.setTimeout(60_000);

let rig: SecretsRig;
let ivs: IvsStandIn;
let faulty: SecretsManagerFaults;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  rig = await startSecretsRig();
  faulty = await SecretsManagerFaults.start(rig.moto.endpoint);
});

beforeEach(async () => {
  ivs = await IvsStandIn.start();
  faulty.mode = 'pass';
});

afterEach(async () => {
  await ivs.stop();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await faulty?.close();
  await rig?.stop();
});

/** A stage key as GeneratedStagePublicKey holds it: the key pair, imported into the stand-in, and its ARN. */
function stageKey(): PlaybackKeyPairMaterial & { publicKeyArn: string } {
  const key = generatePlaybackKeyPair();
  return { ...key, publicKeyArn: ivs.realTime.importAsSomeoneElse(key.publicKeyPem).arn };
}

function stageSecretValue(key: PlaybackKeyPairMaterial & { publicKeyArn: string }, generation: number): string {
  const { privateKeyPem, publicKeyPem, fingerprint, publicKeyArn } = key;
  return JSON.stringify({ privateKeyPem, publicKeyPem, fingerprint, generation, publicKeyArn });
}

function realTimeClient(): IVSRealTimeClient {
  const client = new IVSRealTimeClient({
    endpoint: ivs.realTimeEndpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

/** A signer on a clock the test moves, reading moto (directly or through the faulty endpoint) and the stand-in. */
async function signerFor(
  secretString: string,
  options: Omit<ParticipantTokenSignerOptions, 'secretId' | 'client'> = {},
  endpoint: 'direct' | 'faulty' = 'direct',
) {
  const secretId = await rig.createSecret(secretString);
  const clock = new ManualClock();
  const counting: CountingClient = countingClient(endpoint === 'direct' ? rig.moto.endpoint : faulty.endpoint, {
    maxAttempts: 1,
  });
  clients.push(counting);
  const failures: Error[] = [];
  const signer = participantTokenSignerOn(clock, {
    secretId,
    client: counting.client,
    ivsRealTimeClient: realTimeClient(),
    onReadFailure: (error) => failures.push(error),
    ...options,
  });
  return { secretId, clock, signer, failures, ...counting };
}

const getStages = () => ivs.realTime.calls.filter((call) => call.operation === 'GetStage');

async function verifiedBy(token: string, key: { publicKeyPem: string; publicKeyArn: string }, stage: StandInStage) {
  return verifyParticipantToken(token, key.publicKeyPem, { publicKeyArn: key.publicKeyArn, stageArn: stage.arn });
}

describe('createParticipantTokenSigner', () => {
  test("signs with the secret's key and its publicKeyArn as kid, the stage's endpoints from one GetStage per stage", async () => {
    const key = stageKey();
    const [room, lobby] = [ivs.createStage('room'), ivs.createStage('lobby')];
    const { signer, reads } = await signerFor(stageSecretValue(key, 1));

    const roomTokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signer.sign({ stageArn: room.arn, userId: `user-${i}` })),
    );
    const lobbyTokens = [];
    for (let i = 0; i < 5; i++) lobbyTokens.push(await signer.sign({ stageArn: lobby.arn }));

    expect(reads()).toBe(1);
    expect(getStages().map((call) => call.arn)).toEqual([room.arn, lobby.arn]);
    const header = JSON.parse(Buffer.from(roomTokens[0].split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'ES384', typ: 'JWT', kid: key.publicKeyArn });
    expect(await verifiedBy(roomTokens[19], key, room)).toMatchObject({
      publicKeyArn: key.publicKeyArn,
      eventsUrl: room.endpoints.events,
      whipUrl: room.endpoints.whip,
      userId: 'user-19',
      capabilities: { publish: true, subscribe: true },
    });
    expect((await verifiedBy(lobbyTokens[4], key, lobby)).whipUrl).toBe(lobby.endpoints.whip);
  });

  test('calls no GetStage for a token whose claims carry both endpoints, and only fills in the one left out', async () => {
    const key = stageKey();
    const stage = ivs.createStage();
    const { signer } = await signerFor(stageSecretValue(key, 1));
    const eventsUrl = 'wss://events.example';
    const whipUrl = 'https://whip.example';

    const both = await signer.sign({ stageArn: stage.arn, eventsUrl, whipUrl });
    expect(getStages()).toEqual([]);
    const one = await signer.sign({ stageArn: stage.arn, whipUrl });

    expect(await verifiedBy(both, key, stage)).toMatchObject({ eventsUrl, whipUrl });
    expect(await verifiedBy(one, key, stage)).toMatchObject({ eventsUrl: stage.endpoints.events, whipUrl });
    expect(getStages()).toHaveLength(1);
  });

  test('reads a stage again after stageEndpointsCacheSeconds (a day by default), not before', async () => {
    const key = stageKey();
    const stage = ivs.createStage();
    const { signer, clock } = await signerFor(stageSecretValue(key, 1), {
      refreshAfterSeconds: 100_000,
      maxKeyAgeSeconds: 200_000,
    });
    await signer.sign({ stageArn: stage.arn });
    ivs.stages.setEndpoints(stage.arn, { whip: 'https://moved.global-bm.whip.live-video.net' });

    clock.advanceSeconds(86_399);
    const withinCacheTime = await signer.sign({ stageArn: stage.arn });
    clock.advanceSeconds(1);
    const afterCacheTime = await signer.sign({ stageArn: stage.arn });

    expect((await verifiedBy(withinCacheTime, key, stage)).whipUrl).toBe(stage.endpoints.whip);
    expect((await verifiedBy(afterCacheTime, key, stage)).whipUrl).toBe('https://moved.global-bm.whip.live-video.net');
    expect(getStages()).toHaveLength(2);
  });

  test('when a stage cannot be read again, signs on with the endpoints it holds, says so to onReadFailure, and waits 30 s before the next GetStage', async () => {
    const key = stageKey();
    const stage = ivs.createStage();
    const { signer, clock, failures } = await signerFor(stageSecretValue(key, 1), {
      stageEndpointsCacheSeconds: 60,
      refreshAfterSeconds: 100_000,
      maxKeyAgeSeconds: 200_000,
    });
    await signer.sign({ stageArn: stage.arn });
    clock.advanceSeconds(60);
    ivs.realTime.failNext('GetStage', 500);

    const tokens = [];
    for (let i = 0; i < 10; i++) tokens.push(await signer.sign({ stageArn: stage.arn }));
    clock.advanceSeconds(29.999);
    tokens.push(await signer.sign({ stageArn: stage.arn }));
    expect(getStages()).toHaveLength(2);
    clock.advanceSeconds(0.001);
    tokens.push(await signer.sign({ stageArn: stage.arn }));

    expect(getStages()).toHaveLength(3);
    for (const token of tokens) expect((await verifiedBy(token, key, stage)).whipUrl).toBe(stage.endpoints.whip);
    expect(failures.map((failure) => failure.message)).toEqual([
      expect.stringMatching(new RegExp(`^GetStage of the stage "${stage.arn}" failed: InternalServerException`)),
    ]);
    expect(failures[0]).toBeInstanceOf(ParticipantTokenSignerError);
  });

  test.each([
    [
      'an unknown stage',
      'ResourceNotFoundException',
      /^IVS Real-Time has no the stage ".*" \(GetStage: ResourceNotFoundException\): check stageArn/,
    ],
    [
      'a stage it may not read',
      'AccessDeniedException',
      /^Not allowed to read the stage ".*" \(GetStage: AccessDeniedException\): grant ivs:GetStage on it, or pass eventsUrl and whipUrl to sign\(\)$/,
    ],
  ] as const)('fails for %s, saying what to do', async (_, errorType, message) => {
    const key = stageKey();
    const stage = errorType === 'ResourceNotFoundException' ? undefined : ivs.createStage();
    if (stage) ivs.realTime.failNext('GetStage', errorType);
    const { signer } = await signerFor(stageSecretValue(key, 1));

    const error = await rejection(
      signer.sign({ stageArn: stage?.arn ?? 'arn:aws:ivs:us-east-1:123456789012:stage/AAAAbbbbCCCC' }),
    );

    expect(error).toBeInstanceOf(ParticipantTokenSignerError);
    expect(error.message).toMatch(message);
  });

  test('picks up a new AWSCURRENT after the refresh time: the new key, and its ARN as kid', async () => {
    const first = stageKey();
    const second = stageKey();
    const stage = ivs.createStage();
    const { signer, clock, secretId, reads, readsSettled } = await signerFor(stageSecretValue(first, 1), {
      refreshAfterSeconds: 60,
    });
    const before = await signer.sign({ stageArn: stage.arn });
    await rig.admin.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: stageSecretValue(second, 2) }));

    clock.advanceSeconds(60);
    const whileReading = await signer.sign({ stageArn: stage.arn });
    // The background read is sent once the SDK module is loaded, a few ticks after the sign() that started it.
    await settle();
    expect(reads()).toBe(2);
    await readsSettled();
    const after = await signer.sign({ stageArn: stage.arn });

    expect(reads()).toBe(2);
    expect((await verifiedBy(before, first, stage)).publicKeyArn).toBe(first.publicKeyArn);
    expect((await verifiedBy(whileReading, first, stage)).publicKeyArn).toBe(first.publicKeyArn);
    expect((await verifiedBy(after, second, stage)).publicKeyArn).toBe(second.publicKeyArn);
    await expect(verifiedBy(after, first, stage)).rejects.toThrow(/its signature does not match/);
  });

  test('through throttling, as the playback token signer: every token signs with the held key, the reads bounded by the backoff; past maxKeyAgeSeconds it fails saying why', async () => {
    const key = stageKey();
    const stage = ivs.createStage();
    const { signer, clock, failures, reads, readsSettled, secretId } = await signerFor(
      stageSecretValue(key, 1),
      { refreshAfterSeconds: 60, maxKeyAgeSeconds: 360 },
      'faulty',
    );
    await signer.sign({ stageArn: stage.arn });
    faulty.mode = 'throttle';
    clock.advanceSeconds(60);

    const tokens: string[] = [];
    let readsSeen = reads();
    for (let step = 0; step < 3000; step++) {
      tokens.push(await signer.sign({ stageArn: stage.arn }));
      if (reads() !== readsSeen) {
        readsSeen = reads();
        await readsSettled();
      }
      clock.advance(100);
    }

    for (const token of tokens.filter((_, i) => i % 100 === 0)) {
      expect((await verifiedBy(token, key, stage)).publicKeyArn).toBe(key.publicKeyArn);
    }
    // The playback signer's figure for the same 5 minutes (token-signer-outage.test.ts): 24 reads.
    expect(reads() - 1).toBe(24);
    expect(failures).toHaveLength(24);
    expect(failures[0].message).toBe(`Reading the secret "${secretId}" failed: ThrottlingException: Rate exceeded`);
    expect(getStages()).toHaveLength(1);

    clock.advanceSeconds(1);
    await settle();
    const error = await rejection(signer.sign({ stageArn: stage.arn }));
    expect(error).toBeInstanceOf(ParticipantTokenSignerError);
    expect(error.message).toMatch(
      new RegExp(`^The key read from the secret "${secretId}" \\d+ s ago is older than maxKeyAgeSeconds \\(360\\)`),
    );
  });

  test("with no ivsRealTimeClient, calls GetStage with the SDK's default client, which AWS_ENDPOINT_URL_IVS_REALTIME points at the stand-in", async () => {
    const key = stageKey();
    const stage = ivs.createStage();
    const saved = { ...process.env };
    Object.assign(process.env, ivs.clientEnvironment());
    try {
      const { signer } = await signerFor(stageSecretValue(key, 1), { ivsRealTimeClient: undefined });
      const token = await signer.sign({ stageArn: stage.arn });
      expect((await verifiedBy(token, key, stage)).eventsUrl).toBe(stage.endpoints.events);
    } finally {
      process.env = saved;
    }
    expect(getStages()).toHaveLength(1);
  });
});

describe('its refusals', () => {
  test.each([
    [
      { stageEndpointsCacheSeconds: 1_209_601 },
      /^stageEndpointsCacheSeconds must be a number of seconds greater than 0 and at most 1209600 \(14 days, the longest IVS allows stage endpoints to be cached; default 86400\); got 1209601$/,
    ],
    [{ stageEndpointsCacheSeconds: 0 }, /^stageEndpointsCacheSeconds must be .*; got 0$/],
    [{ secretId: '' }, /^secretId must be the name or ARN of the secret that holds the key pair; got ""$/],
    [{ refreshAfterSeconds: -1 }, /^refreshAfterSeconds must be a number of seconds greater than 0/],
  ])('refuses the options %p', (options, message) => {
    expect(() => createParticipantTokenSigner({ secretId: 'stage-key', ...options })).toThrow(
      expect.objectContaining({ name: 'ParticipantTokenSignerError', message: expect.stringMatching(message) }),
    );
  });

  test('refuses a publicKeyArn in the claims, a misspelt claim and a channel ARN, before reading anything', async () => {
    const signer = createParticipantTokenSigner({
      secretId: 'never-read',
      client: { send: () => Promise.reject(new Error('read')) },
    });
    const stageArn = 'arn:aws:ivs:us-east-1:123456789012:stage/AAAAbbbbCCCC';

    const errors = await Promise.all([
      rejection(signer.sign({ stageArn, publicKeyArn: 'x' } as never)),
      rejection(signer.sign({ stageArn, userID: 'x' } as never)),
      rejection(signer.sign({ stageArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AAAAbbbbCCCC' })),
    ]);

    for (const error of errors) expect(error).toBeInstanceOf(ParticipantTokenError);
    expect(errors.map((error) => error.message)).toEqual([
      "claims has publicKeyArn, but the signer's tokens name the key its secret holds (the secret's publicKeyArn)",
      expect.stringMatching(/^claims has no property "userID"; it takes stageArn, eventsUrl, whipUrl, userId/),
      expect.stringMatching(/^stageArn must be an IVS Real-Time stage ARN .*that is a channel ARN/),
    ]);
  });

  test.each([
    [
      'without publicKeyArn',
      (key: ReturnType<typeof stageKey>) => ({ ...key, publicKeyArn: undefined }),
      'its "publicKeyArn" is missing',
    ],
    [
      'with a playback key ARN as publicKeyArn',
      (key: ReturnType<typeof stageKey>) => ({
        ...key,
        publicKeyArn: 'arn:aws:ivs:us-east-1:123456789012:playback-key/AAAAbbbbCCCC',
      }),
      'its "publicKeyArn" is not a public key ARN (arn:<partition>:ivs:<region>:<account>:public-key/<id>)',
    ],
  ])('refuses a secret value %s, never quoting the key', async (_, change, problem) => {
    const key = stageKey();
    const { signer, secretId } = await signerFor(JSON.stringify(change(key)));

    const error = await rejection(signer.sign({ stageArn: ivs.createStage().arn }));

    expect(error).toBeInstanceOf(ParticipantTokenSignerError);
    expect(error.message).toBe(
      `The AWSCURRENT value of the secret "${secretId}" is not a stage key with its public key ARN: ${problem}. ` +
        'Expected JSON {"privateKeyPem": <PKCS#8 PEM>, "publicKeyPem": ..., "fingerprint": ..., "generation": ..., ' +
        '"publicKeyArn": <the imported public key\'s ARN>}, as GeneratedStagePublicKey writes it (privateKeyPem and publicKeyArn are required).',
    );
    expect(error.message).not.toContain(pemBody(key.privateKeyPem).slice(0, 40));
  });
});
