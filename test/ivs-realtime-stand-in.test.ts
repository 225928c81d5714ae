import { createHash, createPublicKey } from 'node:crypto';
import { IvsClient, ListPlaybackKeyPairsCommand, ImportPlaybackKeyPairCommand } from '@aws-sdk/client-ivs';
import * as ivsLowLatency from '@aws-sdk/client-ivs';
import {
  AccessDeniedException,
  ConflictException,
  CreateStageCommand,
  GetStageCommand,
  DeletePublicKeyCommand,
  GetPublicKeyCommand,
  ImportPublicKeyCommand,
  InternalServerException,
  IVSRealTimeClient,
  IVSRealTimeServiceException,
  ListPublicKeysCommand,
  ListTagsForResourceCommand,
  paginateListPublicKeys,
  PendingVerification,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  TagResourceCommand,
  UntagResourceCommand,
  ValidationException,
} from '@aws-sdk/client-ivs-realtime';
import {
  DEFAULT_PUBLIC_KEY_QUOTA,
  IVS_STAND_IN_ACCOUNT,
  IvsStandIn,
  IvsStandInOptions,
} from '../tools/stand-ins/ivs-stand-in';
import { p384, wrongKeys } from './support/keys';

const PUBLIC_KEY_ARN = /^arn:aws:ivs:us-east-1:123456789012:public-key\/[a-zA-Z0-9]{12}$/;
const UNKNOWN_ARN = `arn:aws:ivs:us-east-1:${IVS_STAND_IN_ACCOUNT}:public-key/AAAAbbbbCCCC`;
const credentials = { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'secret' };

/** Retries THROTTLING/TRANSIENT errors at once, so tests can count attempts without the SDK's backoff. */
function retryWithoutDelay(maxAttempts: number) {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous: { getRetryCount(): number }, info: { errorType: string }) => {
      const next = previous.getRetryCount() + 1;
      if (next >= maxAttempts || !['THROTTLING', 'TRANSIENT'].includes(info.errorType)) throw new Error('no retry');
      return token(next);
    },
    recordSuccess: () => undefined,
  };
}

/** The rejection of `promise`: an `IVSRealTimeServiceException` named `name` with the service's text in `exceptionMessage`. */
async function rejection(promise: Promise<unknown>, name: string): Promise<IVSRealTimeServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IVSRealTimeServiceException);
  expect(error).toMatchObject({ name, exceptionMessage: expect.any(String) });
  return error as IVSRealTimeServiceException;
}

let ivs: IvsStandIn;
let client: IVSRealTimeClient;
const keys = Array.from({ length: 5 }, p384);

function newClient(overrides: Partial<ConstructorParameters<typeof IVSRealTimeClient>[0]> = {}): IVSRealTimeClient {
  return new IVSRealTimeClient({
    endpoint: ivs.realTimeEndpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    ...overrides,
  });
}

async function restart(options: IvsStandInOptions): Promise<void> {
  client.destroy();
  await ivs.stop();
  ivs = await IvsStandIn.start(options);
  client = newClient();
}

const importKey = (publicKeyMaterial: string, name?: string, tags?: Record<string, string>) =>
  client.send(new ImportPublicKeyCommand({ publicKeyMaterial, name, tags }));
const arnOf = async (publicKeyMaterial: string) => (await importKey(publicKeyMaterial)).publicKey!.arn!;

beforeEach(async () => {
  ivs = await IvsStandIn.start();
  client = newClient();
});

afterEach(async () => {
  client.destroy();
  await ivs.stop();
});

describe('the public-key operations through @aws-sdk/client-ivs-realtime', () => {
  test('import, get, tag, untag, list tags, delete', async () => {
    const { publicKey } = await importKey(keys[0].publicKeyPem, 'stage-key_1', { team: 'rt' });
    expect(publicKey).toEqual({
      arn: expect.stringMatching(PUBLIC_KEY_ARN),
      name: 'stage-key_1',
      publicKeyMaterial: keys[0].publicKeyPem,
      fingerprint: expect.stringMatching(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/),
      tags: { team: 'rt' },
    });
    const arn = publicKey!.arn!;
    expect((await client.send(new GetPublicKeyCommand({ arn }))).publicKey).toEqual(publicKey);

    await client.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'prod', 'a b/c': 'x&y=z' } }));
    const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags).toEqual({ team: 'rt', env: 'prod', 'a b/c': 'x&y=z' });
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'a b/c', 'not-there'] }));
    expect((await client.send(new GetPublicKeyCommand({ arn }))).publicKey?.tags).toEqual({ env: 'prod' });

    await client.send(new DeletePublicKeyCommand({ arn }));
    expect(ivs.publicKeys()).toEqual([]);
    await rejection(client.send(new GetPublicKeyCommand({ arn })), 'ResourceNotFoundException');
    expect(ivs.realTime.calls.map((c) => [c.operation, c.status])).toEqual([
      ['ImportPublicKey', 200],
      ['GetPublicKey', 200],
      ['TagResource', 200],
      ['ListTagsForResource', 200],
      ['UntagResource', 200],
      ['GetPublicKey', 200],
      ['DeletePublicKey', 200],
      ['GetPublicKey', 404],
    ]);
  });

  test('name defaults to empty and tags to {}; the fingerprint is the MD5 of the DER key, as for key pairs', async () => {
    const { publicKey } = await importKey(keys[1].publicKeyPem);
    expect(publicKey).toMatchObject({ name: '', tags: {} });
    const der = createPublicKey(keys[1].publicKeyPem).export({ type: 'spki', format: 'der' });
    const md5 = createHash('md5').update(der).digest('hex');
    expect(publicKey?.fingerprint?.replace(/:/g, '')).toBe(md5);
  });

  test('ListPublicKeys paginates with an opaque token, omits material and fingerprint, 50 a page by default', async () => {
    await restart({ realTime: { quota: 52 } });
    const many = Array.from({ length: 52 }, p384);
    const arns = [];
    for (const key of many) arns.push(await arnOf(key.publicKeyPem));

    const first = await client.send(new ListPublicKeysCommand({}));
    expect(first.publicKeys).toHaveLength(50);
    expect(first.publicKeys?.[0]).toEqual({ arn: arns[0], name: '', tags: {} });
    expect(first.nextToken).toMatch(/^[a-zA-Z0-9+/=_-]+$/);
    const second = await client.send(new ListPublicKeysCommand({ nextToken: first.nextToken }));
    expect(second.publicKeys?.map((k) => k.arn)).toEqual(arns.slice(50));
    expect(second.nextToken).toBeUndefined();

    const paged = [];
    for await (const page of paginateListPublicKeys({ client, pageSize: 7 }, {}))
      paged.push(...(page.publicKeys ?? []));
    expect(paged.map((k) => k.arn)).toEqual(arns);

    await rejection(client.send(new ListPublicKeysCommand({ maxResults: 0 })), 'ValidationException');
    await rejection(client.send(new ListPublicKeysCommand({ maxResults: 101 })), 'ValidationException');
    await rejection(client.send(new ListPublicKeysCommand({ nextToken: 'garbage' })), 'ValidationException');
  });
});

describe('errors arrive as the real-time SDK error classes', () => {
  test('409 ConflictException for the same public key twice (also against a foreign key)', async () => {
    await importKey(keys[0].publicKeyPem);
    const error = await rejection(importKey(keys[0].publicKeyPem, 'other-name'), 'ConflictException');
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.$metadata.httpStatusCode).toBe(409);
    ivs.realTime.importAsSomeoneElse(keys[1].publicKeyPem, 'theirs');
    expect(await rejection(importKey(keys[1].publicKeyPem), 'ConflictException')).toBeInstanceOf(ConflictException);
  });

  test(`402 ServiceQuotaExceededException past the quota (default ${DEFAULT_PUBLIC_KEY_QUOTA}, configurable)`, async () => {
    for (const key of keys.slice(0, DEFAULT_PUBLIC_KEY_QUOTA)) await importKey(key.publicKeyPem);
    const error = await rejection(importKey(keys[3].publicKeyPem), 'ServiceQuotaExceededException');
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    expect(error.$metadata.httpStatusCode).toBe(402);
    expect(ivs.publicKeys()).toHaveLength(DEFAULT_PUBLIC_KEY_QUOTA);

    await restart({ realTime: { quota: 1 } });
    await importKey(keys[0].publicKeyPem);
    await rejection(importKey(keys[1].publicKeyPem), 'ServiceQuotaExceededException');
  });

  test('quotaBeforeDuplicate, as for key pairs: a full region answers 402 for a key it already holds', async () => {
    await restart({ realTime: { quota: 1, quotaBeforeDuplicate: true } });
    await importKey(keys[0].publicKeyPem);
    await rejection(importKey(keys[0].publicKeyPem), 'ServiceQuotaExceededException');
  });

  test.each([
    ['a P-256 key', wrongKeys.p256],
    ['an RSA key', wrongKeys.rsa],
    ['a P-384 private key', () => keys[0].privateKeyPem],
    ['garbage', () => 'not a key'],
  ])('400 ValidationException for %s', async (_label, material) => {
    const error = await rejection(importKey(material()), 'ValidationException');
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  test('400 for a bad name, too many tags, an aws: tag key, a malformed ARN; 404 for an unknown one', async () => {
    await rejection(importKey(keys[0].publicKeyPem, 'bad name!'), 'ValidationException');
    const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await rejection(importKey(keys[0].publicKeyPem, undefined, fiftyOne), 'ValidationException');
    await rejection(importKey(keys[0].publicKeyPem, undefined, { 'aws:x': 'y' }), 'ValidationException');
    expect(ivs.publicKeys()).toEqual([]);

    const playbackKeyArn = `arn:aws:ivs:us-east-1:${IVS_STAND_IN_ACCOUNT}:playback-key/AAAAbbbbCCCC`;
    for (const arn of ['AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', playbackKeyArn]) {
      await rejection(client.send(new DeletePublicKeyCommand({ arn })), 'ValidationException');
    }
    const notFound = await rejection(
      client.send(new DeletePublicKeyCommand({ arn: UNKNOWN_ARN })),
      'ResourceNotFoundException',
    );
    expect(notFound).toBeInstanceOf(ResourceNotFoundException);
    expect(notFound.$metadata.httpStatusCode).toBe(404);
    expect(notFound.message).toBe('UnknownError');
    expect((notFound as ResourceNotFoundException).exceptionMessage).toContain(UNKNOWN_ARN);
    await rejection(
      client.send(new ListTagsForResourceCommand({ resourceArn: UNKNOWN_ARN })),
      'ResourceNotFoundException',
    );
  });

  test('429 has no class of its own in the real-time client: a service exception named ThrottlingException, retried', async () => {
    const arn = await arnOf(keys[0].publicKeyPem);
    ivs.realTime.throttleFirst(1, 'GetPublicKey');
    const error = await rejection(client.send(new GetPublicKeyCommand({ arn })), 'ThrottlingException');
    expect(error.constructor).toBe(IVSRealTimeServiceException);
    expect(error.$metadata.httpStatusCode).toBe(429);

    const retrying = newClient({ maxAttempts: 3, retryStrategy: retryWithoutDelay(3) });
    ivs.realTime.throttleFirst(2);
    const { $metadata } = await retrying.send(new GetPublicKeyCommand({ arn }));
    expect($metadata.attempts).toBe(3);
    retrying.destroy();
  });

  test('failNext: PendingVerification and AccessDeniedException (403), InternalServerException (500)', async () => {
    const arn = await arnOf(keys[0].publicKeyPem);
    ivs.realTime.failNext('DeletePublicKey', 'PendingVerification');
    ivs.realTime.failNext('DeletePublicKey', 403);
    ivs.realTime.failNext('DeletePublicKey', 'ConflictException');
    ivs.realTime.failNext('DeletePublicKey');
    const classes = [PendingVerification, AccessDeniedException, ConflictException, InternalServerException];
    for (const errorClass of classes) {
      const error = await client.send(new DeletePublicKeyCommand({ arn })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorClass);
    }
    await client.send(new DeletePublicKeyCommand({ arn }));
    expect(ivs.realTime.calls.slice(1).map((c) => c.status)).toEqual([403, 403, 409, 500, 200]);
  });
});

describe('two APIs, two stores, as in AWS', () => {
  const ivsClient = () => new IvsClient({ endpoint: ivs.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

  test('one key may be a playback key pair and a public key; each API counts and records its own', async () => {
    const lowLatency = ivsClient();
    await lowLatency.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: keys[0].publicKeyPem }));
    const arn = await arnOf(keys[0].publicKeyPem);
    for (const key of keys.slice(1, 3)) await importKey(key.publicKeyPem);
    ivs.importAsSomeoneElse(keys[3].publicKeyPem);
    expect(ivs.keyPairs()).toHaveLength(2);
    expect(ivs.publicKeys()).toHaveLength(3);
    expect(ivs.calls.map((c) => c.operation)).toEqual(['ImportPlaybackKeyPair']);
    expect(ivs.callCounts()).toMatchObject({ ImportPlaybackKeyPair: 1, TagResource: 0 });
    expect(ivs.realTime.callCounts()).toMatchObject({ ImportPublicKey: 3, GetPublicKey: 0 });

    // Tags go to the API that holds the resource: each endpoint knows only its own keys.
    const lowLatencyTags = lowLatency.send(new ivsLowLatency.ListTagsForResourceCommand({ resourceArn: arn }));
    await expect(lowLatencyTags).rejects.toBeInstanceOf(ivsLowLatency.ResourceNotFoundException);
    const keyPairArn = ivs.keyPairs()[0].arn;
    await rejection(
      client.send(new ListTagsForResourceCommand({ resourceArn: keyPairArn })),
      'ResourceNotFoundException',
    );

    ivs.resetCalls();
    expect([ivs.calls, ivs.realTime.calls]).toEqual([[], []]);
    lowLatency.destroy();
  });

  test('clientEnvironment() points default-configured clients of both APIs at the stand-in', async () => {
    await importKey(keys[0].publicKeyPem);
    const saved = { ...process.env };
    Object.assign(process.env, ivs.clientEnvironment());
    try {
      const realTime = new IVSRealTimeClient({});
      const lowLatency = new IvsClient({});
      expect((await realTime.send(new ListPublicKeysCommand({}))).publicKeys).toHaveLength(1);
      expect((await lowLatency.send(new ListPlaybackKeyPairsCommand({}))).keyPairs).toEqual([]);
      realTime.destroy();
      lowLatency.destroy();
    } finally {
      process.env = saved;
    }
    expect(ivs.clientEnvironment()).toMatchObject({ AWS_ENDPOINT_URL_IVS_REALTIME: ivs.realTimeEndpoint });
  });

  test('unsigned requests, another service scope and low-latency paths are refused on the real-time endpoint', async () => {
    const post = (path: string, service?: string) =>
      fetch(`${ivs.realTimeEndpoint}${path}`, {
        method: 'POST',
        body: '{}',
        headers: service
          ? { authorization: `AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/${service}/aws4_request` }
          : {},
      });
    expect((await post('/ListPublicKeys')).status).toBe(403);
    expect((await post('/ListPublicKeys', 's3')).status).toBe(403);
    expect((await post('/ListPlaybackKeyPairs', 'ivs')).status).toBe(404);
    expect((await post('/ListPublicKeys', 'ivs')).status).toBe(200);
    expect(ivs.realTime.calls).toHaveLength(1);
  });
});

describe('fault injection and observation on the real-time API', () => {
  test('setRateLimit: 3 TPS per public-key operation, 10 for tags, within a sliding second', async () => {
    let now = 1_000_000;
    await restart({ clock: () => now });
    ivs.realTime.setRateLimit();
    const arn = await arnOf(keys[0].publicKeyPem);
    const get = () => client.send(new GetPublicKeyCommand({ arn }));
    const burst = await Promise.allSettled([get(), get(), get(), get()]);
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    await Promise.all(
      Array.from({ length: 10 }, () => client.send(new ListTagsForResourceCommand({ resourceArn: arn }))),
    );
    await rejection(client.send(new ListTagsForResourceCommand({ resourceArn: arn })), 'ThrottlingException');
    now += 1000;
    await get();
    ivs.realTime.setRateLimit({});
    await Promise.all([get(), get(), get(), get()]);
  });

  test('hangNext and commitThenHangNext: no answer, before or after the import is carried out', async () => {
    ivs.realTime.hangNext('ImportPublicKey');
    ivs.realTime.commitThenHangNext('ImportPublicKey');
    for (const key of keys.slice(0, 2)) {
      const abort = new AbortController();
      const hanging = client.send(new ImportPublicKeyCommand({ publicKeyMaterial: key.publicKeyPem }), {
        abortSignal: abort.signal,
      });
      await ivs.realTime.nextCall('ImportPublicKey');
      abort.abort();
      await expect(hanging).rejects.toMatchObject({ name: 'AbortError' });
    }
    expect(ivs.realTime.calls.map((c) => c.status)).toEqual([0, 0]);
    expect(ivs.publicKeys().map((k) => k.publicKeyMaterial)).toEqual([keys[1].publicKeyPem]);
  });

  test('holdAnswer, hideFromNextList, deleteBehindTheBack, importAsSomeoneElse', async () => {
    const arn = await arnOf(keys[0].publicKeyPem);
    let release!: () => void;
    ivs.realTime.holdAnswer('DeletePublicKey', new Promise<void>((resolve) => (release = resolve)));
    const deleting = client.send(new DeletePublicKeyCommand({ arn }));
    await ivs.realTime.nextCall('DeletePublicKey');
    expect(ivs.publicKeys()).toEqual([]); // carried out, not yet answered
    release();
    await deleting;

    const foreign = ivs.realTime.importAsSomeoneElse(keys[1].publicKeyPem, 'theirs', { owner: 'them' });
    expect(foreign).toMatchObject({ arn: expect.stringMatching(PUBLIC_KEY_ARN), name: 'theirs' });
    ivs.realTime.hideFromNextList(foreign.arn);
    expect((await client.send(new ListPublicKeysCommand({}))).publicKeys).toEqual([]);
    expect((await client.send(new ListPublicKeysCommand({}))).publicKeys).toEqual([
      { arn: foreign.arn, name: 'theirs', tags: { owner: 'them' } },
    ]);
    expect(ivs.realTime.deleteBehindTheBack(foreign.arn)).toBe(true);
    expect(ivs.realTime.deleteBehindTheBack(foreign.arn)).toBe(false);
    expect(() => ivs.realTime.importAsSomeoneElse('nope')).toThrow(/ValidationException/);
    expect(ivs.realTime.calls.map((c) => c.operation)).toEqual([
      'ImportPublicKey',
      'DeletePublicKey',
      'ListPublicKeys',
      'ListPublicKeys',
    ]);
  });
});

describe('the stages a participant token needs: CreateStage and GetStage through @aws-sdk/client-ivs-realtime', () => {
  test('CreateStage answers the stage with its endpoints, and GetStage the same stage', async () => {
    const { stage, participantTokens } = await client.send(
      new CreateStageCommand({ name: 'room-1', tags: { team: 'rt' } }),
    );
    expect(stage).toEqual({
      arn: expect.stringMatching(/^arn:aws:ivs:us-east-1:123456789012:stage\/[a-zA-Z0-9]{12}$/),
      name: 'room-1',
      tags: { team: 'rt' },
      endpoints: {
        events: 'wss://global.events.live-video.net',
        whip: expect.stringMatching(/^https:\/\/[0-9a-f]{12}\.global-bm\.whip\.live-video\.net$/),
        rtmp: expect.stringMatching(/^rtmp:\/\//),
        rtmps: expect.stringMatching(/^rtmps:\/\//),
      },
    });
    expect(participantTokens).toEqual([]);

    expect((await client.send(new GetStageCommand({ arn: stage!.arn }))).stage).toEqual(stage);
    expect(ivs.realTime.calls.map((c) => [c.operation, c.status, c.arn])).toEqual([
      ['CreateStage', 200, undefined],
      ['GetStage', 200, stage!.arn],
    ]);
  });

  test('createStage() sets a stage up without a call; each stage has a WHIP endpoint of its own', async () => {
    const [one, two] = [ivs.createStage('a'), ivs.createStage('b')];
    expect(ivs.realTime.calls).toEqual([]);
    expect(one.endpoints.whip).not.toBe(two.endpoints.whip);

    const { stage } = await client.send(new GetStageCommand({ arn: two.arn }));
    expect(stage).toMatchObject({ arn: two.arn, name: 'b', endpoints: two.endpoints });
  });

  test('GetStage of an unknown stage is ResourceNotFoundException, of a malformed ARN ValidationException', async () => {
    await rejection(
      client.send(new GetStageCommand({ arn: `arn:aws:ivs:us-east-1:${IVS_STAND_IN_ACCOUNT}:stage/AAAAbbbbCCCC` })),
      'ResourceNotFoundException',
    );
    await rejection(client.send(new GetStageCommand({ arn: UNKNOWN_ARN })), 'ValidationException');
  });

  test('GetStage is faulted and limited as the key operations are (5 a second)', async () => {
    const { arn } = ivs.createStage();
    ivs.realTime.failNext('GetStage', 'AccessDeniedException');
    await rejection(client.send(new GetStageCommand({ arn })), 'AccessDeniedException');

    ivs.realTime.setRateLimit();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        client.send(new GetStageCommand({ arn })).then(
          () => 200,
          (e: Error) => e.name,
        ),
      ),
    );
    expect(answers.filter((answer) => answer === 200)).toHaveLength(5);
    expect(answers.filter((answer) => answer === 'ThrottlingException')).toHaveLength(1);
  });
});
