/**
 * `Custom::IvsGeneratedPlaybackKeyPair` through the event sequences CloudFormation sends, against
 * the shipped handler bundle on the Lambda runtime's Node.js, with the IVS stand-in and moto's real
 * Secrets Manager server. After every step, IVS holds exactly the secret's AWSCURRENT key (and its
 * AWSPREVIOUS key with keepPreviousKey), each once, and no version carries AWSPENDING.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { IvsClient, UntagResourceCommand } from '@aws-sdk/client-ivs';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  GENERATION_TAG_KEY,
  HANDLER_NODE_MAJOR,
  OWNER_TAG_KEY,
} from '../../lib/shared/contract';
import { signPlaybackToken, verifyPlaybackToken } from '../../lib/tokens';
import { RESPONSE_URL, SimulatedResource } from '../../tools/stand-ins/cloudformation';
import { IvsOperation, IvsStandIn } from '../../tools/stand-ins/ivs-stand-in';
import { p384, pemBody } from '../support/keys';
import { MotoServer, startMotoServer } from '../../tools/stand-ins/moto-server';
import { loadShippedHandler, OnEventHandler, synthesizeHandlerAsset } from '../support/shipped-handler';

jest.setTimeout(60_000);

interface GeneratedProperties {
  readonly SecretArn: string;
  readonly Generation: string;
  readonly KeepPreviousKey: string;
  readonly Name: string;
  readonly Tags?: Record<string, string>;
}

interface SecretKey {
  readonly versionId: string;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly fingerprint: string;
  readonly generation: number;
}

const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';

let assemblyDir: string;
let assetDir: string;
let moto: MotoServer;
let secretsManager: SecretsManagerClient;
let ivs: IvsStandIn;
let handler: OnEventHandler;
let logLines: string[];
let secretCount = 0;
/** Every private key the secrets held, to prove none reached a log line or an answer. */
const privateKeys = new Set<string>();

beforeAll(async () => {
  ({ assemblyDir, assetDir } = synthesizeHandlerAsset());
  moto = await startMotoServer();
});

beforeEach(async () => {
  await moto.reset();
  ivs = await IvsStandIn.start();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = moto.endpoint;
  handler = loadShippedHandler(assetDir, ivs);
  secretsManager = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
  });
  logLines = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map(String).join(' '));
    });
  }
});

afterEach(async () => {
  try {
    for (const line of logLines) {
      expect(line).not.toContain(RESPONSE_URL);
      for (const privateKey of privateKeys) expect(line).not.toContain(pemBody(privateKey).slice(0, 32));
    }
  } finally {
    jest.restoreAllMocks();
    secretsManager.destroy();
    await ivs.stop();
  }
});

afterAll(async () => {
  await moto?.stop();
  fs.rmSync(assemblyDir, { recursive: true, force: true });
});

test("runs on the Node.js major of the handler's Lambda runtime", () => {
  expect(Number(process.versions.node.split('.')[0])).toBe(HANDLER_NODE_MAJOR);
});

/** The secret CloudFormation creates for the construct: empty, without GenerateSecretString. */
async function emptySecret(): Promise<string> {
  const { ARN } = await secretsManager.send(
    new CreateSecretCommand({ Name: `GeneratedKeySecret${++secretCount}-AbCdEf` }),
  );
  return ARN!;
}

function generated(logicalResourceId = 'GeneratedKey'): SimulatedResource<GeneratedProperties> {
  return new SimulatedResource<GeneratedProperties>(handler, logicalResourceId, {
    resourceType: GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  });
}

function props(
  secretArn: string,
  generation: number,
  options: { keep?: boolean; name?: string; tags?: Record<string, string> } = {},
): GeneratedProperties {
  return {
    SecretArn: secretArn,
    Generation: String(generation),
    KeepPreviousKey: String(options.keep ?? true),
    Name: options.name ?? 'viewer-key',
    Tags: options.tags ?? { team: 'video' },
  };
}

/** The version labelled `stage`, read with an explicit VersionStage (moto 5.2.5 needs it). */
async function keyAt(secretArn: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<SecretKey> {
  const { SecretString, VersionId } = await secretsManager.send(
    new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }),
  );
  const value = JSON.parse(SecretString!);
  privateKeys.add(value.privateKeyPem);
  return { versionId: VersionId!, ...value };
}

/** Staging labels by version id, from ListSecretVersionIds (deprecated versions included). */
async function labels(secretArn: string): Promise<Record<string, string[]>> {
  const { Versions } = await secretsManager.send(
    new ListSecretVersionIdsCommand({ SecretId: secretArn, IncludeDeprecated: true }),
  );
  return Object.fromEntries(
    (Versions ?? []).map((version) => [version.VersionId!, [...(version.VersionStages ?? [])].sort()]),
  );
}

/**
 * The invariant after every step: this resource's key pairs in IVS are exactly AWSCURRENT's key
 * (and AWSPREVIOUS's with keepPreviousKey), each once; each label on one version; no AWSPENDING.
 */
async function expectInSync(secretArn: string, keep = true): Promise<{ current: SecretKey; previous?: SecretKey }> {
  const current = await keyAt(secretArn, 'AWSCURRENT');
  const versions = await labels(secretArn);
  const holders = (stage: string) => Object.keys(versions).filter((id) => versions[id].includes(stage));
  expect(holders('AWSCURRENT')).toEqual([current.versionId]);
  expect(holders('AWSPENDING')).toEqual([]);
  const previous = holders('AWSPREVIOUS').length ? await keyAt(secretArn, 'AWSPREVIOUS') : undefined;
  const wanted = [current, ...(keep && previous ? [previous] : [])].map((key) => key.fingerprint).sort();
  const imported = ivs.keyPairs().filter((keyPair) => keyPair.tags[OWNER_TAG_KEY] === secretArn);
  expect(imported.map((keyPair) => keyPair.fingerprint).sort()).toEqual(wanted);
  for (const keyPair of imported) {
    const key = keyPair.fingerprint === current.fingerprint ? current : previous!;
    expect(keyPair.publicKeyMaterial.trim()).toBe(key.publicKeyPem.trim());
    expect(keyPair.tags[GENERATION_TAG_KEY]).toBe(String(key.generation));
  }
  return { current, previous };
}

function arnOf(fingerprint: string): string {
  return ivs.keyPairs().find((keyPair) => keyPair.fingerprint === fingerprint)!.arn;
}

/** Runs one event; returns its result and the IVS and Secrets Manager operations it called. */
async function step<T>(
  event: () => Promise<T>,
): Promise<{ result: T; ivsCalls: IvsOperation[]; secretsCalls: string[] }> {
  ivs.resetCalls();
  const logCount = logLines.length;
  const result = await event();
  return { result, ivsCalls: ivs.calls.map((call) => call.operation), secretsCalls: secretsCallsSince(logCount) };
}

async function failingStep(
  event: () => Promise<unknown>,
): Promise<{ error: Error; ivsCalls: IvsOperation[]; secretsCalls: string[] }> {
  ivs.resetCalls();
  const logCount = logLines.length;
  const error = await event().then(
    () => {
      throw new Error('expected the event to fail');
    },
    (e: Error) => e,
  );
  return { error, ivsCalls: ivs.calls.map((call) => call.operation), secretsCalls: secretsCallsSince(logCount) };
}

function secretsCallsSince(logCount: number): string[] {
  return logLines
    .slice(logCount)
    .filter((line) => line.startsWith('{"requestType"'))
    .flatMap((line) => (JSON.parse(line).secretsManagerCalls ?? []) as string[]);
}

async function tokenFrom(key: SecretKey): Promise<string> {
  return signPlaybackToken(key.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 600 });
}

/** Whether some key pair IVS holds verifies the token, as IVS checks it against every imported key. */
async function playsInIvs(token: string): Promise<boolean> {
  for (const keyPair of ivs.keyPairs()) {
    if (
      await verifyPlaybackToken(token, keyPair.publicKeyMaterial).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

test('create writes the key to the secret, then imports its public half; the answer carries no key', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  const created = await step(() => resource.create(props(secretArn, 1)));
  expect(created.secretsCalls).toEqual(['ListSecretVersionIds', 'PutSecretValue', 'UpdateSecretVersionStage']); // then AWSPENDING off
  expect(created.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair']);
  const { current, previous } = await expectInSync(secretArn);
  expect(previous).toBeUndefined();
  expect(current).toMatchObject({ versionId: 'cdk-ivs-playback-key-pair-generation-1', generation: 1 });
  expect(current.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  expect(created.result).toEqual({
    PhysicalResourceId: secretArn,
    Data: { Arn: arnOf(current.fingerprint), Fingerprint: current.fingerprint, PreviousArn: '', Generation: '1' },
  });
  expect(ivs.keyPairs()[0]).toMatchObject({
    name: 'viewer-key',
    tags: { team: 'video', [OWNER_TAG_KEY]: secretArn, [GENERATION_TAG_KEY]: '1' },
  });
  expect(JSON.stringify(resource.lastResponses)).not.toContain(pemBody(current.privateKeyPem).slice(0, 32));
  expect(Object.keys(await labels(secretArn))).toHaveLength(1);
});

test('rotation 1 -> 2 -> 3 keeps the previous key playing and retires the one before it', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  const first = (await expectInSync(secretArn)).current;
  const firstToken = await tokenFrom(first);
  expect(await playsInIvs(firstToken)).toBe(true);

  const second = await step(() => resource.update(props(secretArn, 2)));
  expect(second.secretsCalls).toEqual([
    'ListSecretVersionIds',
    'PutSecretValue',
    'UpdateSecretVersionStage',
    'UpdateSecretVersionStage',
  ]);
  expect(second.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair']); // generation 1 stays as it is
  expect((await step(() => resource.completeStackUpdate())).ivsCalls).toEqual([]); // same physical id: no cleanup Delete
  const afterTwo = await expectInSync(secretArn);
  expect(afterTwo.previous!.fingerprint).toBe(first.fingerprint);
  expect(afterTwo.current.generation).toBe(2);
  expect(second.result.Data).toEqual({
    Arn: arnOf(afterTwo.current.fingerprint),
    Fingerprint: afterTwo.current.fingerprint,
    PreviousArn: arnOf(first.fingerprint),
    Generation: '2',
  });
  expect(await playsInIvs(firstToken)).toBe(true); // signed before the rotation, still plays after one

  const third = await step(() => resource.update(props(secretArn, 3)));
  expect(third.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair', 'DeletePlaybackKeyPair']);
  const afterThree = await expectInSync(secretArn);
  expect(afterThree.previous!.fingerprint).toBe(afterTwo.current.fingerprint);
  expect(await playsInIvs(firstToken)).toBe(false); // and no longer after two
  expect(await playsInIvs(await tokenFrom(afterTwo.current))).toBe(true);
  // Generation 1's version remains, without labels (deprecated), never labelled again.
  expect(await labels(secretArn)).toEqual({
    'cdk-ivs-playback-key-pair-generation-1': [],
    'cdk-ivs-playback-key-pair-generation-2': ['AWSPREVIOUS'],
    'cdk-ivs-playback-key-pair-generation-3': ['AWSCURRENT'],
  });
});

test('tags change in place on both key pairs; a rename re-imports the same keys', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  await resource.update(props(secretArn, 2));
  const retagged = await step(() => resource.update(props(secretArn, 2, { tags: { team: 'live', env: 'prod' } })));
  expect(retagged.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'TagResource', 'TagResource']);
  expect(retagged.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue']); // the current key's fingerprint
  const { current, previous } = await expectInSync(secretArn);
  for (const keyPair of ivs.keyPairs()) expect(keyPair.tags).toMatchObject({ team: 'live', env: 'prod' });

  const untagged = await step(() => resource.update(props(secretArn, 2, { tags: { env: 'prod' } })));
  expect(untagged.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'UntagResource', 'UntagResource']);
  for (const keyPair of ivs.keyPairs())
    expect(keyPair.tags).toEqual({ env: 'prod', [OWNER_TAG_KEY]: secretArn, [GENERATION_TAG_KEY]: expect.any(String) });

  const renamed = await step(() => resource.update(props(secretArn, 2, { name: 'renamed', tags: { env: 'prod' } })));
  expect(renamed.ivsCalls).toEqual([
    'ListPlaybackKeyPairs',
    'DeletePlaybackKeyPair',
    'ImportPlaybackKeyPair',
    'DeletePlaybackKeyPair',
    'ImportPlaybackKeyPair',
  ]);
  expect(renamed.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue', 'GetSecretValue']); // each key's public half
  const after = await expectInSync(secretArn);
  expect([after.current.fingerprint, after.previous!.fingerprint]).toEqual([
    current.fingerprint,
    previous!.fingerprint,
  ]);
  expect(ivs.keyPairs().map((keyPair) => keyPair.name)).toEqual(['renamed', 'renamed']);
  expect(renamed.result.Data!.Arn).toBe(arnOf(current.fingerprint));
});

test('a rollback after a rotation keeps the new key: the lower generation rotates nothing', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1, { tags: { team: 'video' } }));
  const first = (await expectInSync(secretArn)).current;
  await resource.update(props(secretArn, 2, { tags: { team: 'live' } }));
  const rotated = await expectInSync(secretArn);

  const rollback = await step(() => resource.rollback());
  expect(rollback.result.cleanup).toBeUndefined(); // the physical id never changed
  expect(rollback.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue']); // no label moved
  expect(rollback.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'TagResource', 'TagResource']); // the previous template's tags
  const after = await expectInSync(secretArn);
  expect(after.current.fingerprint).toBe(rotated.current.fingerprint);
  expect(after.previous!.fingerprint).toBe(first.fingerprint);
  expect(rollback.result.answer.Data).toMatchObject({ Arn: arnOf(rotated.current.fingerprint), Generation: '2' });
  for (const keyPair of ivs.keyPairs()) expect(keyPair.tags.team).toBe('video');

  // The next rotation the template asks for (generation 2 again) is at or below AWSCURRENT: nothing happens.
  const again = await step(() => resource.update(props(secretArn, 2, { tags: { team: 'video' } })));
  expect(again.secretsCalls).not.toContain('PutSecretValue');
  expect((await expectInSync(secretArn)).current.fingerprint).toBe(rotated.current.fingerprint);
});

test('a retried or repeated Create writes no second version and imports no second key pair', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  const first = await resource.create(props(secretArn, 1));
  const repeated = await step(() => resource.create(props(secretArn, 1)));
  expect(repeated.result).toEqual(first);
  expect(repeated.ivsCalls).toEqual(['ListPlaybackKeyPairs']); // its key pair is in place, tags and all
  expect(repeated.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue']);
  await expectInSync(secretArn);
  expect(Object.keys(await labels(secretArn))).toEqual(['cdk-ivs-playback-key-pair-generation-1']);
});

test('a Create retried after it failed between writing the version and importing imports the version it wrote', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  ivs.failNext('ImportPlaybackKeyPair', 'AccessDeniedException');
  const failed = await failingStep(() => resource.create(props(secretArn, 1)));
  expect(failed.error.message).toMatch(/IVS ImportPlaybackKeyPair failed with AccessDeniedException/);
  // The version stays; Secrets Manager labels a secret's first version AWSCURRENT by itself (AWSPENDING is removed).
  expect(await labels(secretArn)).toEqual({ 'cdk-ivs-playback-key-pair-generation-1': ['AWSCURRENT'] });
  expect(ivs.keyPairs()).toEqual([]);
  const written = JSON.parse(
    (
      await secretsManager.send(
        new GetSecretValueCommand({
          SecretId: secretArn,
          VersionId: 'cdk-ivs-playback-key-pair-generation-1',
        }),
      )
    ).SecretString!,
  );
  privateKeys.add(written.privateKeyPem);

  const retried = await step(() => resource.create(props(secretArn, 1)));
  expect(retried.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue']); // AWSCURRENT is generation 1: import it
  expect(retried.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair']);
  const { current } = await expectInSync(secretArn);
  expect(current.fingerprint).toBe(written.fingerprint);
});

test('a lost Create answer: the Delete under an invented id removes the key pair the Create imported', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  const deleted = await step(() => resource.createWithLostAnswer(props(secretArn, 1)));
  expect(deleted.ivsCalls).toEqual([
    'ListPlaybackKeyPairs',
    'ImportPlaybackKeyPair',
    'ListPlaybackKeyPairs',
    'DeletePlaybackKeyPair',
  ]);
  expect(ivs.keyPairs()).toEqual([]);
});

test('Delete removes every key pair the resource imported, and only those', async () => {
  const stranger = ivs.importAsSomeoneElse(p384().publicKeyPem, 'other-team');
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  await resource.update(props(secretArn, 2));
  expect(ivs.keyPairs()).toHaveLength(3);
  const deleted = await step(() => resource.delete());
  expect(deleted.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'DeletePlaybackKeyPair', 'DeletePlaybackKeyPair']);
  expect(deleted.secretsCalls).toEqual([]);
  expect(ivs.keyPairs()).toEqual([stranger]);
  expect((await step(() => resource.delete())).ivsCalls).toEqual(['ListPlaybackKeyPairs']); // idempotent
});

test('RETAIN: CloudFormation sends no Delete, so key pairs and secret stay exactly in sync', async () => {
  // The construct puts DeletionPolicy Retain on both the custom resource and the secret
  // (test/generated-playback-key-pair.test.ts); CloudFormation then sends no event at all.
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  await resource.update(props(secretArn, 2));
  const before = await expectInSync(secretArn);
  // Stack deleted: nothing is sent; the retained key still verifies tokens signed from the retained secret.
  expect(await playsInIvs(await tokenFrom(before.current))).toBe(true);
  expect(await playsInIvs(await tokenFrom(before.previous!))).toBe(true);
  await expectInSync(secretArn);
});

test('without keepPreviousKey: one key pair; a rotation deletes the old one after importing the new', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1, { keep: false }));
  const first = (await expectInSync(secretArn, false)).current;
  const rotated = await step(() => resource.update(props(secretArn, 2, { keep: false })));
  expect(rotated.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair', 'DeletePlaybackKeyPair']);
  const { current, previous } = await expectInSync(secretArn, false);
  expect(previous!.fingerprint).toBe(first.fingerprint); // AWSPREVIOUS as Secrets Manager keeps it, not imported
  expect(ivs.keyPairs().map((keyPair) => keyPair.fingerprint)).toEqual([current.fingerprint]);
  expect(rotated.result.Data!.PreviousArn).toBe('');

  // Turning keepPreviousKey on imports AWSPREVIOUS again; off deletes it (a rollback can restore it).
  const kept = await step(() => resource.update(props(secretArn, 2, { keep: true })));
  expect(kept.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair']);
  await expectInSync(secretArn, true);
  await resource.update(props(secretArn, 2, { keep: false }));
  await expectInSync(secretArn, false);
});

test('at the quota a rotation first deletes the key it retires anyway', async () => {
  const stranger = ivs.importAsSomeoneElse(p384().publicKeyPem, 'other-team');
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  await resource.update(props(secretArn, 2));
  expect(ivs.keyPairs()).toHaveLength(3);
  const third = await step(() => resource.update(props(secretArn, 3)));
  expect(third.ivsCalls).toEqual([
    'ListPlaybackKeyPairs',
    'ImportPlaybackKeyPair',
    'ListPlaybackKeyPairs',
    'DeletePlaybackKeyPair',
    'ImportPlaybackKeyPair',
  ]);
  await expectInSync(secretArn);
  expect(ivs.keyPairs()[0]).toEqual(stranger);
});

test('a rotation that finds no room fails naming the holders, changes nothing, and its rollback succeeds', async () => {
  const strangers = [
    ivs.importAsSomeoneElse(p384().publicKeyPem, 'team-a'),
    ivs.importAsSomeoneElse(p384().publicKeyPem, 'team-b'),
  ];
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  const before = await expectInSync(secretArn);
  const labelsBefore = await labels(secretArn);

  const failed = await failingStep(() => resource.update(props(secretArn, 2)));
  for (const keyPair of ivs.keyPairs()) expect(failed.error.message).toContain(keyPair.arn);
  expect(failed.error.message).toMatch(
    /allows 3 playback key pairs.*none of which this deploy retires\. No key pair was imported or deleted/,
  );
  expect(failed.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair', 'ListPlaybackKeyPairs']);
  expect(ivs.keyPairs().slice(0, 2)).toEqual(strangers);
  expect((await expectInSync(secretArn)).current.fingerprint).toBe(before.current.fingerprint);
  // The version it wrote may remain, only without labels.
  expect(await labels(secretArn)).toEqual({ ...labelsBefore, 'cdk-ivs-playback-key-pair-generation-2': [] });

  const rollback = await step(() => resource.rollback());
  expect(rollback.result.answer.Data).toMatchObject({ Generation: '1' });
  await expectInSync(secretArn);
});

test('bad properties fail the Create naming the problem, and its Delete imports nothing', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await expect(resource.create(props(secretArn, 0))).rejects.toThrow(
    /Invalid generation 0: use a whole number from 1 upwards/,
  );
  expect(resource.physicalResourceId).toBe(secretArn);
  await resource.delete();
  expect(ivs.keyPairs()).toEqual([]);
  await expect(generated().create({ ...props(secretArn, 1), KeepPreviousKey: 'yes' })).rejects.toThrow(
    /KeepPreviousKey "yes": expected "true" or "false"/,
  );
  await expect(generated().create({ ...props(secretArn, 1), Tags: { [GENERATION_TAG_KEY]: '9' } })).rejects.toThrow(
    /reserved/,
  );
});

test('a key pair deleted outside CloudFormation is imported again from the secret at the next deploy', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  await resource.update(props(secretArn, 2));
  const { current, previous } = await expectInSync(secretArn);
  ivs.deleteBehindTheBack(arnOf(previous!.fingerprint));
  const healed = await step(() => resource.update(props(secretArn, 2)));
  expect(healed.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair']);
  expect(healed.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue', 'GetSecretValue']); // AWSPREVIOUS's key, AWSCURRENT's fingerprint
  await expectInSync(secretArn);
  expect((await expectInSync(secretArn)).current.fingerprint).toBe(current.fingerprint);
});

test('a key pair whose tags were edited outside CloudFormation is found by its key and tagged again, never deleted', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  const { current } = await expectInSync(secretArn);
  const arn = arnOf(current.fingerprint);
  const client = new IvsClient({
    endpoint: ivs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
  });
  await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [GENERATION_TAG_KEY] }));
  const regenerationTagged = await step(() => resource.update(props(secretArn, 1)));
  expect(regenerationTagged.ivsCalls).toEqual([
    'ListPlaybackKeyPairs',
    'ImportPlaybackKeyPair',
    'ListPlaybackKeyPairs',
    'GetPlaybackKeyPair',
    'TagResource',
  ]);
  expect(ivs.keyPairs().map((keyPair) => keyPair.arn)).toEqual([arn]);
  await expectInSync(secretArn);

  await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [OWNER_TAG_KEY, GENERATION_TAG_KEY] }));
  await resource.update(props(secretArn, 1));
  expect(ivs.keyPairs().map((keyPair) => keyPair.arn)).toEqual([arn]);
  await expectInSync(secretArn);
  client.destroy();
});

test('after cdk refactor (a new logical ID, no event) the resource still knows its key pairs: their owner is the secret', async () => {
  const secretArn = await emptySecret();
  const original = generated('GeneratedKey');
  await original.create(props(secretArn, 1));
  const moved = original.refactoredTo('MovedKey');
  const rotated = await step(() => moved.update(props(secretArn, 2)));
  expect(rotated.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair']);
  await expectInSync(secretArn);
  const deleted = await step(() => moved.delete());
  expect(deleted.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'DeletePlaybackKeyPair', 'DeletePlaybackKeyPair']);
  expect(ivs.keyPairs()).toEqual([]);
});

test('Secrets Manager not answering: the event still answers FAILED before the Lambda timeout, naming the call', async () => {
  const silent = net.createServer(() => undefined); // accepts connections, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  const stuck = loadShippedHandler(assetDir, ivs);
  try {
    const resource = new SimulatedResource<GeneratedProperties>(stuck, 'GeneratedKey', {
      resourceType: GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
      timeoutMs: 4_000,
    });
    const started = Date.now();
    await expect(
      resource.create(props('arn:aws:secretsmanager:us-east-1:123456789012:secret:Stuck-AbCdEf', 1)),
    ).rejects.toThrow(
      /^Secrets Manager ListSecretVersionIds did not finish within 3 s, so the handler stopped waiting/,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(ivs.keyPairs()).toEqual([]);
  } finally {
    silent.close();
  }
});

test('a rotation that failed part-way and is delivered again reuses the version it wrote: no second key for one generation', async () => {
  const secretArn = await emptySecret();
  const resource = generated();
  await resource.create(props(secretArn, 1));
  ivs.failNext('ImportPlaybackKeyPair', 'AccessDeniedException');
  await expect(resource.update(props(secretArn, 2))).rejects.toThrow(/AccessDeniedException/);
  expect((await labels(secretArn))['cdk-ivs-playback-key-pair-generation-2']).toEqual([]); // written, unlabelled
  const written = JSON.parse(
    (
      await secretsManager.send(
        new GetSecretValueCommand({
          SecretId: secretArn,
          VersionId: 'cdk-ivs-playback-key-pair-generation-2',
        }),
      )
    ).SecretString!,
  );
  privateKeys.add(written.privateKeyPem);

  const again = await step(() => resource.update(props(secretArn, 2)));
  expect(again.secretsCalls).toEqual([
    'ListSecretVersionIds',
    'PutSecretValue',
    'GetSecretValue',
    'UpdateSecretVersionStage',
  ]);
  const { current } = await expectInSync(secretArn);
  expect(current.fingerprint).toBe(written.fingerprint);
  expect(Object.keys(await labels(secretArn)).sort()).toEqual([
    'cdk-ivs-playback-key-pair-generation-1',
    'cdk-ivs-playback-key-pair-generation-2',
  ]);
});

test('a Create in a full region fails naming the holders, and its Delete succeeds touching nothing', async () => {
  const strangers = [1, 2, 3].map((n) => ivs.importAsSomeoneElse(p384().publicKeyPem, `team-${n}`));
  const secretArn = await emptySecret();
  const resource = generated();
  const failed = await failingStep(() => resource.create(props(secretArn, 1)));
  for (const stranger of strangers) expect(failed.error.message).toContain(stranger.arn);
  expect(failed.ivsCalls).toEqual(['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair', 'ListPlaybackKeyPairs']);
  expect(resource.physicalResourceId).toBe(secretArn);
  expect((await step(() => resource.delete())).ivsCalls).toEqual(['ListPlaybackKeyPairs']);
  expect(ivs.keyPairs()).toEqual(strangers);
});
