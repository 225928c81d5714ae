/**
 * Issue 16, situations 1, 4 and 5, against the shipped bundle and the IVS stand-in: a key pair
 * counts as a resource's own only when its owner tag, its name and its key all match; a sibling
 * whose owner tag was hashed for length is still named as a sibling; a 409 always makes the
 * rollback Delete look for the key pair.
 */
import {
  IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID,
  NOTHING_IMPORTED_PHYSICAL_ID,
  OWNER_TAG_KEY,
} from '../../lib/shared/contract';
import {
  KeyPairProperties,
  SimulatedResource,
  SimulatedResourceOptions,
  STACK_ID,
} from '../../tools/stand-ins/cloudformation';
import { p384 } from '../support/keys';
import { KEY_KINDS } from '../support/key-kinds';
import { useShippedHandler } from '../support/shipped-setup';

jest.setTimeout(30_000);

const rig = useShippedHandler();
const SIGNED: SimulatedResourceOptions = { signing: 'sigv4', serviceTimeoutS: 360 };
const props = (
  publicKeyMaterial: string,
  name: string,
  tags: Record<string, string> = { team: 'video' },
): KeyPairProperties => ({ PublicKeyMaterial: publicKeyMaterial, Name: name, Tags: tags });
const newKey = () => p384().publicKeyPem;

async function failedCreate(
  resource: SimulatedResource,
  properties: KeyPairProperties,
): Promise<{ message: string; physicalResourceId: string }> {
  const message = await resource.create(properties).then(
    () => 'succeeded',
    (error: Error) => error.message,
  );
  return { message, physicalResourceId: resource.lastAnswer!.PhysicalResourceId };
}

describe.each(KEY_KINDS)('$title', (kind) => {
  const api = () => kind.api(rig.ivs);
  /** A resource of this kind, as CloudFormation drives it. */
  const simulated = (logicalId = 'PlaybackKey', options: SimulatedResourceOptions = {}) =>
    new SimulatedResource(rig.handler, logicalId, { resourceType: kind.resourceType, ...options });

  describe('situation 1: a key pair moved by cdk refactor is never swept by the newcomer at its old logical ID', () => {
    // A was created at logical ID PlaybackKey with the default name of that path, then `cdk refactor`
    // moved it to MovedKey (its owner tag still names PlaybackKey). A new PlaybackKeyPair at the vacated
    // construct path gets the same logical ID and the same default name, and another key.
    const OLD_DEFAULT_NAME = 'IvsStack-PlaybackKey-1A2B3C4D';

    async function refactoredSibling() {
      const original = simulated('PlaybackKey', SIGNED);
      await original.create(props(newKey(), OLD_DEFAULT_NAME));
      const [a] = api().keys();
      expect(a.tags[OWNER_TAG_KEY]).toBe(`${STACK_ID}/PlaybackKey`);
      return { moved: original.refactoredTo('MovedKey'), a };
    }

    test('its Create fails at the quota: the answer says nothing was imported, and the rollback Delete touches nothing', async () => {
      const { moved, a } = await refactoredSibling();
      api().importAsSomeoneElse(newKey(), 'other-team-a');
      api().importAsSomeoneElse(newKey(), 'other-team-b');
      const newcomer = simulated('PlaybackKey', SIGNED);
      const newcomerProps = props(newKey(), OLD_DEFAULT_NAME);

      const failed = await failedCreate(newcomer, newcomerProps);
      expect(failed.message).toContain(kind.quotaSentence);
      expect(failed.physicalResourceId).toBe(NOTHING_IMPORTED_PHYSICAL_ID);

      await newcomer.deleteAfterFailedCreate(newcomerProps, failed.physicalResourceId);
      expect(
        api()
          .keys()
          .map((k) => k.arn),
      ).toContain(a.arn);
      // The moved resource still owns a working key pair.
      const retagged = await moved.update(
        props(moved.properties!.PublicKeyMaterial, OLD_DEFAULT_NAME, { team: 'live' }),
      );
      expect(retagged.PhysicalResourceId).toBe(a.arn);
    });

    test('its Create fails because someone else holds its key: the rollback Delete looks, and spares the sibling', async () => {
      const { a } = await refactoredSibling();
      const key = newKey();
      api().importAsSomeoneElse(key, 'theirs');
      const newcomer = simulated('PlaybackKey', SIGNED);
      const newcomerProps = props(key, OLD_DEFAULT_NAME);

      const failed = await failedCreate(newcomer, newcomerProps);
      expect(failed.message).toContain('which this stack did not import');
      expect(failed.physicalResourceId).toBe(IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID); // a 409: IVS holds the key (situation 5)

      api().resetCalls();
      await newcomer.deleteAfterFailedCreate(newcomerProps, failed.physicalResourceId);
      // Owner tag and name match A, so its key is read, and it is not the newcomer's.
      expect(api().calls.map((call) => [call.operation, call.arn])).toEqual([
        [kind.ops.list, undefined],
        [kind.ops.get, a.arn],
      ]);
      expect(
        api()
          .keys()
          .map((k) => k.arn),
      ).toContain(a.arn);
    });
  });

  describe('situation 5: a 409 always leads the rollback Delete to look', () => {
    test('a Create whose key IVS holds but List does not show yet answers import-outcome-unknown, and its Delete removes the key pair', async () => {
      const key = newKey();
      // The first delivery imported the key; its answer was lost. The repeat's Import gets 409, and
      // List, eventually consistent, does not show the new key pair yet.
      await simulated('PlaybackKey', SIGNED).create(props(key, 'viewer-key'));
      const [imported] = api().keys();
      api().hideFromNextList(imported.arn);
      const repeat = simulated('PlaybackKey', SIGNED);

      const failed = await failedCreate(repeat, props(key, 'viewer-key'));
      expect(failed.message).toContain(`none of the 0 ${kind.kind.shortNounPlural} it lists holds it`);
      expect(failed.physicalResourceId).toBe(IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID);

      await repeat.deleteAfterFailedCreate(props(key, 'viewer-key'), failed.physicalResourceId);
      expect(api().keys()).toEqual([]); // nothing is left behind that would block the next import
    });
  });

  describe('situation 4: a sibling whose owner tag was hashed for length is named as a sibling', () => {
    // STACK_ID has 101 characters; with a long logical ID the owner is longer than a tag value (256).
    const readableId = `Key${'A'.repeat(160)}`; // hashed stack id + logical ID fits in 256
    const unreadableId = `Key${'B'.repeat(200)}`; // does not: both are hashed

    test.each([
      ['its logical ID still readable', readableId, `by the resource "${readableId}" of this same stack`],
      [
        'even its logical ID hashed',
        unreadableId,
        'by a resource (whose logical ID is too long for its owner tag) of this same stack',
      ],
    ])('%s', async (_, holderId, named) => {
      expect(`${STACK_ID}/${holderId}`.length).toBeGreaterThan(256);
      const key = newKey();
      await simulated(holderId, SIGNED).create(props(key, 'first'));
      expect(api().keys()[0].tags[OWNER_TAG_KEY]).toMatch(/^sha256-stack:[0-9a-f]{64}[/:]/);

      const failed = await failedCreate(simulated(`Second${'C'.repeat(190)}`, SIGNED), props(key, 'second'));

      expect(failed.message).toContain(named);
      expect(failed.message).not.toContain('which this stack did not import');
      expect(failed.message).not.toContain(kind.kind.deleteCommand);
    });

    test('a key pair this resource tagged with the hash of earlier versions is still its own (a rollback adopts it)', async () => {
      const logicalId = `Key${'D'.repeat(200)}`;
      const resource = simulated(logicalId, SIGNED);
      await resource.create(props(newKey(), 'viewer-key'));
      const [created] = api().keys();
      // As versions before this one wrote it: sha256 of "<stack id>/<logical id>".
      const { createHash } = await import('node:crypto');
      const legacy = `sha256:${createHash('sha256').update(`${STACK_ID}/${logicalId}`).digest('hex')}`;
      api().deleteBehindTheBack(created.arn);
      const restored = api().importAsSomeoneElse(created.publicKeyMaterial, created.name, {
        ...created.tags,
        [OWNER_TAG_KEY]: legacy,
      });
      resource.physicalResourceId = restored.arn;

      await resource.update(props(newKey(), 'viewer-key'));
      const { answer } = await resource.rollback();

      expect(answer.PhysicalResourceId).toBe(restored.arn);
    });
  });
});
