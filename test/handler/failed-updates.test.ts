/**
 * Issue 16, situation 3, against the shipped bundle and the IVS stand-in: a key-change Update
 * whose Import IVS carried out without the handler hearing of it (no answer before the deadline)
 * answers FAILED with the old ARN, so CloudFormation never sends a Delete for the new key pair.
 * Its rollback removes that key pair, also at the quota of 3, where it needs the slot.
 */
import { OWNER_TAG_KEY } from '../../lib/shared/contract';
import {
  KeyPairProperties,
  SimulatedResource,
  SimulatedResourceOptions,
  STACK_ID,
} from '../../tools/stand-ins/cloudformation';
import { p384 } from '../support/keys';
import { KEY_KINDS } from '../support/key-kinds';
import { useShippedHandler } from '../support/shipped-setup';
import { installControlledClock, outwait, restoreRealClockAfterEach } from '../support/controlled-clock';

jest.setTimeout(30_000);

const rig = useShippedHandler();
restoreRealClockAfterEach();
const OPTIONS = { signing: 'sigv4', serviceTimeoutS: 360 } as const;
const props = (publicKeyMaterial: string): KeyPairProperties => ({
  PublicKeyMaterial: publicKeyMaterial,
  Name: 'viewer-key',
  Tags: { team: 'video' },
});
const newKey = () => p384().publicKeyPem;

describe.each(KEY_KINDS)('$title', (kind) => {
  const api = () => kind.api(rig.ivs);
  /** A resource of this kind, as CloudFormation drives it. */
  const simulated = (logicalId = 'PlaybackKey', options: SimulatedResourceOptions = {}) =>
    new SimulatedResource(rig.handler, logicalId, { resourceType: kind.resourceType, ...options });

  /**
   * The update whose Import IVS carries out without answering: once the stand-in holds it, the test's
   * clock walks the handler to its deadline, whatever this machine's speed.
   */
  async function failedUpdate(resource: SimulatedResource, properties: KeyPairProperties): Promise<string> {
    api().commitThenHangNext(kind.ops.import);
    const held = api().nextUnansweredCall(kind.ops.import);
    const clock = installControlledClock();
    const outcome = resource.update(properties).then(
      () => 'succeeded',
      (error: Error) => error.message,
    );
    await held;
    const message = await outwait(clock, outcome);
    jest.useRealTimers();
    return message;
  }

  test('the rollback deletes the key pair the failed update imported, and keeps the original', async () => {
    const resource = simulated('PlaybackKey', OPTIONS);
    await resource.create(props(newKey()));
    const [original] = api().keys();

    const failedKey = newKey();
    expect(await failedUpdate(resource, props(failedKey))).toMatch(
      new RegExp(`^IVS ${kind.ops.import} did not finish within \\d+ s`),
    );
    expect(resource.lastAnswer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: original.arn });
    const orphan = api()
      .keys()
      .find((k) => k.publicKeyMaterial === failedKey)!;
    expect(orphan.tags[OWNER_TAG_KEY]).toBe(`${STACK_ID}/PlaybackKey`);

    api().resetCalls();
    const { answer, cleanup } = await resource.rollback();

    expect(answer.PhysicalResourceId).toBe(original.arn);
    expect(cleanup).toBeUndefined(); // CloudFormation sends no Delete: the physical id did not change
    expect(
      api()
        .keys()
        .map((k) => k.arn),
    ).toEqual([original.arn]);
    expect(
      api()
        .calls.filter((call) => call.operation === kind.ops.delete)
        .map((call) => call.arn),
    ).toEqual([orphan.arn]);
    expect(rig.jsonLines().at(-1)!.action).toContain(`deleted ${orphan.arn}, imported by the failed update`);
  });

  test("at the quota the rollback frees the failed update's slot and succeeds", async () => {
    const foreign = [
      api().importAsSomeoneElse(newKey(), 'other-team-a'),
      api().importAsSomeoneElse(newKey(), 'other-team-b'),
    ];
    const resource = simulated('PlaybackKey', OPTIONS);
    const originalKey = newKey();
    await resource.create(props(originalKey));
    const original = api().keys()[2];

    // Rule 6 deletes the current key pair to make room; the second Import is carried out unheard.
    const failedKey = newKey();
    expect(await failedUpdate(resource, props(failedKey))).toMatch(
      new RegExp(`^IVS ${kind.ops.import} did not finish`),
    );
    expect(
      api()
        .keys()
        .map((k) => k.publicKeyMaterial),
    ).toEqual([...foreign.map((k) => k.publicKeyMaterial), failedKey]);

    const { answer } = await resource.rollback();

    const keys = api().keys();
    expect(keys.slice(0, 2)).toEqual(foreign);
    expect(keys).toHaveLength(3);
    expect(keys[2]).toMatchObject({
      arn: answer.PhysicalResourceId,
      publicKeyMaterial: originalKey,
      name: original.name,
    });
    expect(answer.PhysicalResourceId).not.toBe(original.arn); // re-imported: the forward update had deleted it
  });
});
