/**
 * A generated key (`Custom::IvsGeneratedPlaybackKeyPair`, and issue 24's `Custom::IvsGeneratedStagePublicKey`:
 * each test runs once per kind) through the event sequences CloudFormation sends, against
 * the shipped handler bundle on the Lambda runtime's Node.js, with the IVS stand-in and moto's real
 * Secrets Manager server. After every step the invariant of `expectInSync` holds: AWSCURRENT's value
 * names a key pair IVS holds with its key (and AWSPREVIOUS's with keepPreviousKey), this resource's
 * key pairs are exactly those, and no version carries AWSPENDING. After every event that succeeds, the rig checks
 * that AWSCURRENT's value (and a kept AWSPREVIOUS's) names, in its kind's field (`playbackKeyPairArn`,
 * `publicKeyArn`), an imported key whose fingerprint is the value's. Faults: generated-key-pair.faults.test.ts.
 */
import * as lowLatency from '@aws-sdk/client-ivs';
import * as realTime from '@aws-sdk/client-ivs-realtime';
import { GENERATION_TAG_KEY, OWNER_TAG_KEY } from '../../lib/shared/contract';
import { versionIdOf } from '../../lib/shared/generated-key';
import { SimulatedResource } from '../../tools/stand-ins/cloudformation';
import { startSilentEndpoint } from '../../tools/stand-ins/secrets-manager-faults';
import { installControlledClock, watch } from '../support/controlled-clock';
import { GeneratedProperties, props, useGeneratedKeyRig, useGeneratedKind } from '../support/generated-key-rig';
import { KEY_KINDS, PLAYBACK_KIND } from '../support/key-kinds';
import { p384, pemBody } from '../support/keys';
import { loadShippedHandler } from '../support/shipped-handler';

jest.setTimeout(60_000);

const rig = useGeneratedKeyRig();
const emptySecret = () => rig.emptySecret();
const generated = (logicalResourceId?: string) => rig.generated(logicalResourceId);
const labels = (secretArn: string) => rig.labels(secretArn);
const expectInSync = (secretArn: string, keep = true) => rig.expectInSync(secretArn, { keep });
const arnOf = (fingerprint: string) => rig.arnOf(fingerprint);
const step = <T>(event: () => Promise<T>) => rig.step(event);
const failingStep = (event: () => Promise<unknown>) => rig.failingStep(event);
const tokenFrom = rig.tokenFrom.bind(rig);
const playsInIvs = rig.playsInIvs.bind(rig);

describe.each(KEY_KINDS)('$title', (kind) => {
  useGeneratedKind(rig, kind);
  const api = () => rig.api();

  test('create writes the key to the secret, then imports its public half; the answer carries no key', async () => {
    const secretArn = await emptySecret();
    const resource = generated();
    const created = await step(() => resource.create(props(secretArn, 1)));
    expect(created.secretsCalls).toEqual(['ListSecretVersionIds', 'PutSecretValue', 'UpdateSecretVersionStage']); // then AWSPENDING off
    expect(created.ivsCalls).toEqual([kind.ops.list, kind.ops.import]);
    const { current, previous } = await expectInSync(secretArn);
    expect(previous).toBeUndefined();
    // The version is written after the import, and names the key pair; its id comes from both.
    expect(current).toMatchObject({ generation: 1, [kind.kind.valueArnField]: arnOf(current.fingerprint) });
    expect(current.versionId).toBe(versionIdOf(1, current.keyArn));
    expect(current.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(created.result).toEqual({
      PhysicalResourceId: secretArn,
      Data: { Arn: arnOf(current.fingerprint), Fingerprint: current.fingerprint, PreviousArn: '', Generation: '1' },
    });
    expect(api().keys()[0]).toMatchObject({
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
    expect(second.ivsCalls).toEqual([kind.ops.list, kind.ops.import]); // generation 1 stays as it is
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
    expect(third.ivsCalls).toEqual([kind.ops.list, kind.ops.import, kind.ops.delete]);
    const afterThree = await expectInSync(secretArn);
    expect(afterThree.previous!.fingerprint).toBe(afterTwo.current.fingerprint);
    expect(await playsInIvs(firstToken)).toBe(false); // and no longer after two
    expect(await playsInIvs(await tokenFrom(afterTwo.current))).toBe(true);
    // Generation 1's version remains, without labels (deprecated), never labelled again.
    expect(await labels(secretArn)).toEqual({
      [first.versionId]: [],
      [afterTwo.current.versionId]: ['AWSPREVIOUS'],
      [afterThree.current.versionId]: ['AWSCURRENT'],
    });
  });

  test('tags change in place on both key pairs; a rename re-imports the same keys', async () => {
    const secretArn = await emptySecret();
    const resource = generated();
    await resource.create(props(secretArn, 1));
    await resource.update(props(secretArn, 2));
    const retagged = await step(() => resource.update(props(secretArn, 2, { tags: { team: 'live', env: 'prod' } })));
    expect(retagged.ivsCalls).toEqual([kind.ops.list, 'TagResource', 'TagResource']);
    expect(retagged.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue']); // the current key's fingerprint
    const { current, previous } = await expectInSync(secretArn);
    for (const keyPair of api().keys()) expect(keyPair.tags).toMatchObject({ team: 'live', env: 'prod' });

    const untagged = await step(() => resource.update(props(secretArn, 2, { tags: { env: 'prod' } })));
    expect(untagged.ivsCalls).toEqual([kind.ops.list, 'UntagResource', 'UntagResource']);
    for (const keyPair of api().keys())
      expect(keyPair.tags).toEqual({
        env: 'prod',
        [OWNER_TAG_KEY]: secretArn,
        [GENERATION_TAG_KEY]: expect.any(String),
      });

    const renamed = await step(() => resource.update(props(secretArn, 2, { name: 'renamed', tags: { env: 'prod' } })));
    expect(renamed.ivsCalls).toEqual([
      kind.ops.list,
      kind.ops.delete,
      kind.ops.import,
      kind.ops.delete,
      kind.ops.import,
    ]);
    // Each key's public half is read and imported again; the new key pairs have new ARNs, so each key
    // gets a version naming its new key pair, and the labels keep their meaning.
    expect(renamed.secretsCalls).toEqual([
      'ListSecretVersionIds',
      'GetSecretValue',
      'GetSecretValue',
      'PutSecretValue', // the current key, AWSPENDING
      'UpdateSecretVersionStage', // AWSCURRENT to it (Secrets Manager moves AWSPREVIOUS to the version it left)
      'PutSecretValue', // the previous key, AWSPREVIOUS
      'UpdateSecretVersionStage', // AWSPENDING off
    ]);
    const after = await expectInSync(secretArn);
    expect([after.current.fingerprint, after.previous!.fingerprint]).toEqual([
      current.fingerprint,
      previous!.fingerprint,
    ]);
    expect(after.current.keyArn).not.toBe(current.keyArn);
    expect(
      api()
        .keys()
        .map((keyPair) => keyPair.name),
    ).toEqual(['renamed', 'renamed']);
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
    expect(rollback.ivsCalls).toEqual([kind.ops.list, 'TagResource', 'TagResource']); // the previous template's tags
    const after = await expectInSync(secretArn);
    expect(after.current.fingerprint).toBe(rotated.current.fingerprint);
    expect(after.previous!.fingerprint).toBe(first.fingerprint);
    expect(rollback.result.answer.Data).toMatchObject({ Arn: arnOf(rotated.current.fingerprint), Generation: '2' });
    for (const keyPair of api().keys()) expect(keyPair.tags.team).toBe('video');

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
    expect(repeated.ivsCalls).toEqual([kind.ops.list]); // its key pair is in place, tags and all
    expect(repeated.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue']);
    const { current } = await expectInSync(secretArn);
    expect(Object.keys(await labels(secretArn))).toEqual([current.versionId]);
  });

  test('a Create whose Import is refused writes nothing; retried, it imports a key and only then writes it', async () => {
    const secretArn = await emptySecret();
    const resource = generated();
    api().failNext(kind.ops.import, 'AccessDeniedException');
    const failed = await failingStep(() => resource.create(props(secretArn, 1)));
    expect(failed.error.message).toMatch(new RegExp(`IVS ${kind.ops.import} failed with AccessDeniedException`));
    expect(failed.secretsCalls).toEqual(['ListSecretVersionIds']);
    expect(await labels(secretArn)).toEqual({}); // the key was only in memory: nothing of it remains
    expect(api().keys()).toEqual([]);

    const retried = await step(() => resource.create(props(secretArn, 1)));
    expect(retried.secretsCalls).toEqual(['ListSecretVersionIds', 'PutSecretValue', 'UpdateSecretVersionStage']);
    expect(retried.ivsCalls).toEqual([kind.ops.list, kind.ops.import]);
    await expectInSync(secretArn);
  });

  test('a lost Create answer: the Delete under an invented id removes the key pair the Create imported', async () => {
    const secretArn = await emptySecret();
    const resource = generated();
    const deleted = await step(() => resource.createWithLostAnswer(props(secretArn, 1)));
    expect(deleted.ivsCalls).toEqual([kind.ops.list, kind.ops.import, kind.ops.list, kind.ops.delete]);
    expect(api().keys()).toEqual([]);
  });

  test('Delete removes every key pair the resource imported, and only those', async () => {
    const stranger = api().importAsSomeoneElse(p384().publicKeyPem, 'other-team');
    const secretArn = await emptySecret();
    const resource = generated();
    await resource.create(props(secretArn, 1));
    await resource.update(props(secretArn, 2));
    expect(api().keys()).toHaveLength(3);
    const deleted = await step(() => resource.delete());
    expect(deleted.ivsCalls).toEqual([kind.ops.list, kind.ops.delete, kind.ops.delete]);
    expect(deleted.secretsCalls).toEqual(['ListSecretVersionIds']); // the version ids say the List showed both
    expect(api().keys()).toEqual([stranger]);
    // Idempotent. The List no longer shows the key pairs the labels name: they may be gone, or not listed
    // yet after their import, so the handler deletes them by ARN (404: gone).
    const again = await step(() => resource.delete());
    expect(again.ivsCalls).toEqual([kind.ops.list, kind.ops.delete, kind.ops.delete]);
    expect(again.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue', 'GetSecretValue']);
    expect(
      api()
        .calls.filter((call) => call.operation === kind.ops.delete)
        .map((call) => call.status),
    ).toEqual([404, 404]);
    expect(api().keys()).toEqual([stranger]);
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
    expect(rotated.ivsCalls).toEqual([kind.ops.list, kind.ops.import, kind.ops.delete]);
    const { current, previous } = await expectInSync(secretArn, false);
    expect(previous!.fingerprint).toBe(first.fingerprint); // AWSPREVIOUS as Secrets Manager keeps it, not imported
    expect(
      api()
        .keys()
        .map((keyPair) => keyPair.fingerprint),
    ).toEqual([current.fingerprint]);
    expect(rotated.result.Data!.PreviousArn).toBe('');

    // Turning keepPreviousKey on imports AWSPREVIOUS again; off deletes it (a rollback can restore it).
    const kept = await step(() => resource.update(props(secretArn, 2, { keep: true })));
    expect(kept.ivsCalls).toEqual([kind.ops.list, kind.ops.import]);
    await expectInSync(secretArn, true);
    await resource.update(props(secretArn, 2, { keep: false }));
    await expectInSync(secretArn, false);
  });

  test('at the quota a rotation first deletes the key it retires anyway', async () => {
    const stranger = api().importAsSomeoneElse(p384().publicKeyPem, 'other-team');
    const secretArn = await emptySecret();
    const resource = generated();
    await resource.create(props(secretArn, 1));
    await resource.update(props(secretArn, 2));
    expect(api().keys()).toHaveLength(3);
    const third = await step(() => resource.update(props(secretArn, 3)));
    expect(third.ivsCalls).toEqual([kind.ops.list, kind.ops.import, kind.ops.list, kind.ops.delete, kind.ops.import]);
    await expectInSync(secretArn);
    expect(api().keys()[0]).toEqual(stranger);
  });

  test('a rotation that finds no room fails naming the holders, changes nothing, and its rollback succeeds', async () => {
    const strangers = [
      api().importAsSomeoneElse(p384().publicKeyPem, 'team-a'),
      api().importAsSomeoneElse(p384().publicKeyPem, 'team-b'),
    ];
    const secretArn = await emptySecret();
    const resource = generated();
    await resource.create(props(secretArn, 1));
    const before = await expectInSync(secretArn);
    const labelsBefore = await labels(secretArn);

    const failed = await failingStep(() => resource.update(props(secretArn, 2)));
    for (const keyPair of api().keys()) expect(failed.error.message).toContain(keyPair.arn);
    expect(failed.error.message).toMatch(
      new RegExp(
        `^${escaped(kind.quotaSentence)}, and the ${kind.kind.shortNounPlural} .*none of which this deploy retires\\. ` +
          `No ${kind.kind.shortNoun} was imported or deleted`,
      ),
    );
    expect(failed.ivsCalls).toEqual([kind.ops.list, kind.ops.import, kind.ops.list]);
    expect(api().keys().slice(0, 2)).toEqual(strangers);
    expect((await expectInSync(secretArn)).current.fingerprint).toBe(before.current.fingerprint);
    // Nothing was written: the new key was only in memory.
    expect(await labels(secretArn)).toEqual(labelsBefore);

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
    expect(api().keys()).toEqual([]);
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
    api().deleteBehindTheBack(arnOf(previous!.fingerprint));
    const healed = await step(() => resource.update(props(secretArn, 2)));
    expect(healed.ivsCalls).toEqual([kind.ops.list, kind.ops.import]);
    expect(healed.secretsCalls).toEqual([
      'ListSecretVersionIds',
      'GetSecretValue', // AWSPREVIOUS's key, imported again under a new ARN
      'PutSecretValue', // a version of the same key naming it, labelled AWSPREVIOUS
      'GetSecretValue', // AWSCURRENT's fingerprint, for the answer
    ]);
    const after = await expectInSync(secretArn);
    expect(after.current).toEqual(current);
    expect(after.previous!.fingerprint).toBe(previous!.fingerprint);
    expect(after.previous!.versionId).not.toBe(previous!.versionId);
  });

  test('the current key pair deleted outside CloudFormation: imported again, and the labels keep their meaning', async () => {
    const secretArn = await emptySecret();
    const resource = generated();
    await resource.create(props(secretArn, 1));
    await resource.update(props(secretArn, 2));
    const { current, previous } = await expectInSync(secretArn);
    api().deleteBehindTheBack(current.keyArn);
    const healed = await step(() => resource.update(props(secretArn, 2)));
    expect(healed.ivsCalls).toEqual([kind.ops.list, kind.ops.import]);
    expect(healed.secretsCalls).toEqual([
      'ListSecretVersionIds',
      'GetSecretValue', // AWSCURRENT's key, imported again under a new ARN
      'PutSecretValue', // a version of the same key naming it, AWSPENDING
      'UpdateSecretVersionStage', // AWSCURRENT to it; Secrets Manager moves AWSPREVIOUS to the version it left...
      'UpdateSecretVersionStage', // ...so AWSPREVIOUS goes back to the key before it
      'UpdateSecretVersionStage', // AWSPENDING off
    ]);
    const after = await expectInSync(secretArn);
    expect(after.current.fingerprint).toBe(current.fingerprint);
    expect(after.current.keyArn).not.toBe(current.keyArn);
    expect(after.previous).toEqual(previous);
    expect(healed.result.Data!.Arn).toBe(after.current.keyArn);
    expect(await playsInIvs(await tokenFrom(current))).toBe(true);
  });

  test('a key pair whose tags were edited outside CloudFormation is found (by its ARN, else its key) and tagged again, never deleted', async () => {
    const secretArn = await emptySecret();
    const resource = generated();
    await resource.create(props(secretArn, 1));
    const { current } = await expectInSync(secretArn);
    const arn = arnOf(current.fingerprint);
    // Through the SDK client of the kind's own API, as the console or the CLI would.
    const sdk = kind === PLAYBACK_KIND ? lowLatency : realTime;
    const client = new (kind === PLAYBACK_KIND ? lowLatency.IvsClient : realTime.IVSRealTimeClient)({
      endpoint: kind === PLAYBACK_KIND ? rig.ivs.endpoint : rig.ivs.realTimeEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
    });
    const untag = (tagKeys: string[]) =>
      (client.send as (command: unknown) => Promise<unknown>)(
        new sdk.UntagResourceCommand({ resourceArn: arn, tagKeys }),
      );
    await untag([GENERATION_TAG_KEY]);
    // The List still shows its owner tag, and the version's id names its ARN: the tag is put back.
    const regenerationTagged = await step(() => resource.update(props(secretArn, 1)));
    expect(regenerationTagged.ivsCalls).toEqual([kind.ops.list, 'TagResource']);
    expect(
      api()
        .keys()
        .map((keyPair) => keyPair.arn),
    ).toEqual([arn]);
    await expectInSync(secretArn);

    // Without its owner tag the List does not show it as this resource's: the Import gets 409, and a
    // Get of the ARN the value names finds it.
    await untag([OWNER_TAG_KEY, GENERATION_TAG_KEY]);
    const ownerTagged = await step(() => resource.update(props(secretArn, 1)));
    expect(ownerTagged.ivsCalls).toEqual([kind.ops.list, kind.ops.import, kind.ops.get, 'TagResource']);
    expect(
      api()
        .keys()
        .map((keyPair) => keyPair.arn),
    ).toEqual([arn]);
    await expectInSync(secretArn);
    client.destroy();
  });

  test('after cdk refactor (a new logical ID, no event) the resource still knows its key pairs: their owner is the secret', async () => {
    const secretArn = await emptySecret();
    const original = generated('GeneratedKey');
    await original.create(props(secretArn, 1));
    const moved = original.refactoredTo('MovedKey');
    const rotated = await step(() => moved.update(props(secretArn, 2)));
    expect(rotated.ivsCalls).toEqual([kind.ops.list, kind.ops.import]);
    await expectInSync(secretArn);
    const deleted = await step(() => moved.delete());
    expect(deleted.ivsCalls).toEqual([kind.ops.list, kind.ops.delete, kind.ops.delete]);
    expect(api().keys()).toEqual([]);
  });

  test('Secrets Manager not answering: the event still answers FAILED before the Lambda timeout, naming the call', async () => {
    const silent = await startSilentEndpoint(); // accepts connections, never answers
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = silent.endpoint;
    const stuck = loadShippedHandler(rig.assetDir, rig.ivs);
    try {
      const resource = new SimulatedResource<GeneratedProperties>(stuck, 'GeneratedKey', {
        resourceType: kind.generatedResourceType,
      });
      // The test's clock: the function's 300 s keep the answer's 45.5 s back, so the calls get 254.5 s.
      const clock = installControlledClock();
      const failing = watch(
        resource.create(props('arn:aws:secretsmanager:us-east-1:123456789012:secret:Stuck-AbCdEf', 1)).then(
          () => 'succeeded',
          (error: Error) => error.message,
        ),
      );
      await silent.connectionsReach(1);
      await clock.advance(254_499);
      expect(failing.settled).toBe(false);
      await clock.advance(1);
      expect(await failing.promise).toMatch(
        /^Secrets Manager ListSecretVersionIds did not finish within 255 s, so the handler stopped waiting/,
      );
      expect(api().keys()).toEqual([]);
    } finally {
      await silent.close();
    }
  });

  test('a rotation whose Import is refused writes nothing; delivered again, it rotates once: one key for the generation', async () => {
    const secretArn = await emptySecret();
    const resource = generated();
    await resource.create(props(secretArn, 1));
    const before = await labels(secretArn);
    api().failNext(kind.ops.import, 'AccessDeniedException');
    await expect(resource.update(props(secretArn, 2))).rejects.toThrow(/AccessDeniedException/);
    expect(await labels(secretArn)).toEqual(before);
    await expectInSync(secretArn);

    const again = await step(() => resource.update(props(secretArn, 2)));
    expect(again.secretsCalls).toEqual([
      'ListSecretVersionIds',
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'UpdateSecretVersionStage',
    ]);
    const { current } = await expectInSync(secretArn);
    expect(current.generation).toBe(2);
    expect(Object.keys(await labels(secretArn))).toHaveLength(2);
  });

  test('a Create in a full region fails naming the holders, and its Delete succeeds touching nothing', async () => {
    const strangers = [1, 2, 3].map((n) => api().importAsSomeoneElse(p384().publicKeyPem, `team-${n}`));
    const secretArn = await emptySecret();
    const resource = generated();
    const failed = await failingStep(() => resource.create(props(secretArn, 1)));
    for (const stranger of strangers) expect(failed.error.message).toContain(stranger.arn);
    expect(failed.ivsCalls).toEqual([kind.ops.list, kind.ops.import, kind.ops.list]);
    expect(resource.physicalResourceId).toBe(secretArn);
    const deleted = await step(() => resource.delete());
    expect(deleted.ivsCalls).toEqual([kind.ops.list]);
    expect(deleted.secretsCalls).toEqual(['ListSecretVersionIds']); // no version: nothing named
    expect(api().keys()).toEqual(strangers);
  });
});

/** `text` as a regular expression that matches it literally. */
function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
