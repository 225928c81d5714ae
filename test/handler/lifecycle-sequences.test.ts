/**
 * The shipped handler bundle against the IVS stand-in, driven through the event sequences
 * CloudFormation sends, answering CloudFormation by PUT as in a deployment (the simulator checks
 * every answer against the response contract). Each step checks the IVS calls it made.
 */
import * as fs from 'node:fs';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HANDLER_NODE_MAJOR, NOTHING_IMPORTED_PHYSICAL_ID, OWNER_TAG_KEY } from '../../lib/shared/contract';
import { generatePlaybackKeyPair, playbackKeyFingerprint } from '../../lib/tokens';
import {
  KeyPairProperties,
  RESPONSE_URL,
  SimulatedResource,
  SimulatedResourceOptions,
  STACK_ID,
} from '../../tools/stand-ins/cloudformation';
import { TemplateJson, waitsFor } from '../support/deployment-order';
import { messageOf } from '../support/errors';
import { IvsStandIn, StandInKey } from '../../tools/stand-ins/ivs-stand-in';
import { KEY_KINDS, logicalIdOf, STAGE_KIND } from '../support/key-kinds';
import { p384, pemBody, wrongKeys } from '../support/keys';
import { loadShippedHandler, OnEventHandler, synthesizeHandlerAsset } from '../support/shipped-handler';
import { installControlledClock, restoreRealClockAfterEach, watch } from '../support/controlled-clock';

jest.setTimeout(30_000);

let assemblyDir: string;
let assetDir: string;
let ivs: IvsStandIn;
let handler: OnEventHandler;
let logLines: string[];
const privateKeys: string[] = [];

beforeAll(() => {
  ({ assemblyDir, assetDir } = synthesizeHandlerAsset());
});

restoreRealClockAfterEach();

beforeEach(async () => {
  ivs = await IvsStandIn.start();
  handler = loadShippedHandler(assetDir, ivs);
  logLines = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map(String).join(' '));
    });
  }
});

afterEach(async () => {
  try {
    // Nothing leaked: no private key and no ResponseURL in any log line.
    for (const line of logLines) {
      expect(line).not.toContain(RESPONSE_URL);
      expect(line).not.toContain('X-Amz-Signature');
      for (const privateKey of privateKeys) expect(line).not.toContain(pemBody(privateKey).slice(0, 32));
    }
  } finally {
    jest.restoreAllMocks();
    await ivs.stop();
  }
});

afterAll(() => {
  fs.rmSync(assemblyDir, { recursive: true, force: true });
});

test("runs on the Node.js major of the handler's Lambda runtime, as Lambda runs the bundle", () => {
  // `npm run test:handler` (part of `npm test`) starts these tests on it through scripts/with-node.mjs.
  const major = Number(process.versions.node.split('.')[0]);
  expect({ node: major, hint: 'run these tests with "npm run test:handler"' }).toEqual({
    node: HANDLER_NODE_MAJOR,
    hint: expect.any(String),
  });
});

describe.each(KEY_KINDS)('$title', (kind) => {
  const api = () => kind.api(ivs);
  /** A resource of this kind, as CloudFormation drives it. */
  const simulated = (logicalId = 'PlaybackKey', options: SimulatedResourceOptions = {}) =>
    new SimulatedResource(handler, logicalId, { resourceType: kind.resourceType, ...options });

  function newKey(): string {
    const { publicKeyPem, privateKeyPem } = p384();
    privateKeys.push(privateKeyPem);
    return publicKeyPem;
  }

  function props(
    publicKeyMaterial: string,
    name = 'viewer-key',
    tags: Record<string, string> = { team: 'video' },
  ): KeyPairProperties {
    return { PublicKeyMaterial: publicKeyMaterial, Name: name, Tags: tags };
  }

  const owner = (logicalId = 'PlaybackKey') => `${STACK_ID}/${logicalId}`;

  /** Runs one event and returns its outcome with the IVS operations it called (retries included). */
  async function step<T>(event: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
    api().resetCalls();
    const result = await event();
    return { result, calls: api().calls.map((call) => call.operation) };
  }

  async function failingStep(event: () => Promise<unknown>): Promise<{ error: Error; calls: string[] }> {
    api().resetCalls();
    const error = await event().then(
      () => {
        throw new Error('expected the event to fail');
      },
      (e: Error) => e,
    );
    return { error, calls: api().calls.map((call) => call.operation) };
  }

  function onlyKey(): StandInKey {
    const keys = api().keys();
    expect(keys).toHaveLength(1);
    return keys[0];
  }

  function handlerLogs(): Array<Record<string, unknown>> {
    return logLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  }

  test('create, tag change, key change, cleanup of the old key, stack delete', async () => {
    const resource = simulated();
    const firstKey = newKey();

    const created = await step(() => resource.create(props(firstKey)));
    expect(created.calls).toEqual([kind.ops.import]);
    const original = onlyKey();
    expect(original.arn).toMatch(kind.arnPattern); // playback-key/ or public-key/, as IVS names each kind
    expect(created.result).toEqual({
      PhysicalResourceId: original.arn,
      Data: { Arn: original.arn, Fingerprint: original.fingerprint },
    });
    expect(original.tags).toEqual({ team: 'video', [OWNER_TAG_KEY]: owner() });

    const retagged = await step(() => resource.update(props(firstKey, 'viewer-key', { team: 'live', env: 'prod' })));
    expect(retagged.calls).toEqual([kind.ops.get, 'TagResource']);
    expect(retagged.result.PhysicalResourceId).toBe(original.arn);
    expect(onlyKey().tags).toEqual({ team: 'live', env: 'prod', [OWNER_TAG_KEY]: owner() });
    expect((await step(() => resource.completeStackUpdate())).calls).toEqual([]);

    const untagged = await step(() => resource.update(props(firstKey, 'viewer-key', { env: 'prod' })));
    expect(untagged.calls).toEqual([kind.ops.get, 'UntagResource']);
    await resource.completeStackUpdate();

    const secondKey = newKey();
    const rotated = await step(() => resource.update(props(secondKey, 'viewer-key', { env: 'prod' })));
    // Changed in issue 16: the old key pair is read (its owner tag is right), then the new key imported.
    expect(rotated.calls).toEqual([kind.ops.get, kind.ops.import]);
    expect(rotated.result.PhysicalResourceId).not.toBe(original.arn);
    expect(
      api()
        .keys()
        .map((k) => k.arn),
    ).toEqual([original.arn, rotated.result.PhysicalResourceId]);

    const cleanup = await step(() => resource.completeStackUpdate());
    expect(cleanup.calls).toEqual([kind.ops.delete]);
    expect(onlyKey()).toMatchObject({ arn: rotated.result.PhysicalResourceId, publicKeyMaterial: secondKey });

    const deleted = await step(() => resource.delete());
    expect(deleted.calls).toEqual([kind.ops.delete]);
    expect(api().keys()).toEqual([]);

    const logs = handlerLogs();
    expect(logs.map((line) => line.requestType)).toEqual(['Create', 'Update', 'Update', 'Update', 'Delete', 'Delete']);
    expect(logs[3]).toEqual({
      requestType: 'Update',
      logicalResourceId: 'PlaybackKey',
      physicalResourceId: original.arn,
      result: rotated.result.PhysicalResourceId,
      action: 'imported',
      ivsCalls: [kind.ops.get, kind.ops.import],
      retries: 0,
    });
  });

  test('the fingerprint computed locally from either half of a key equals the one the handler reports from IVS', async () => {
    const { privateKeyPem, publicKeyPem, fingerprint } = generatePlaybackKeyPair();
    privateKeys.push(privateKeyPem);
    const answer = await simulated().create(props(publicKeyPem));
    expect(answer.Data!.Fingerprint).toBe(fingerprint);
    expect(playbackKeyFingerprint(privateKeyPem)).toBe(answer.Data!.Fingerprint);
    expect(playbackKeyFingerprint(publicKeyPem)).toBe(answer.Data!.Fingerprint);
  });

  test('a key change whose stack update fails rolls back to exactly the original key and tags', async () => {
    const resource = simulated();
    const originalKey = newKey();
    await resource.create(props(originalKey, 'viewer-key', { team: 'video' }));
    const original = onlyKey();

    const rotated = await step(() => resource.update(props(newKey(), 'viewer-key', { team: 'live' })));
    expect(rotated.calls).toEqual([kind.ops.get, kind.ops.import]);
    expect(api().keys()).toHaveLength(2); // the old key survives the Update, for the rollback

    const rollback = await step(() => resource.rollback());
    expect(rollback.calls).toEqual([
      kind.ops.get,
      kind.ops.import,
      kind.ops.list,
      kind.ops.get, // the rollback Update adopts the original
      kind.ops.delete, // the cleanup Delete of the failed update's key
    ]);
    expect(rollback.result.answer).toEqual({
      PhysicalResourceId: original.arn,
      Data: { Arn: original.arn, Fingerprint: original.fingerprint },
    });
    expect(api().keys()).toEqual([original]);
  });

  test('a rollback after the forward Update itself failed finds the original key still in place', async () => {
    const resource = simulated();
    await resource.create(props(newKey()));
    const original = onlyKey();

    api().failNext(kind.ops.import, 'AccessDeniedException');
    const failed = await failingStep(() => resource.update(props(newKey())));
    expect(failed.error.message).toMatch(new RegExp(`^IVS ${kind.ops.import} failed with AccessDeniedException: `));

    const rollback = await step(() => resource.rollback());
    // Changed in issue 16: the Get before the import already described the original key pair.
    expect(rollback.calls).toEqual([kind.ops.get, kind.ops.import, kind.ops.list]);
    expect(rollback.result.answer.PhysicalResourceId).toBe(original.arn);
    expect(api().keys()).toEqual([original]);
  });

  test('a name-only change re-imports the key under the new name, and its rollback restores the old name', async () => {
    const resource = simulated();
    const key = newKey();
    await resource.create(props(key, 'old-name'));
    const original = onlyKey();

    const renamed = await step(() => resource.update(props(key, 'new-name')));
    expect(renamed.calls).toEqual([kind.ops.delete, kind.ops.import]);
    expect(onlyKey()).toMatchObject({ name: 'new-name', fingerprint: original.fingerprint, tags: original.tags });

    const rollback = await step(() => resource.rollback());
    expect(rollback.calls).toEqual([
      kind.ops.delete,
      kind.ops.import, // the rollback Update renames back
      kind.ops.delete, // the cleanup Delete of the renamed key finds it gone
    ]);
    const restored = onlyKey();
    expect(restored).toMatchObject({
      name: 'old-name',
      fingerprint: original.fingerprint,
      tags: original.tags,
      publicKeyMaterial: key,
    });
    expect(resource.physicalResourceId).toBe(restored.arn);

    // When the rename completes instead, the cleanup Delete of the first ARN finds nothing and succeeds.
    await resource.update(props(key, 'new-name'));
    const cleanup = await step(() => resource.completeStackUpdate());
    expect(cleanup.calls).toEqual([kind.ops.delete]);
    expect(onlyKey()).toMatchObject({ name: 'new-name' });
  });

  test('a key change while the region holds 3 key pairs frees its own slot, and its rollback does too', async () => {
    const foreign = [
      api().importAsSomeoneElse(newKey(), 'other-team-a'),
      api().importAsSomeoneElse(newKey(), 'other-team-b'),
    ];
    const resource = simulated();
    const originalKey = newKey();
    await resource.create(props(originalKey));
    const original = api().keys()[2];

    const rotated = await step(() => resource.update(props(newKey())));
    // Changed in issue 16: the Get comes first and serves the quota path.
    expect(rotated.calls).toEqual([kind.ops.get, kind.ops.import, kind.ops.delete, kind.ops.import]);
    expect(api().calls[1].status).toBe(402);

    const rollback = await step(() => resource.rollback());
    expect(rollback.calls).toEqual([
      kind.ops.get,
      kind.ops.import,
      kind.ops.delete,
      kind.ops.import, // quota again: free, then import
      kind.ops.delete, // cleanup of the failed update's key, already gone
    ]);
    const keys = api().keys();
    expect(keys.slice(0, 2)).toEqual(foreign); // other people's keys untouched
    expect(keys[2]).toMatchObject({ publicKeyMaterial: originalKey, name: original.name, tags: original.tags });
  });

  test('a key deleted outside CloudFormation is imported again by the next Update, and Delete of a missing key succeeds', async () => {
    const resource = simulated();
    const key = newKey();
    await resource.create(props(key));
    const original = onlyKey();
    api().deleteBehindTheBack(original.arn);

    const retagged = await step(() => resource.update(props(key, 'viewer-key', { team: 'live' })));
    expect(retagged.calls).toEqual([kind.ops.get, kind.ops.list, kind.ops.import]);
    const reimported = onlyKey();
    expect(reimported).toMatchObject({
      fingerprint: original.fingerprint,
      tags: { team: 'live', [OWNER_TAG_KEY]: owner() },
    });
    expect(retagged.result.PhysicalResourceId).toBe(reimported.arn);

    const cleanup = await step(() => resource.completeStackUpdate()); // Delete of the vanished ARN
    expect(cleanup.calls).toEqual([kind.ops.delete]);
    expect(api().calls[0].status).toBe(404);

    api().deleteBehindTheBack(reimported.arn);
    const deleted = await step(() => resource.delete());
    expect(deleted.calls).toEqual([kind.ops.delete]);
    expect(api().keys()).toEqual([]);
  });

  test('a failed Create, then the Delete for the id the framework or CloudFormation put in its place', async () => {
    const key = newKey();
    const holder = api().importAsSomeoneElse(key, 'theirs');
    const resource = simulated();
    await failingStep(() => resource.create(props(key)));

    // Such an id may hide a key pair of this resource (a lost answer): one List shows there is none.
    for (const placeholder of [
      'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
      'IvsStack-PlaybackKey-1A2B3C4D5E6F',
    ]) {
      const deleted = await step(() => resource.deleteAfterFailedCreate(props(key), placeholder));
      expect(deleted.result).toEqual({ PhysicalResourceId: placeholder });
      expect(deleted.calls).toEqual([kind.ops.list]);
    }
    // The id the handler answers when it knows the Create imported nothing: no IVS call at all.
    const nothingImported = await step(() =>
      resource.deleteAfterFailedCreate(props(key), NOTHING_IMPORTED_PHYSICAL_ID),
    );
    expect(nothingImported.result).toEqual({ PhysicalResourceId: NOTHING_IMPORTED_PHYSICAL_ID });
    expect(nothingImported.calls).toEqual([]);
    expect(api().keys()).toEqual([holder]);
  });

  // Changed in issue 16: a 409 no longer proves that nothing was imported (test/handler/refactored-siblings.test.ts),
  // so the quota, which does, is the example here.
  test('a failed Create answers with the id that means "nothing imported", and its Delete calls nothing', async () => {
    const holders = [0, 1, 2].map((i) => api().importAsSomeoneElse(newKey(), `theirs-${i}`));
    const resource = simulated();

    const failed = await failingStep(() => resource.create(props(newKey())));
    expect(failed.error.message).toContain(kind.quotaSentence);
    expect(resource.lastAnswer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOTHING_IMPORTED_PHYSICAL_ID });

    const deleted = await step(() => resource.delete()); // CloudFormation's Delete carries the id of the FAILED answer
    expect(deleted.result).toEqual({ PhysicalResourceId: NOTHING_IMPORTED_PHYSICAL_ID });
    expect(deleted.calls).toEqual([]);
    expect(api().keys()).toEqual(holders);
  });

  test('a response PUT that fails twice is sent again, and CloudFormation hears exactly one answer', async () => {
    const resource = simulated();
    await resource.failNextResponses(2);

    const created = await step(() => resource.create(props(newKey())));

    expect(resource.lastResponses.map((put) => put.status)).toEqual([500, 500, 200]);
    expect(created.calls).toEqual([kind.ops.import]); // the answer is sent again, the work is not done again
    expect(created.result.PhysicalResourceId).toBe(onlyKey().arn);
    const failedAttempts = handlerLogs().filter((line) => 'responseAttempt' in line);
    expect(failedAttempts).toEqual(
      [1, 2].map((attempt) => expect.objectContaining({ responseAttempt: attempt, error: 'HTTP 500' })),
    );
  });

  test('IVS does not answer: the stack hears FAILED, naming the operation, before the Lambda timeout', async () => {
    const resource = simulated('PlaybackKey');
    await resource.create(props(newKey()));
    api().hangNext(kind.ops.get);
    const held = api().nextUnansweredCall(kind.ops.get);
    // The test's clock: the function's 300 s keep the answer's 45.5 s back, so IVS gets 254.5 s.
    const clock = installControlledClock();

    const failing = watch(
      failingStep(() => resource.update(props(resource.properties!.PublicKeyMaterial, 'viewer-key', { team: 'live' }))),
    );
    await held;
    await clock.advance(254_499);
    expect(failing.settled).toBe(false);
    await clock.advance(1);
    const failed = await failing.promise;

    expect(clock.elapsed()).toBe(254_500); // the answer went out then, 45.5 s before the Lambda timeout
    expect(failed.error.message).toMatch(
      new RegExp(`^IVS ${kind.ops.get} did not finish within 255 s, so the handler stopped waiting`),
    );
    expect(failed.calls).toEqual([kind.ops.get]);
    expect(resource.lastAnswer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: onlyKey().arn });

    // The rollback finds the key pair as it was.
    const rollback = await step(() => resource.rollback());
    expect(rollback.result.answer.PhysicalResourceId).toBe(onlyKey().arn);
    expect(onlyKey().tags).toEqual({ team: 'video', [OWNER_TAG_KEY]: owner() });
  });

  test('a Create repeated after its answer was lost returns the same key pair', async () => {
    const key = newKey();
    const first = await simulated().create(props(key));
    const again = await step(() => simulated().create(props(key)));
    expect(again.calls).toEqual([kind.ops.import, kind.ops.list, kind.ops.get]);
    expect(again.result).toEqual(first);
    expect(api().keys()).toHaveLength(1);
  });

  test('a Create whose key someone else imported fails, names that key pair and leaves it untouched', async () => {
    const key = newKey();
    const unrelated = api().importAsSomeoneElse(newKey(), 'unrelated');
    const holder = api().importAsSomeoneElse(key, 'theirs', { owner: 'someone' });
    // Even a key marked as another resource's of this stack is not ours.
    const sibling = simulated('OtherKey');
    await sibling.create(props(newKey()));
    const before = api().keys();

    const failed = await failingStep(() => simulated().create(props(key)));
    expect(failed.error.message).toBe(
      `This public key is already imported into IVS as ${kind.kind.noun} ${holder.arn} ` +
        `(name "theirs", fingerprint ${holder.fingerprint}), which this stack did not import, and IVS cannot hold the same ` +
        `key twice. Either reuse that ${kind.kind.shortNoun} with ${kind.kind.fromArn}(this, 'Key', '${holder.arn}'), ` +
        `or delete it (${kind.kind.deleteCommand} --arn ${holder.arn}) and deploy again.`,
    );
    expect(failed.calls).toEqual([kind.ops.import, kind.ops.list, kind.ops.get, kind.ops.get]);
    expect(api().keys()).toEqual(before);
    expect(before).toContainEqual(unrelated);
  });

  test('a fourth key pair is refused with the quota and the key pairs in use', async () => {
    const existing = [0, 1, 2].map((i) => api().importAsSomeoneElse(newKey(), `key-${i}`));
    const failed = await failingStep(() => simulated().create(props(newKey())));
    expect(failed.error.message).toBe(
      `${kind.quotaSentence}, and this region already holds 3: ` +
        `${existing.map((k) => `${k.arn} ("${k.name}")`).join(', ')}. Delete one that is no longer needed, or reuse one with ` +
        `${kind.kind.fromArn}.`,
    );
    expect(failed.calls).toEqual([kind.ops.import, kind.ops.list]);
    expect(api().keys()).toEqual(existing);
  });

  test('three key pairs created at once and rotated at once under the 3 TPS limit all succeed, by retrying', async () => {
    // A region with room for 6, so that the rotations need no quota handling: only the rate limit is in play.
    await ivs.stop();
    ivs = await IvsStandIn.start(kind.quotaOptions(6));
    handler = loadShippedHandler(assetDir, ivs);
    api().setRateLimit(); // the API's own limits: 3 calls a second per key operation
    const resources = ['KeyA', 'KeyB', 'KeyC'].map((id) => simulated(id));

    await Promise.all(resources.map((resource) => resource.create(props(newKey(), resource.logicalResourceId))));
    const rotated = await Promise.all(
      resources.map((resource) => resource.update(props(newKey(), resource.logicalResourceId))),
    );

    const imports = api()
      .calls.filter((call) => call.operation === kind.ops.import)
      .map((call) => call.status);
    expect(imports.filter((status) => status === 429).length).toBeGreaterThan(0); // 6 imports in about a second: throttled
    expect(imports.filter((status) => status === 200)).toHaveLength(6);
    const logs = handlerLogs();
    expect(logs.reduce((sum, line) => sum + Number(line.retries), 0)).toBe(
      imports.filter((status) => status === 429).length,
    );
    expect(
      api()
        .keys()
        .map((k) => k.arn),
    ).toEqual(expect.arrayContaining(rotated.map((answer) => answer.PhysicalResourceId)));
    expect(
      api()
        .keys()
        .map((k) => k.tags[OWNER_TAG_KEY])
        .sort(),
    ).toEqual(['KeyA', 'KeyA', 'KeyB', 'KeyB', 'KeyC', 'KeyC'].map((id) => owner(id)));
  });

  test('a key with a comment line and Windows line ends is imported as a clean PEM block', async () => {
    const key = newKey();
    const decorated = `# viewer key, made 2026-11-28\r\n${key.replace(/\n/g, '\r\n')}`;
    const answer = await simulated().create(props(decorated));
    expect(onlyKey()).toMatchObject({ arn: answer.PhysicalResourceId, publicKeyMaterial: key });
  });

  test.each<[string, (resource: SimulatedResource, key: string) => Promise<unknown>]>([
    [kind.ops.import, (resource, key) => resource.create(props(key))],
    [kind.ops.get, (resource, key) => resource.update(props(key, 'viewer-key', { team: 'live' }))],
    ['TagResource', (resource, key) => resource.update(props(key, 'viewer-key', { team: 'live' }))],
    ['UntagResource', (resource, key) => resource.update(props(key, 'viewer-key', {}))],
    [kind.ops.list, (resource, key) => simulated(resource.logicalResourceId).create(props(key))],
    [kind.ops.delete, (resource) => resource.delete()],
  ])('%s survives a throttle and a 500', async (operation, event) => {
    const resource = simulated();
    const key = newKey();
    if (operation !== kind.ops.import) await resource.create(props(key));
    api().throttleFirst(1, operation);
    api().failNext(operation, 500);

    const outcome = await step(() => event(resource, key));
    const attempts = api()
      .calls.filter((call) => call.operation === operation)
      .map((call) => call.status);
    expect(attempts).toEqual([429, 500, 200]);
    expect(handlerLogs().at(-1)).toMatchObject({ retries: 2 });
    expect(outcome.calls.filter((call) => call === operation)).toHaveLength(3);
    expect(api().keys()).toHaveLength(operation === kind.ops.delete ? 0 : 1);
  });

  describe('moved constructs, stack refactoring, siblings, lost answers', () => {
    test('a construct moved to a new logical ID: its Create explains the move, and the rollback keeps the key pair alive', async () => {
      const key = newKey();
      const old = simulated('OldPlaceKey');
      await old.create(props(key, 'IvsStack-OldPlace-Key-1A2B3C4D'));
      const original = onlyKey();

      // CloudFormation creates the resource under its new logical ID before it deletes the old one.
      const moved = simulated('NewPlaceKey');
      const failed = await failingStep(() => moved.create(props(key, 'IvsStack-NewPlace-Key-5E6F7A8B')));
      expect(failed.error.message).toContain(`by the resource "OldPlaceKey" of this same stack`);
      expect(failed.error.message).toContain(
        'CloudFormation creates the resource under the new logical ID before it deletes the one under the old',
      );
      expect(failed.error.message).toContain(`overrideLogicalId('OldPlaceKey')`);
      expect(failed.error.message).toContain(`${kind.kind.nameOption}: "IvsStack-OldPlace-Key-1A2B3C4D"`);
      expect(failed.error.message).toContain('move it in two deploys');
      expect(failed.error.message).not.toContain(kind.kind.fromArn);
      expect(failed.error.message).not.toContain(kind.kind.deleteCommand);
      expect(failed.calls).toEqual([kind.ops.import, kind.ops.list, kind.ops.get]);

      // The stack update rolls back: the new resource is deleted, the old one is untouched and stays.
      const cleanup = await step(() =>
        moved.deleteAfterFailedCreate(
          props(key, 'IvsStack-NewPlace-Key-5E6F7A8B'),
          'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED',
        ),
      );
      expect(cleanup.calls).toEqual([kind.ops.list]);
      expect(api().keys()).toEqual([original]);
      expect(api().calls.filter((call) => call.arn === original.arn && call.operation !== kind.ops.get)).toEqual([]);
    });

    test('two key pairs of one stack given the same key (as a token): the second is told which sibling holds it', async () => {
      const key = newKey();
      await simulated('FirstKey').create(props(key, 'first'));
      const failed = await failingStep(() => simulated('SecondKey').create(props(key, 'second')));
      expect(failed.error.message).toContain('by the resource "FirstKey" of this same stack');
      expect(failed.error.message).toContain(
        `If two ${kind.kind.importedConstruct}s of this stack were given the same key, give each its own key.`,
      );
      expect(failed.error.message).not.toContain(kind.kind.fromArn);
      expect(onlyKey().tags[OWNER_TAG_KEY]).toBe(owner('FirstKey'));
    });

    test('after cdk refactor renamed the logical ID, a key change whose stack update fails rolls back to the original key pair', async () => {
      const resource = simulated('PlaybackKey');
      await resource.create(props(newKey(), 'viewer-key', { team: 'video' }));
      const original = onlyKey();

      // The refactoring sends the handler no event: the key pair's owner tag still names PlaybackKey.
      const refactored = resource.refactoredTo('RefactoredKey');
      const rotated = await step(() => refactored.update(props(newKey(), 'viewer-key', { team: 'live' })));
      expect(rotated.calls).toEqual([kind.ops.get, 'TagResource', kind.ops.import]); // the stale owner tag is healed
      expect(api().keys()[0].tags[OWNER_TAG_KEY]).toBe(owner('RefactoredKey'));

      const rollback = await step(() => refactored.rollback());
      expect(rollback.calls).toEqual([
        kind.ops.get,
        kind.ops.import,
        kind.ops.list,
        kind.ops.get, // adopts the original
        kind.ops.delete, // the cleanup Delete of the failed update's key
      ]);
      expect(rollback.result.answer).toEqual({
        PhysicalResourceId: original.arn,
        Data: { Arn: original.arn, Fingerprint: original.fingerprint },
      });
      expect(api().keys()).toEqual([{ ...original, tags: { team: 'video', [OWNER_TAG_KEY]: owner('RefactoredKey') } }]);
    });

    test('a rollback at the quota keeps the current key pair when it already holds the wanted key (IVS reports the quota first)', async () => {
      await ivs.stop();
      ivs = await IvsStandIn.start({ quotaBeforeDuplicate: true });
      handler = loadShippedHandler(assetDir, ivs);
      const foreign = [
        api().importAsSomeoneElse(newKey(), 'other-team-a'),
        api().importAsSomeoneElse(newKey(), 'other-team-b'),
      ];
      const resource = simulated();
      await resource.create(props(newKey()));
      const original = api().keys()[2];

      // The forward update fails at its import, so the physical id still holds the original key.
      api().failNext(kind.ops.import, 'AccessDeniedException');
      await failingStep(() => resource.update(props(newKey())));

      const rollback = await step(() => resource.rollback());
      expect(api().calls[1]).toMatchObject({ operation: kind.ops.import, status: 402 });
      // Changed in issue 16: Get first; the List looks for a key pair the failed update may have left behind.
      expect(rollback.calls).toEqual([kind.ops.get, kind.ops.import, kind.ops.list]); // no Delete, no re-import
      expect(rollback.result.answer.PhysicalResourceId).toBe(original.arn);
      expect(rollback.result.cleanup).toBeUndefined();
      expect(api().keys()).toEqual([...foreign, original]);
    });

    test('two key pairs of one stack rotated in one deployment at the quota: the template orders them, and both rotate', async () => {
      api().importAsSomeoneElse(newKey(), 'other-team');
      const before = siblingsTemplate(newKey(), newKey());
      const after = siblingsTemplate(newKey(), newKey());
      const [first, second] = before.ids.map((id) => simulated(id));
      await first.create(before.properties[0]);
      await second.create(before.properties[1]);

      const rotated = waitsFor(before.template, second.logicalResourceId, first.logicalResourceId)
        ? [await settled(first.update(after.properties[0])), await settled(second.update(after.properties[1]))]
        : await updateAtOnce(first, after.properties[0], second, after.properties[1]);

      expect(rotated.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
      await first.completeStackUpdate();
      await second.completeStackUpdate();
      const keys = api().keys();
      expect(
        keys
          .map((k) => k.publicKeyMaterial)
          .slice(1)
          .sort(),
      ).toEqual(after.properties.map((p) => p.PublicKeyMaterial).sort());
      expect(
        keys
          .map((k) => k.arn)
          .slice(1)
          .sort(),
      ).toEqual([first.physicalResourceId, second.physicalResourceId].sort());
    });

    test('a Create whose answer was lost: the Delete of the id CloudFormation made up removes its key pair, and nothing else', async () => {
      // Room for one more (the quota is 3): a sibling in this stack, and this logical ID in another stack.
      await simulated('SiblingKey').create(props(newKey(), 'sibling'));
      const otherStack = api().importAsSomeoneElse(newKey(), 'same-logical-id-other-stack', {
        [OWNER_TAG_KEY]: owner().replace('/IvsStack/', '/OtherStack/'),
      });
      const untouched = api().keys();
      expect(untouched.map((k) => k.arn)).toContain(otherStack.arn);

      const key = newKey();
      const resource = simulated();
      const lost = await step(() => resource.createWithLostAnswer(props(key)));
      // Changed in issue 16: the Get checks that the key pair holds this resource's key.
      expect(lost.calls).toEqual([kind.ops.import, kind.ops.list, kind.ops.get, kind.ops.delete]);
      expect(lost.result).toEqual({ PhysicalResourceId: 'IvsStack-PlaybackKey-1A2B3C4D5E6F' });
      expect(api().keys()).toEqual(untouched);

      // Nothing blocks the next import of that key, e.g. when the stack is created again.
      const again = await step(() => simulated().create(props(key)));
      expect(again.calls).toEqual([kind.ops.import]);
    });
  });

  /** Two key pairs in one stack, synthesized; their logical IDs and properties as CloudFormation sends them. */
  function siblingsTemplate(firstKey: string, secondKey: string) {
    const stack = new Stack(new App(), 'IvsStack');
    const keys = [kind.construct(stack, 'First', firstKey), kind.construct(stack, 'Second', secondKey)];
    const template = Template.fromStack(stack).toJSON() as TemplateJson;
    const ids = keys.map((key) => logicalIdOf(stack, key));
    const properties = ids.map((id) => {
      const { PublicKeyMaterial, Name } = template.Resources[id].Properties as KeyPairProperties;
      return { PublicKeyMaterial, Name };
    });
    return { template, ids, properties };
  }

  function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
    return promise.then(
      (value) => ({ status: 'fulfilled', value }),
      (reason) => ({ status: 'rejected', reason }),
    );
  }

  /**
   * CloudFormation updating two resources at once, in the interleaving that loses: the second's
   * import lands in the slot the first has just freed for its own import.
   */
  async function updateAtOnce(
    first: SimulatedResource,
    firstProps: KeyPairProperties,
    second: SimulatedResource,
    secondProps: KeyPairProperties,
  ) {
    let release!: () => void;
    api().holdAnswer(
      kind.ops.delete,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    const slotFreed = api().nextCall(kind.ops.delete);
    const firstUpdate = settled(first.update(firstProps));
    await slotFreed;
    const slotTaken = api().nextCall(kind.ops.import);
    const secondUpdate = settled(second.update(secondProps));
    await slotTaken;
    release();
    return Promise.all([firstUpdate, secondUpdate]);
  }

  describe('bad input that only the handler can see', () => {
    test('a key passed as a token synthesizes', () => {
      const stack = new Stack(new App(), 'Tokens');
      const parameter = new CfnParameter(stack, 'PublicKey');
      kind.construct(stack, 'Key', parameter.valueAsString, { name: new CfnParameter(stack, 'Name').valueAsString });
      Template.fromStack(stack).hasResourceProperties(kind.resourceType, {
        PublicKeyMaterial: { Ref: 'PublicKey' },
      });
    });

    const privateKeyPem = p384().privateKeyPem;
    test.each<[string, () => KeyPairProperties]>([
      ['a P-256 key', () => props(wrongKeys.p256())],
      ['an RSA key', () => props(wrongKeys.rsa())],
      ['a private key', () => props(privateKeyPem)],
      ['an OpenSSL EC private key', () => props(wrongKeys.sec1Private())],
      ['garbage', () => props('hello')],
      ['a bad name', () => props(newKey(), 'no spaces allowed')],
      [
        'too many tags',
        () => props(newKey(), 'ok', Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']))),
      ],
    ])('%s is refused with the synth-time message and no IVS call', async (_, badProps) => {
      const properties = badProps();
      const synthError = messageOf(() =>
        kind.construct(new Stack(), 'Key', properties.PublicKeyMaterial, {
          name: properties.Name,
          tags: properties.Tags,
        }),
      );

      const failed = await failingStep(() => simulated().create(properties));
      expect(failed.error.message).toBe(synthError);
      expect(failed.calls).toEqual([]);
      expect(api().keys()).toEqual([]);
      if (/PRIVATE KEY/.test(properties.PublicKeyMaterial)) {
        expect(failed.error.message).not.toContain(pemBody(properties.PublicKeyMaterial).slice(0, 32));
        privateKeys.push(properties.PublicKeyMaterial); // checked against every log line after the test
      }
      expect(handlerLogs()).toEqual([
        expect.objectContaining({ requestType: 'Create', error: synthError, ivsCalls: [] }),
      ]);
    });
  });
});

describe('stage public keys: a quota no source gives the number of', () => {
  const kind = STAGE_KIND;
  const api = () => kind.api(ivs);
  const simulated = (logicalId = 'StageKey') =>
    new SimulatedResource(handler, logicalId, { resourceType: kind.resourceType });
  const newKey = () => p384().publicKeyPem;
  const props = (publicKeyMaterial: string): KeyPairProperties => ({ PublicKeyMaterial: publicKeyMaterial, Name: 'k' });

  beforeEach(async () => {
    // A region that allows 5 public keys, not the 3 of playback key pairs: the handler must not count, only meet the 402.
    await ivs.stop();
    ivs = await IvsStandIn.start(kind.quotaOptions(5));
    handler = loadShippedHandler(assetDir, ivs);
  });

  test('at 5 keys a key change frees its own slot, as at the playback quota', async () => {
    [0, 1, 2, 3].forEach((i) => api().importAsSomeoneElse(newKey(), `theirs-${i}`));
    const resource = simulated();
    await resource.create(props(newKey()));
    api().resetCalls();

    const rotated = await resource.update(props(newKey()));

    expect(api().calls.map((call) => [call.operation, call.status])).toEqual([
      [kind.ops.get, 200],
      [kind.ops.import, 402],
      [kind.ops.delete, 200],
      [kind.ops.import, 200],
    ]);
    expect(
      api()
        .keys()
        .map((key) => key.arn),
    ).toContain(rotated.PhysicalResourceId);
    expect(api().keys()).toHaveLength(5);
  });

  test('a sixth is refused with what IVS said and the 5 keys it lists, never a number IVS did not give', async () => {
    const existing = [0, 1, 2, 3, 4].map((i) => api().importAsSomeoneElse(newKey(), `theirs-${i}`));

    const failed = await simulated()
      .create(props(newKey()))
      .then(
        () => 'succeeded',
        (error: Error) => error.message,
      );

    expect(failed).toBe(
      `${kind.quotaSentence}, and this region already holds 5: ` +
        `${existing.map((k) => `${k.arn} ("${k.name}")`).join(', ')}. Delete one that is no longer needed, or reuse one with ` +
        `${kind.kind.fromArn}.`,
    );
    expect(failed).not.toMatch(/allows \d/);
  });
});
