import { createHash, generateKeyPairSync, KeyObject } from 'node:crypto';
import {
  AccessDeniedException,
  ConflictException,
  DeletePlaybackKeyPairCommand,
  GetPlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  InternalServerException,
  IvsClient,
  IvsServiceException,
  ListPlaybackKeyPairsCommand,
  ListTagsForResourceCommand,
  paginateListPlaybackKeyPairs,
  PendingVerification,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  TagResourceCommand,
  ThrottlingException,
  UntagResourceCommand,
  ValidationException,
} from '@aws-sdk/client-ivs';
import { IVS_STAND_IN_ACCOUNT, IvsStandIn } from '../tools/stand-ins/ivs-stand-in';

const PUBLIC_KEY_INVALID = 'Request member: publicKeyMaterial failed to satisfy the constraints';
const UNKNOWN_ARN = `arn:aws:ivs:us-east-1:${IVS_STAND_IN_ACCOUNT}:playback-key/AAAAbbbbCCCC`;

function p384Key(): { publicKeyMaterial: string; publicKey: KeyObject; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return {
    publicKey,
    publicKeyMaterial: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** Retries THROTTLING/TRANSIENT errors at once, so tests can count attempts without the SDK's 1 s backoff. */
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

/** The rejection of `promise`, asserted to be an instance of `errorClass` carrying `exceptionMessage`. */
async function rejection<E extends IvsServiceException>(
  promise: Promise<unknown>,
  errorClass: new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  expect((error as { exceptionMessage?: string }).exceptionMessage).toEqual(expect.any(String));
  return error as E;
}

let ivs: IvsStandIn;
let client: IvsClient;
const keys = Array.from({ length: 5 }, p384Key);

function newClient(overrides: Partial<ConstructorParameters<typeof IvsClient>[0]> = {}): IvsClient {
  return new IvsClient({
    endpoint: ivs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...overrides,
  });
}

const importKey = (publicKeyMaterial: string, name?: string, tags?: Record<string, string>) =>
  client.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial, name, tags }));

beforeEach(async () => {
  ivs = await IvsStandIn.start();
  client = newClient();
});

afterEach(async () => {
  client.destroy();
  await ivs.stop();
});

describe('round trip through the real SDK', () => {
  test('import, get, tag, untag, list tags, delete', async () => {
    const { keyPair } = await importKey(keys[0].publicKeyMaterial, 'my-key_1', { team: 'video' });
    expect(keyPair).toEqual({
      arn: expect.stringMatching(/^arn:aws:ivs:us-east-1:123456789012:playback-key\/[a-zA-Z0-9]{12}$/),
      name: 'my-key_1',
      fingerprint: expect.any(String),
      tags: { team: 'video' },
    });
    const arn = keyPair!.arn!;

    expect((await client.send(new GetPlaybackKeyPairCommand({ arn }))).keyPair).toEqual(keyPair);

    await client.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'prod', 'a b/c': 'x&y=z' } }));
    const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags).toEqual({ team: 'video', env: 'prod', 'a b/c': 'x&y=z' });

    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'a b/c', 'not-there'] }));
    expect((await client.send(new GetPlaybackKeyPairCommand({ arn }))).keyPair?.tags).toEqual({ env: 'prod' });

    await client.send(new DeletePlaybackKeyPairCommand({ arn }));
    expect(ivs.keyPairs()).toEqual([]);
    await rejection(client.send(new GetPlaybackKeyPairCommand({ arn })), ResourceNotFoundException);
  });

  test('name defaults to empty and tags to {}', async () => {
    const { keyPair } = await importKey(keys[0].publicKeyMaterial);
    expect(keyPair).toMatchObject({ name: '', tags: {} });
  });

  test('fingerprint is the MD5 of the DER SubjectPublicKeyInfo, colon-separated', async () => {
    const { keyPair } = await importKey(keys[1].publicKeyMaterial);
    const der = keys[1].publicKey.export({ type: 'spki', format: 'der' });
    expect(der.length).toBe(120);
    const expected = createHash('md5')
      .update(der)
      .digest('hex')
      .replace(/(..)(?!$)/g, '$1:');
    expect(keyPair?.fingerprint).toBe(expected);
    expect(keyPair?.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  });

  test('ListPlaybackKeyPairs paginates with an opaque token and omits fingerprints', async () => {
    const arns = [];
    for (const key of keys.slice(0, 3)) arns.push((await importKey(key.publicKeyMaterial, 'k')).keyPair!.arn);

    const first = await client.send(new ListPlaybackKeyPairsCommand({ maxResults: 2 }));
    expect(first.keyPairs).toEqual([
      { arn: arns[0], name: 'k', tags: {} },
      { arn: arns[1], name: 'k', tags: {} },
    ]);
    expect(first.nextToken).toMatch(/^[a-zA-Z0-9+/=_-]+$/);
    const second = await client.send(new ListPlaybackKeyPairsCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.keyPairs?.map((k) => k.arn)).toEqual([arns[2]]);
    expect(second.nextToken).toBeUndefined();

    const paged = [];
    for await (const page of paginateListPlaybackKeyPairs({ client, pageSize: 1 }, {}))
      paged.push(...(page.keyPairs ?? []));
    expect(paged.map((k) => k.arn)).toEqual(arns);

    const all = await client.send(new ListPlaybackKeyPairsCommand({}));
    expect(all.keyPairs).toHaveLength(3);
    expect(all.nextToken).toBeUndefined();
  });

  test('ListPlaybackKeyPairs rejects maxResults outside 1..100 and bad tokens', async () => {
    await rejection(client.send(new ListPlaybackKeyPairsCommand({ maxResults: 0 })), ValidationException);
    await rejection(client.send(new ListPlaybackKeyPairsCommand({ maxResults: 101 })), ValidationException);
    await rejection(client.send(new ListPlaybackKeyPairsCommand({ nextToken: 'garbage' })), ValidationException);
  });
});

describe('errors arrive as the SDK error classes', () => {
  test('409 ConflictException for the same public key twice (also against a foreign key)', async () => {
    await importKey(keys[0].publicKeyMaterial);
    const error = await rejection(importKey(keys[0].publicKeyMaterial, 'other-name'), ConflictException);
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.name).toBe('ConflictException');

    ivs.importAsSomeoneElse(keys[1].publicKeyMaterial, 'theirs');
    await rejection(importKey(keys[1].publicKeyMaterial), ConflictException);
  });

  test('402 ServiceQuotaExceededException on the fourth key', async () => {
    for (const key of keys.slice(0, 3)) await importKey(key.publicKeyMaterial);
    const error = await rejection(importKey(keys[3].publicKeyMaterial), ServiceQuotaExceededException);
    expect(error.$metadata.httpStatusCode).toBe(402);
    expect(ivs.keyPairs()).toHaveLength(3);
  });

  test('quotaBeforeDuplicate: a full region answers 402 even for a key it already holds (default: 409)', async () => {
    await ivs.stop();
    ivs = await IvsStandIn.start({ quotaBeforeDuplicate: true });
    client = newClient();
    for (const key of keys.slice(0, 3)) await importKey(key.publicKeyMaterial);
    await rejection(importKey(keys[0].publicKeyMaterial), ServiceQuotaExceededException);
    await client.send(new DeletePlaybackKeyPairCommand({ arn: ivs.keyPairs()[2].arn }));
    await rejection(importKey(keys[0].publicKeyMaterial), ConflictException); // room again: the duplicate shows
  });

  const spkiPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }) as string;
  test.each([
    ['a P-256 key', () => spkiPem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey)],
    ['an RSA key', () => spkiPem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)],
    ['a P-384 private key', () => keys[0].privatePem],
    [
      'a P-384 public key in the wrong PEM label',
      () => keys[0].publicKeyMaterial.replace(/PUBLIC KEY/g, 'EC PUBLIC KEY'),
    ],
    ['garbage', () => 'not a key'],
    ['garbage inside a PEM block', () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'],
  ])('400 ValidationException for %s', async (_label, material) => {
    const error = await rejection(importKey(material()), ValidationException);
    expect(error.exceptionMessage).toBe(PUBLIC_KEY_INVALID);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  test.each([
    ['a bad name', 'bad name!', undefined],
    ['a 129-character name', 'n'.repeat(129), undefined],
    ['51 tags', undefined, Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))],
    ['an aws: tag key', undefined, { 'aws:cloudformation:stack-name': 'x' }],
    ['a 129-character tag key', undefined, { ['k'.repeat(129)]: 'v' }],
    ['a 257-character tag value', undefined, { k: 'v'.repeat(257) }],
  ])('400 ValidationException on import with %s', async (_label, name, tags) => {
    await rejection(importKey(keys[0].publicKeyMaterial, name, tags), ValidationException);
    expect(ivs.keyPairs()).toEqual([]);
  });

  test('tag operations validate too, and cap the total at 50 tags', async () => {
    const arn = (await importKey(keys[0].publicKeyMaterial, undefined, { k0: 'v' })).keyPair!.arn!;
    await rejection(
      client.send(new TagResourceCommand({ resourceArn: arn, tags: { 'aws:x': 'y' } })),
      ValidationException,
    );
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`n${i}`, 'v']));
    await rejection(client.send(new TagResourceCommand({ resourceArn: arn, tags: fifty })), ValidationException);
    // The SDK sends no tagKeys parameter at all for an empty list; the stand-in answers 400 (tagKeys is required).
    await rejection(client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [] })), ValidationException);
  });

  test('404 ResourceNotFoundException for a well-formed unknown ARN, 400 for a malformed one', async () => {
    const { keyPair } = await importKey(keys[0].publicKeyMaterial);
    ivs.deleteBehindTheBack(keyPair!.arn!);
    for (const arn of [UNKNOWN_ARN, keyPair!.arn!]) {
      const error = await rejection(client.send(new GetPlaybackKeyPairCommand({ arn })), ResourceNotFoundException);
      expect(error.$metadata.httpStatusCode).toBe(404);
      await rejection(client.send(new DeletePlaybackKeyPairCommand({ arn })), ResourceNotFoundException);
      await rejection(
        client.send(new TagResourceCommand({ resourceArn: arn, tags: { a: 'b' } })),
        ResourceNotFoundException,
      );
      await rejection(
        client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] })),
        ResourceNotFoundException,
      );
      await rejection(client.send(new ListTagsForResourceCommand({ resourceArn: arn })), ResourceNotFoundException);
    }
    for (const arn of [
      'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
      'stack-Key-ABC123',
      `${UNKNOWN_ARN}/x`,
    ]) {
      await rejection(client.send(new DeletePlaybackKeyPairCommand({ arn })), ValidationException);
      await rejection(client.send(new ListTagsForResourceCommand({ resourceArn: arn })), ValidationException);
    }
  });

  test('error message stays UnknownError; the service text is in exceptionMessage', async () => {
    const error = await rejection(
      client.send(new GetPlaybackKeyPairCommand({ arn: UNKNOWN_ARN })),
      ResourceNotFoundException,
    );
    expect(error.message).toBe('UnknownError');
    expect(error.exceptionMessage).toContain(UNKNOWN_ARN);
  });
});

describe('fault injection', () => {
  test('throttleFirst(n, operation) throttles only that operation, and the calls are recorded', async () => {
    const arn = (await importKey(keys[0].publicKeyMaterial)).keyPair!.arn!;
    ivs.resetCalls();
    ivs.throttleFirst(2, 'GetPlaybackKeyPair');
    await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    const error = await rejection(client.send(new GetPlaybackKeyPairCommand({ arn })), ThrottlingException);
    expect(error.$metadata.httpStatusCode).toBe(429);
    await rejection(client.send(new GetPlaybackKeyPairCommand({ arn })), ThrottlingException);
    await client.send(new GetPlaybackKeyPairCommand({ arn }));
    expect(ivs.calls.map((c) => [c.operation, c.status, c.errorType])).toEqual([
      ['ListTagsForResource', 200, undefined],
      ['GetPlaybackKeyPair', 429, 'ThrottlingException'],
      ['GetPlaybackKeyPair', 429, 'ThrottlingException'],
      ['GetPlaybackKeyPair', 200, undefined],
    ]);
    expect(ivs.calls[1]).toMatchObject({ arn, body: { arn } });
  });

  test('throttleFirst(n) without an operation throttles any call; the SDK retry is visible in calls', async () => {
    const retrying = newClient({ maxAttempts: 3, retryStrategy: retryWithoutDelay(3) });
    ivs.throttleFirst(2);
    const command = new ImportPlaybackKeyPairCommand({ publicKeyMaterial: keys[0].publicKeyMaterial });
    const { keyPair, $metadata } = await retrying.send(command);
    expect($metadata.attempts).toBe(3);
    expect(ivs.calls.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(ivs.callCounts()).toMatchObject({ ImportPlaybackKeyPair: 3, GetPlaybackKeyPair: 0 });
    expect(ivs.keyPairs().map((k) => k.arn)).toEqual([keyPair?.arn]);
    retrying.destroy();
  });

  test('setRateLimit: a burst over the limit within one second is throttled, per operation', async () => {
    let now = 1_000_000;
    await ivs.stop();
    ivs = await IvsStandIn.start({ clock: () => now });
    client = newClient();
    ivs.setRateLimit(); // the IVS quotas: 3 TPS per key-pair operation, 10 TPS for tag operations
    const arn = (await importKey(keys[0].publicKeyMaterial)).keyPair!.arn!;

    const get = () => client.send(new GetPlaybackKeyPairCommand({ arn }));
    const burst = await Promise.allSettled([get(), get(), get(), get()]);
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const rejected = burst.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ThrottlingException);

    // Other operations have their own window; tag operations allow 10.
    await Promise.all(
      Array.from({ length: 10 }, () => client.send(new ListTagsForResourceCommand({ resourceArn: arn }))),
    );
    await rejection(client.send(new ListTagsForResourceCommand({ resourceArn: arn })), ThrottlingException);

    now += 999; // still inside the window of the first three Gets
    await rejection(client.send(new GetPlaybackKeyPairCommand({ arn })), ThrottlingException);
    now += 1; // the window has slid past them
    await client.send(new GetPlaybackKeyPairCommand({ arn }));

    ivs.setRateLimit(1);
    now += 1000;
    await client.send(new DeletePlaybackKeyPairCommand({ arn }));
    await rejection(client.send(new DeletePlaybackKeyPairCommand({ arn })), ThrottlingException);
    ivs.setRateLimit({});
    await rejection(client.send(new DeletePlaybackKeyPairCommand({ arn })), ResourceNotFoundException);
  });

  test('failNext answers one call with 500 InternalServerException (or the given error)', async () => {
    ivs.failNext('ImportPlaybackKeyPair');
    const error = await rejection(importKey(keys[0].publicKeyMaterial), InternalServerException);
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(ivs.keyPairs()).toEqual([]);
    const arn = (await importKey(keys[0].publicKeyMaterial)).keyPair!.arn!;

    ivs.failNext('DeletePlaybackKeyPair', 'PendingVerification');
    ivs.failNext('DeletePlaybackKeyPair', 403);
    await rejection(client.send(new DeletePlaybackKeyPairCommand({ arn })), PendingVerification);
    await rejection(client.send(new DeletePlaybackKeyPairCommand({ arn })), AccessDeniedException);
    await client.send(new DeletePlaybackKeyPairCommand({ arn }));
    expect(ivs.calls.map((c) => c.status)).toEqual([500, 200, 403, 403, 200]);
  });

  test('hangNext holds one call without an answer until the client aborts it; the next call is answered', async () => {
    ivs.hangNext('ImportPlaybackKeyPair');
    const abort = new AbortController();
    const hanging = client.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial: keys[0].publicKeyMaterial }), {
      abortSignal: abort.signal,
    });
    const settled = await Promise.race([
      hanging.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((resolve) => setTimeout(resolve, 300, 'pending')),
    ]);
    expect(settled).toBe('pending');
    abort.abort();
    await expect(hanging).rejects.toMatchObject({ name: 'AbortError' });

    await importKey(keys[0].publicKeyMaterial);
    expect(ivs.calls.map((c) => [c.operation, c.status])).toEqual([
      ['ImportPlaybackKeyPair', 0],
      ['ImportPlaybackKeyPair', 200],
    ]);
    expect(ivs.keyPairs()).toHaveLength(1);
  });

  test('a 500 is retried by the SDK and both attempts are recorded', async () => {
    const retrying = newClient({ maxAttempts: 2, retryStrategy: retryWithoutDelay(2) });
    ivs.failNext('ListPlaybackKeyPairs');
    await retrying.send(new ListPlaybackKeyPairsCommand({}));
    expect(ivs.calls.map((c) => [c.operation, c.status])).toEqual([
      ['ListPlaybackKeyPairs', 500],
      ['ListPlaybackKeyPairs', 200],
    ]);
    retrying.destroy();
  });
});

describe('interleaving concurrent callers', () => {
  test("nextCall resolves once the call was carried out; holdAnswer holds only that call's answer until released", async () => {
    const arn = (await importKey(keys[0].publicKeyMaterial)).keyPair!.arn!;
    let release!: () => void;
    ivs.holdAnswer(
      'DeletePlaybackKeyPair',
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    const deleted = ivs.nextCall('DeletePlaybackKeyPair');
    let answered = false;
    const deleting = client.send(new DeletePlaybackKeyPairCommand({ arn })).then(() => {
      answered = true;
    });

    expect(await deleted).toMatchObject({ operation: 'DeletePlaybackKeyPair', arn, status: 200 });
    expect(ivs.keyPairs()).toEqual([]); // carried out
    await importKey(keys[1].publicKeyMaterial); // other calls are answered meanwhile
    expect(answered).toBe(false);
    release();
    await deleting;
    expect(answered).toBe(true);
    await client.send(new DeletePlaybackKeyPairCommand({ arn: ivs.keyPairs()[0].arn })); // held once only
  });

  test('a held error answer is sent after the release too', async () => {
    ivs.failNext('ListPlaybackKeyPairs', 403);
    ivs.holdAnswer('ListPlaybackKeyPairs', Promise.resolve());
    await rejection(client.send(new ListPlaybackKeyPairsCommand({})), AccessDeniedException);
  });
});

describe('observation and seeding', () => {
  test('importAsSomeoneElse seeds without recording a call and counts toward the quota', async () => {
    const foreign = ivs.importAsSomeoneElse(keys[0].publicKeyMaterial, 'theirs', { owner: 'them' });
    ivs.importAsSomeoneElse(keys[1].publicKeyMaterial);
    expect(ivs.calls).toEqual([]);
    expect((await client.send(new GetPlaybackKeyPairCommand({ arn: foreign.arn }))).keyPair).toEqual({
      arn: foreign.arn,
      name: 'theirs',
      fingerprint: foreign.fingerprint,
      tags: { owner: 'them' },
    });
    await importKey(keys[2].publicKeyMaterial);
    await rejection(importKey(keys[3].publicKeyMaterial), ServiceQuotaExceededException);
    expect(() => ivs.importAsSomeoneElse(keys[4].publicKeyMaterial)).toThrow(/ServiceQuotaExceededException/);
    expect(() => ivs.importAsSomeoneElse('nope')).toThrow(/ValidationException/);
  });

  test('keyPairs() is a snapshot with the key material; deleteBehindTheBack records nothing', async () => {
    const { keyPair } = await importKey(keys[0].publicKeyMaterial, 'mine', { a: '1' });
    const snapshot = ivs.keyPairs();
    expect(snapshot).toEqual([{ ...keyPair, publicKeyMaterial: keys[0].publicKeyMaterial }]);
    (snapshot[0].tags as Record<string, string>).a = 'changed';
    expect(ivs.keyPairs()[0].tags).toEqual({ a: '1' });

    ivs.resetCalls();
    expect(ivs.deleteBehindTheBack(keyPair!.arn!)).toBe(true);
    expect(ivs.deleteBehindTheBack(keyPair!.arn!)).toBe(false);
    expect(ivs.calls).toEqual([]);
    expect(ivs.keyPairs()).toEqual([]);
  });

  test('callCounts counts every operation, resetCalls clears', async () => {
    const arn = (await importKey(keys[0].publicKeyMaterial)).keyPair!.arn!;
    await client.send(new GetPlaybackKeyPairCommand({ arn }));
    await client.send(new GetPlaybackKeyPairCommand({ arn }));
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['x', 'y'] }));
    expect(ivs.callCounts()).toEqual({
      ImportPlaybackKeyPair: 1,
      GetPlaybackKeyPair: 2,
      ListPlaybackKeyPairs: 0,
      DeletePlaybackKeyPair: 0,
      TagResource: 0,
      UntagResource: 1,
      ListTagsForResource: 0,
    });
    expect(ivs.calls[3]).toMatchObject({ operation: 'UntagResource', arn, body: { tagKeys: ['x', 'y'] } });
    ivs.resetCalls();
    expect(ivs.calls).toEqual([]);
    expect(ivs.callCounts().GetPlaybackKeyPair).toBe(0);
  });

  test('unsigned requests and unknown routes are refused without being recorded', async () => {
    const post = (path: string, service?: string) =>
      fetch(`${ivs.endpoint}${path}`, {
        method: 'POST',
        body: '{}',
        headers: service
          ? { authorization: `AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/${service}/aws4_request` }
          : {},
      });
    expect((await post('/ListPlaybackKeyPairs')).status).toBe(403);
    expect((await post('/ListPlaybackKeyPairs', 's3')).status).toBe(403);
    expect((await post('/ListChannels', 'ivs')).status).toBe(404);
    await expect(newClient().send(new ListPlaybackKeyPairsCommand({}))).resolves.toBeDefined();
    expect(ivs.calls).toHaveLength(1);
  });
});
