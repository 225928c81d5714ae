/**
 * Issue 21: a generated key (`Custom::IvsGeneratedPlaybackKeyPair`, and issue 24's
 * `Custom::IvsGeneratedStagePublicKey`: each test runs once per kind) when something else fails: a rollback at the
 * quota, deliveries repeated after a rollback, an import or a label move that never answers, an
 * import whose answer is lost, a List that lags an import, a version that cannot be written. Against
 * the shipped bundle, the IVS stand-in and moto's Secrets Manager (behind a fault proxy), with the
 * ResponseURLs signed as CloudFormation signs them. After every event the invariant of
 * `expectInSync` holds (docs/lifecycle-rules.md, "GeneratedPlaybackKeyPair"), and after every event that
 * succeeds the rig checks that AWSCURRENT (and a kept AWSPREVIOUS) names an imported key with its fingerprint.
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { HANDLER_NODE_MAJOR, OWNER_TAG_KEY } from '../../lib/shared/contract';
import { generateKeyValue, versionIdOf } from '../../lib/shared/generated-key';
import { KeyPairProperties, SimulatedResource, SimulatedResourceOptions } from '../../tools/stand-ins/cloudformation';
import { installControlledClock, outwait } from '../support/controlled-clock';
import { props, useGeneratedKeyRig, useGeneratedKind } from '../support/generated-key-rig';
import { KEY_KINDS } from '../support/key-kinds';
import { p384 } from '../support/keys';

jest.setTimeout(60_000);

const rig = useGeneratedKeyRig();
const SIGNED: SimulatedResourceOptions = { signing: 'sigv4', serviceTimeoutS: 360 };

test("runs on the Node.js major of the handler's Lambda runtime", () => {
  expect(Number(process.versions.node.split('.')[0])).toBe(HANDLER_NODE_MAJOR);
});

describe.each(KEY_KINDS)('$title', (kind) => {
  useGeneratedKind(rig, kind);
  const api = () => rig.api();

  /** A key you bring of the same kind (`PlaybackKeyPair`, `StagePublicKey`) and stack, served by the same function. */
  function sibling(logicalId: string): { resource: SimulatedResource; properties: KeyPairProperties } {
    return {
      resource: new SimulatedResource(rig.handler, logicalId, { ...SIGNED, resourceType: kind.resourceType }),
      properties: { PublicKeyMaterial: p384().publicKeyPem, Name: logicalId, Tags: {} },
    };
  }

  /** Runs `event` until `held` (a call held unanswered) arrives, then walks the test's clock to the handler's deadline. */
  async function pastTheDeadline(held: Promise<unknown>, event: () => Promise<unknown>): Promise<string> {
    const clock = installControlledClock();
    const outcome = event().then(
      () => 'succeeded',
      (error: Error) => error.message,
    );
    await held;
    const message = await outwait(clock, outcome);
    jest.useRealTimers();
    return message;
  }

  describe('item 1: a rollback never fails for want of a slot', () => {
    test('the previous key is re-imported best effort: a full region leaves PreviousArn "", and the next deploy restores it', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      await key.update(props(secretArn, 2));
      const first = sibling('FirstSibling');
      await first.resource.create(first.properties);
      expect(api().keys()).toHaveLength(3);

      // The deploy: keepPreviousKey false frees generation 1's slot, and a new sibling takes it.
      await key.update(props(secretArn, 2, { keep: false }));
      const second = sibling('SecondSibling');
      await second.resource.create(second.properties);
      expect(api().keys()).toHaveLength(3);

      // The deploy fails later; the rollback asks for keepPreviousKey true while the new sibling still holds the slot.
      const rollback = await rig.step(() => key.rollback());
      expect(rollback.result.answer.Data).toMatchObject({ Generation: '2', PreviousArn: '' });
      expect(rollback.ivsCalls).toEqual([
        kind.ops.list,
        'TagResource', // the current key pair: this event's marker
        kind.ops.import, // the previous key: 402
        kind.ops.list, // no key pair of this resource to make room with
      ]);
      expect(rollback.secretsCalls).toEqual(['ListSecretVersionIds', 'GetSecretValue', 'GetSecretValue']);
      const { current } = await rig.expectInSync(secretArn, { previousBestEffort: true });
      expect(rollback.result.answer.Data!.Arn).toBe(current.keyArn);
      expect(rig.handlerLogs().at(-1)!.action).toMatch(/region is full/);

      // CloudFormation deletes the new sibling; the next deploy of the same template re-imports the previous key.
      await second.resource.delete();
      const restored = await key.update(props(secretArn, 2));
      const { previous } = await rig.expectInSync(secretArn);
      expect(restored.Data!.PreviousArn).toBe(previous!.keyArn);
      expect(await rig.playsInIvs(await rig.tokenFrom(previous!))).toBe(true);
    });
  });

  describe('item 2: a delivery superseded by a later event of the resource changes nothing, and gets no answer', () => {
    test('keepPreviousKey false delivered again after its rollback: the previous key pair stays', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      await key.update(props(secretArn, 2));
      await key.update(props(secretArn, 2, { keep: false }));
      const forward = key.sentEvents.at(-1)!;
      await key.rollback();
      const { previous } = await rig.expectInSync(secretArn);
      const signedBefore = await rig.tokenFrom(previous!);
      const keyPairs = api().keys();

      api().resetCalls();
      const answers = await key.deliverAgain(forward);

      expect(answers).toEqual([]);
      expect(api().calls.map((call) => call.operation)).toEqual([kind.ops.list]);
      expect(api().keys()).toEqual(keyPairs);
      expect(await rig.playsInIvs(signedBefore)).toBe(true);
      expect(rig.handlerLogs().at(-1)!.ignored).toMatch(
        new RegExp(`^superseded: ${kind.kind.shortNoun} .* was last changed by an event`),
      );
      await rig.expectInSync(secretArn);
    });

    test("a rename delivered again after its rollback: the names and the stack's Arn stay as the rollback left them", async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      await key.update(props(secretArn, 2));
      await key.update(props(secretArn, 2, { name: 'renamed' }));
      const rename = key.sentEvents.at(-1)!;
      const { answer } = await key.rollback();
      const keyPairs = api().keys();
      expect(keyPairs.map((keyPair) => keyPair.name)).toEqual(['viewer-key', 'viewer-key']);

      const answers = await key.deliverAgain(rename);

      expect(answers).toEqual([]);
      expect(api().keys()).toEqual(keyPairs);
      expect(keyPairs.map((keyPair) => keyPair.arn)).toContain(answer.Data!.Arn);
      await rig.expectInSync(secretArn);
    });
  });

  describe('item 4: no version carries AWSPENDING after an event', () => {
    test('a rotation whose Import never answers fails at the deadline and labels nothing; its rollback succeeds', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      api().hangNext(kind.ops.import);

      const message = await pastTheDeadline(api().nextUnansweredCall(kind.ops.import), () =>
        key.update(props(secretArn, 2)),
      );

      expect(message).toMatch(new RegExp(`^IVS ${kind.ops.import} did not finish within \\d+ s`));
      await rig.expectInSync(secretArn);
      await key.rollback();
      await rig.expectInSync(secretArn);
    });

    test('a label move that never answers leaves AWSPENDING behind; the next event of the resource removes it', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      const first = await rig.expectInSync(secretArn);
      rig.secretsFaults.hangNext('UpdateSecretVersionStage');

      const message = await pastTheDeadline(rig.secretsFaults.nextUnansweredCall('UpdateSecretVersionStage'), () =>
        key.update(props(secretArn, 2)),
      );

      expect(message).toMatch(/^Secrets Manager UpdateSecretVersionStage did not finish within \d+ s/);
      const pending = Object.entries(await rig.labels(secretArn)).filter(([, stages]) => stages.includes('AWSPENDING'));
      expect(pending).toHaveLength(1); // no call can remove it after the deadline
      const rollback = await rig.step(() => key.rollback());
      expect(rollback.secretsCalls).toContain('UpdateSecretVersionStage');
      const after = await rig.expectInSync(secretArn);
      expect(after.current.fingerprint).toBe(first.current.fingerprint);
    });

    test('a label move that fails: the failing event removes the AWSPENDING it wrote, and its rollback deletes the new key pair', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      rig.secretsFaults.failNext('UpdateSecretVersionStage');

      const failed = await rig.failingStep(() => key.update(props(secretArn, 2)));

      expect(failed.error.message).toMatch(
        /^Secrets Manager UpdateSecretVersionStage failed with InvalidRequestException/,
      );
      expect(failed.secretsCalls).toEqual([
        'ListSecretVersionIds',
        'PutSecretValue',
        'UpdateSecretVersionStage', // AWSCURRENT: refused
        'UpdateSecretVersionStage', // AWSPENDING off
      ]);
      const pending = Object.values(await rig.labels(secretArn)).filter((stages) => stages.includes('AWSPENDING'));
      expect(pending).toEqual([]);
      await key.rollback();
      await rig.expectInSync(secretArn);
    });

    test('an AWSPENDING left by a crashed rotation is removed by a tags-only Update', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      await rig.secretsManager.send(
        new PutSecretValueCommand({
          SecretId: secretArn,
          ClientRequestToken: 'crashed-rotation-0123456789abcdef0123456789',
          SecretString: JSON.stringify(generateKeyValue(2)),
          VersionStages: ['AWSPENDING'],
        }),
      );

      await key.update(props(secretArn, 1, { tags: { team: 'live' } }));

      await rig.expectInSync(secretArn);
      expect((await rig.labels(secretArn))['crashed-rotation-0123456789abcdef0123456789']).toEqual([]);
    });
  });

  describe('item 5: AWSCURRENT only ever names a key pair that holds its key', () => {
    test('a rotation whose Import was carried out unheard, delivered again: the orphan goes, the new key is imported and current', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      api().commitThenHangNext(kind.ops.import);
      const message = await pastTheDeadline(api().nextUnansweredCall(kind.ops.import), () =>
        key.update(props(secretArn, 2)),
      );
      expect(message).toMatch(new RegExp(`^IVS ${kind.ops.import} did not finish`));
      expect(api().keys()).toHaveLength(2); // imported, but no version names it

      const answers = await key.deliverAgain(key.sentEvents.at(-1)!);

      expect(answers.map((put) => JSON.parse(put.body).Status)).toEqual(['SUCCESS']);
      const { current, previous } = await rig.expectInSync(secretArn);
      expect(current.generation).toBe(2);
      expect(previous!.generation).toBe(1);
      expect(await rig.playsInIvs(await rig.tokenFrom(current))).toBe(true);
    });

    test('a version whose value names a key pair that holds another key is never made current: the key is imported anew', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      const first = await rig.expectInSync(secretArn);
      // A version of generation 2 (as a Secrets Manager that lets a version be rewritten could leave it)
      // naming generation 1's key pair, with another key.
      const forged = { ...generateKeyValue(2), [kind.kind.valueArnField]: first.current.keyArn };
      await rig.secretsManager.send(
        new PutSecretValueCommand({
          SecretId: secretArn,
          ClientRequestToken: versionIdOf(2, first.current.keyArn),
          SecretString: JSON.stringify(forged),
          VersionStages: ['AWSPENDING'],
        }),
      );

      await key.update(props(secretArn, 2));

      const { current } = await rig.expectInSync(secretArn);
      expect(current.generation).toBe(2);
      expect(current.keyArn).not.toBe(first.current.keyArn);
    });
  });

  describe('item 6: Delete finds the key pairs by the ARNs the secret names, not only by List', () => {
    test('a Delete right after a Create whose key pair the List does not show yet: nothing is left', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      const [imported] = api().keys();
      api().hideFromNextList(imported.arn);

      const deleted = await rig.step(() => key.delete());

      expect(api().keys()).toEqual([]);
      expect(deleted.ivsCalls).toEqual([kind.ops.list, kind.ops.delete]);
    });

    test('a rotation whose version cannot be written deletes the key pair it imported: no private half, no key pair', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      rig.secretsFaults.failNext('PutSecretValue');

      const failed = await rig.failingStep(() => key.update(props(secretArn, 2)));

      expect(failed.error.message).toMatch(/^Secrets Manager PutSecretValue failed with InvalidRequestException/);
      expect(failed.ivsCalls).toEqual([
        kind.ops.list,
        kind.ops.import,
        'TagResource', // the previous key pair gets this event's marker
        kind.ops.delete,
      ]);
      await rig.expectInSync(secretArn);
      await key.rollback();
      await rig.expectInSync(secretArn);
    });

    test('a key pair whose version was never written and that its event could not delete: the next event deletes it', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      rig.secretsFaults.hangNext('PutSecretValue');
      const message = await pastTheDeadline(rig.secretsFaults.nextUnansweredCall('PutSecretValue'), () =>
        key.update(props(secretArn, 2)),
      );
      expect(message).toMatch(/^Secrets Manager PutSecretValue did not finish/);
      expect(
        api()
          .keys()
          .filter((keyPair) => keyPair.tags[OWNER_TAG_KEY] === secretArn),
      ).toHaveLength(2);

      await key.rollback();

      await rig.expectInSync(secretArn);
    });
  });

  describe('item 7: the entry guard and the deploy-time checks cover generated keys', () => {
    test('an event older than CloudFormation waits changes nothing, calls nothing and gets no answer', async () => {
      const secretArn = await rig.emptySecret();
      const key = rig.generated('GeneratedKey', SIGNED);
      await key.create(props(secretArn, 1));
      const before = { keyPairs: api().keys(), labels: await rig.labels(secretArn) };
      const calls = rig.secretsFaults.calls.length;
      api().resetCalls();

      key.signNextEventAgo(400_000);
      await expect(key.update(props(secretArn, 2, { keep: false }))).rejects.toThrow(/sent no response to the Update/);

      expect(api().calls).toEqual([]);
      expect(rig.secretsFaults.calls.length).toBe(calls);
      expect(api().keys()).toEqual(before.keyPairs);
      expect(await rig.labels(secretArn)).toEqual(before.labels);
    });

    test(`Tags in the list form of older templates are read, as for ${kind.kind.importedConstruct}`, async () => {
      const secretArn = await rig.emptySecret();
      await rig.generated().create({ ...props(secretArn, 1), Tags: [{ Key: 'team', Value: 'video' }] as never });
      expect(api().keys()[0].tags).toMatchObject({ team: 'video' });
      await rig.expectInSync(secretArn);
    });
  });
});
