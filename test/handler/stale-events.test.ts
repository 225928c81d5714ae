/**
 * Late and repeated Lambda deliveries (issue 16, situation 2), against the shipped bundle and the
 * IVS stand-in. CloudFormation invokes the handler asynchronously: Lambda retries a failed
 * invocation, keeps a throttled event queued for hours and may deliver one event twice. An event
 * CloudFormation no longer waits for, or one a later event of the same resource superseded,
 * changes nothing in IVS and gets no answer.
 */
import * as fs from 'node:fs';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { EVENT_MARKER_TAG_KEY, OWNER_TAG_KEY } from '../../lib/shared/contract';
import {
  KeyPairProperties,
  SimulatedResource,
  SimulatedResourceOptions,
  STACK_ID,
} from '../../tools/stand-ins/cloudformation';
import { IvsStandIn, StandInKey } from '../../tools/stand-ins/ivs-stand-in';
import { p384 } from '../support/keys';
import { KEY_KINDS } from '../support/key-kinds';
import { loadShippedHandler, OnEventHandler, synthesizeHandlerAsset } from '../support/shipped-handler';

jest.setTimeout(30_000);

/** The construct's ServiceTimeout (lib/construct/playback-key-pair-provider.ts), as CloudFormation sends it. */
const SERVICE_TIMEOUT_S = 360;
/** Signed as CloudFormation signs today's ResponseURLs, with the ServiceTimeout the construct writes. */
const SIGNED: SimulatedResourceOptions = { signing: 'sigv4', serviceTimeoutS: SERVICE_TIMEOUT_S };
/** Older than CloudFormation waits: it has failed the resource and moved on. */
const TOO_LATE_MS = (SERVICE_TIMEOUT_S + 40) * 1000;

let assemblyDir: string;
let assetDir: string;
let ivs: IvsStandIn;
let handler: OnEventHandler;
let logLines: string[];

beforeAll(() => {
  ({ assemblyDir, assetDir } = synthesizeHandlerAsset());
});

beforeEach(async () => {
  ivs = await IvsStandIn.start();
  handler = loadShippedHandler(assetDir, ivs);
  logLines = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logLines.push(args.map(String).join(' '));
  });
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    logLines.push(args.map(String).join(' '));
  });
});

afterEach(async () => {
  jest.restoreAllMocks();
  await ivs.stop();
});

afterAll(() => {
  fs.rmSync(assemblyDir, { recursive: true, force: true });
});

const props = (
  publicKeyMaterial: string,
  name = 'viewer-key',
  tags: Record<string, string> = { team: 'video' },
): KeyPairProperties => ({ PublicKeyMaterial: publicKeyMaterial, Name: name, Tags: tags });
const newKey = () => p384().publicKeyPem;
const owner = (logicalId = 'PlaybackKey') => `${STACK_ID}/${logicalId}`;

/** The key pairs as the user sees them: the event marker is the handler's bookkeeping. */
function userView(keyPairs: StandInKey[]) {
  return keyPairs.map(({ arn, name, publicKeyMaterial, tags }) => {
    const { [EVENT_MARKER_TAG_KEY]: marker, ...rest } = tags;
    expect(marker).toMatch(/^\d{8}T\d{6}Z$/);
    return { arn, name, publicKeyMaterial, tags: rest };
  });
}

describe.each(KEY_KINDS)('$title', (kind) => {
  const api = () => kind.api(ivs);
  /** A resource of this kind, as CloudFormation drives it. */
  const simulated = (logicalId = 'PlaybackKey', options: SimulatedResourceOptions = {}) =>
    new SimulatedResource(handler, logicalId, { resourceType: kind.resourceType, ...options });

  /** The IVS operations that changed something (a refused Import changes nothing). */
  function writes(): string[] {
    return api()
      .calls.filter((call) => call.status === 200 && ![kind.ops.get, kind.ops.list].includes(call.operation))
      .map((call) => call.operation);
  }

  function ignoredLines(): Array<Record<string, unknown>> {
    return logLines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((line) => 'ignored' in line);
  }

  async function noAnswer(event: () => Promise<unknown>): Promise<void> {
    await expect(event()).rejects.toThrow(/^The handler sent no response to the (Create|Update|Delete)/);
  }

  describe("a delivery after CloudFormation's ServiceTimeout changes nothing and sends no answer", () => {
    test('Create: no IVS call', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      resource.signNextEventAgo(TOO_LATE_MS);
      api().resetCalls();

      await noAnswer(() => resource.create(props(newKey())));

      expect(api().calls).toEqual([]);
      expect(api().keys()).toEqual([]);
      expect(ignoredLines()).toEqual([
        expect.objectContaining({
          requestType: 'Create',
          ivsCalls: [],
          ignored: expect.stringMatching(
            /^ignored: CloudFormation sent this event 40\d s ago and stopped waiting for its answer after 360 s/,
          ),
        }),
      ]);
    });

    test('Update (a key change): no IVS call, the key pair stays as it was', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      await resource.create(props(newKey()));
      const before = api().keys();
      resource.signNextEventAgo(TOO_LATE_MS);
      api().resetCalls();

      await noAnswer(() => resource.update(props(newKey(), 'viewer-key', { team: 'live' })));

      expect(api().calls).toEqual([]);
      expect(api().keys()).toEqual(before);
    });

    test('Delete, of an ARN and of an id CloudFormation made up: no IVS call, nothing deleted', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      await resource.create(props(newKey()));
      const before = api().keys();
      api().resetCalls();

      resource.signNextEventAgo(TOO_LATE_MS);
      await noAnswer(() => resource.delete());
      resource.signNextEventAgo(TOO_LATE_MS);
      await noAnswer(() => resource.delete('IvsStack-PlaybackKey-1A2B3C4D5E6F'));

      expect(api().calls).toEqual([]);
      expect(api().keys()).toEqual(before);
    });

    test('the SigV2 form of the ResponseURL (Expires) is read too', async () => {
      const resource = simulated('PlaybackKey', { ...SIGNED, signing: 'sigv2' });
      resource.signNextEventAgo(TOO_LATE_MS);
      await noAnswer(() => resource.create(props(newKey())));
      expect(api().calls).toEqual([]);

      // In time, the same form goes through.
      await resource.create(props(newKey()));
      expect(api().keys()).toHaveLength(1);
    });

    test('within the ServiceTimeout an event is carried out, however long it waited', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      resource.signNextEventAgo((SERVICE_TIMEOUT_S - 30) * 1000);
      const answer = await resource.create(props(newKey()));
      expect(
        api()
          .keys()
          .map((k) => k.arn),
      ).toEqual([answer.PhysicalResourceId]);
    });

    test('a ResponseURL without a signing time cannot be judged: the event goes through', async () => {
      const resource = simulated('PlaybackKey', { serviceTimeoutS: SERVICE_TIMEOUT_S });
      resource.signNextEventAgo(TOO_LATE_MS); // has no effect without a signing time in the URL
      await resource.create(props(newKey()));
      expect(api().keys()).toHaveLength(1);
    });
  });

  describe('the reproductions of issue 16, situation 2', () => {
    test('a Create that runs after the ServiceTimeout, after its rollback Delete: no key pair is left that nothing would delete', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      const key = newKey();
      // Lambda throttles the Create; CloudFormation gives up after the ServiceTimeout and rolls back,
      // deleting the resource under an id it makes up: nothing to find yet.
      resource.properties = props(key);
      const rollbackDelete = await resource.delete('IvsStack-PlaybackKey-1A2B3C4D5E6F');
      expect(rollbackDelete.PhysicalResourceId).toBe('IvsStack-PlaybackKey-1A2B3C4D5E6F');

      // Then Lambda finally delivers the Create.
      resource.signNextEventAgo(TOO_LATE_MS);
      api().resetCalls();
      await noAnswer(() => resource.create(props(key)));

      expect(api().calls).toEqual([]);
      expect(api().keys()).toEqual([]);
    });

    test('a key-change Update delivered again after its rollback: no orphan, the original key pair untouched', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      await resource.create(props(newKey()));
      const original = api().keys()[0];
      await resource.update(props(newKey()));
      const keyChange = resource.sentEvents.at(-1)!;
      const { cleanup } = await resource.rollback();
      expect(cleanup).toBeDefined(); // the failed update's key pair is deleted
      const afterRollback = api().keys();
      expect(userView(afterRollback)).toEqual(userView([original]));

      api().resetCalls();
      const answers = await resource.deliverAgain(keyChange);

      expect(answers).toEqual([]);
      expect(api().calls.map((call) => call.operation)).toEqual([kind.ops.get]); // the marker of the rollback, then nothing
      expect(api().keys()).toEqual(afterRollback);
      expect(ignoredLines()).toEqual([
        expect.objectContaining({
          requestType: 'Update',
          ignored: expect.stringMatching(
            new RegExp(
              `^superseded: ${kind.kind.shortNoun} ${original.arn} of this resource was last changed by an event`,
            ),
          ),
        }),
      ]);
    });

    test('a rollback Delete of a made-up id delivered again after the resource was created anew: the live key pair stays', async () => {
      const key = newKey();
      const lost = simulated('PlaybackKey', SIGNED);
      await lost.createWithLostAnswer(props(key));
      const rollbackDelete = lost.sentEvents.at(-1)!;
      expect(api().keys()).toEqual([]);

      // The next deployment creates the resource again, with the same key and name.
      const again = simulated('PlaybackKey', SIGNED);
      const answer = await again.create(props(key));
      const live = api().keys();

      api().resetCalls();
      const answers = await lost.deliverAgain(rollbackDelete as CloudFormationCustomResourceEvent);

      expect(answers).toEqual([]);
      expect(writes()).toEqual([]);
      expect(api().keys()).toEqual(live);
      expect(live.map((k) => k.arn)).toEqual([answer.PhysicalResourceId]);
    });

    test("a rename delivered again after its rollback: the stack's current key pair is neither deleted nor re-imported", async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      const key = newKey();
      await resource.create(props(key, 'old-name'));
      await resource.update(props(key, 'new-name'));
      const rename = resource.sentEvents.at(-1)!;
      await resource.rollback();
      const current = api().keys();
      expect(current).toMatchObject([{ arn: resource.physicalResourceId, name: 'old-name' }]);

      api().resetCalls();
      const answers = await resource.deliverAgain(rename);

      expect(answers).toEqual([]);
      // The Delete of the ARN the rename had already deleted finds nothing; the Import is refused (409).
      expect(writes()).toEqual([]);
      expect(api().keys()).toEqual(current);
    });
  });

  describe('a repeated delivery while CloudFormation still waits', () => {
    /** Delivers the resource's last event again: no write to IVS, the same keys, the same successful answer. */
    async function expectRepeatChangesNothing(resource: ReturnType<typeof simulated>, physicalId: string) {
      const keyPairs = api().keys();
      api().resetCalls();
      const answers = await resource.deliverAgain(resource.sentEvents.at(-1)!);

      expect(writes()).toEqual([]);
      expect(api().keys()).toEqual(keyPairs);
      expect(answers.map((put) => JSON.parse(put.body))).toEqual([
        expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: physicalId }),
      ]);
    }

    test('a Create delivered twice: the second changes nothing and answers the same key pair', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      const first = await resource.create(props(newKey()));

      await expectRepeatChangesNothing(resource, first.PhysicalResourceId);
    });

    test('a key change delivered twice: the second adopts what the first imported and changes nothing', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      await resource.create(props(newKey()));
      const rotated = await resource.update(props(newKey()));

      await expectRepeatChangesNothing(resource, rotated.PhysicalResourceId);
    });

    test('the handler throws for a retry only while the retry can still answer a waiting CloudFormation', async () => {
      const thrown: string[] = [];
      const watched: OnEventHandler = (event, context) =>
        handler(event, context).catch((error: Error) => {
          thrown.push(error.message);
          throw error;
        });
      // A 2 s Lambda timeout; every PUT attempt that fits in it is refused, however many this machine makes.
      const early = new SimulatedResource(watched, 'EarlyKey', {
        ...SIGNED,
        timeoutMs: 2_000,
        resourceType: kind.resourceType,
      });
      await early.failNextResponses(1_000);
      await expect(early.create(props(newKey(), 'early'))).rejects.toThrow(
        /expected exactly one accepted response to Create, got 0/,
      );
      expect(thrown).toEqual(['Could not send the response to CloudFormation: HTTP 500']); // Lambda retries a minute later

      // Sent 5 minutes ago: Lambda's retry, a minute from now, would come after CloudFormation stopped waiting.
      const late = new SimulatedResource(watched, 'LateKey', {
        ...SIGNED,
        timeoutMs: 2_000,
        resourceType: kind.resourceType,
      });
      late.signNextEventAgo((SERVICE_TIMEOUT_S - 60) * 1000);
      await expect(late.create(props(newKey(), 'late'))).rejects.toThrow(
        /expected exactly one accepted response to Create, got 0/,
      );
      await late.stopFailingResponses();
      expect(thrown).toHaveLength(1);
      expect(
        logLines.some((line) => line.includes('no retry: CloudFormation stops waiting before Lambda would retry')),
      ).toBe(true);
    });
  });

  test("the owner tag and the user's tags are what they were; only the event marker is added", async () => {
    const resource = simulated('PlaybackKey', SIGNED);
    await resource.create(props(newKey()));
    expect(userView(api().keys())[0].tags).toEqual({ team: 'video', [OWNER_TAG_KEY]: owner() });
  });

  test('with 49 user tags there is no room for the event marker: the key pair gets the 50 tags IVS allows, and events still go through', async () => {
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`tag${i}`, 'v']));
    const resource = simulated('PlaybackKey', SIGNED);
    const key = newKey();
    await resource.create(props(key, 'viewer-key', tags));
    await resource.update(props(key, 'viewer-key', { ...tags, tag0: 'changed' }));
    const [keyPair] = api().keys();
    expect(Object.keys(keyPair.tags)).toHaveLength(50);
    expect(keyPair.tags).not.toHaveProperty(EVENT_MARKER_TAG_KEY);
    expect(keyPair.tags).toMatchObject({ tag0: 'changed', [OWNER_TAG_KEY]: owner() });
  });

  describe('issue 21: the guards around the event marker', () => {
    const userTags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`tag${i}`, 'v']));

    test("48 user tags, then 49: the old event marker makes way, so the tags-only Update fits in IVS's 50", async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      const key = newKey();
      await resource.create(props(key, 'viewer-key', userTags(48)));
      expect(Object.keys(api().keys()[0].tags)).toHaveLength(50); // 48, the owner tag and the marker

      api().resetCalls();
      await resource.update(props(key, 'viewer-key', userTags(49)));

      const [keyPair] = api().keys();
      expect(keyPair.tags).toEqual({ ...userTags(49), [OWNER_TAG_KEY]: owner() });
      expect(api().calls.map((call) => call.operation)).toEqual([kind.ops.get, 'UntagResource', 'TagResource']);
      // And back to 48: the marker returns.
      await resource.update(props(key, 'viewer-key', userTags(48)));
      expect(api().keys()[0].tags).toMatchObject({ [EVENT_MARKER_TAG_KEY]: expect.stringMatching(/^\d{8}T\d{6}Z$/) });
      expect(Object.keys(api().keys()[0].tags)).toHaveLength(50);
    });

    test('a key change delivered again after two later key changes and their cleanups: no orphan, no answer', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      await resource.create(props(newKey())); // A
      await resource.update(props(newKey())); // U1: A -> B
      const u1 = resource.sentEvents.at(-1)!;
      await resource.completeStackUpdate(); // A deleted
      await resource.update(props(newKey())); // U2: B -> C
      await resource.completeStackUpdate(); // B deleted
      const current = api().keys();
      expect(current.map((keyPair) => keyPair.arn)).toEqual([resource.physicalResourceId]);

      api().resetCalls();
      const answers = await resource.deliverAgain(u1);

      expect(answers).toEqual([]);
      expect(writes()).toEqual([]);
      expect(api().keys()).toEqual(current);
      // The current key pair (A) is gone: only then does the handler look for this resource's key pairs.
      expect(api().calls.map((call) => call.operation)).toEqual([kind.ops.get, kind.ops.list]);
      expect(ignoredLines()).toEqual([expect.objectContaining({ requestType: 'Update' })]);
    });

    test('a tags-only Update delivered again after a later key change and its cleanup: no re-import (rule 7), no answer', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      const key = newKey();
      await resource.create(props(key));
      await resource.update(props(key, 'viewer-key', { team: 'live' })); // T1, tags only
      const t1 = resource.sentEvents.at(-1)!;
      await resource.update(props(newKey(), 'viewer-key', { team: 'live' })); // a key change
      await resource.completeStackUpdate(); // the key pair T1 tagged is deleted
      const current = api().keys();

      api().resetCalls();
      const answers = await resource.deliverAgain(t1);

      expect(answers).toEqual([]);
      expect(writes()).toEqual([]);
      expect(api().keys()).toEqual(current);
    });

    test('a key pair deleted outside CloudFormation is still imported again (rule 7): the List finds no later event', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      const key = newKey();
      await resource.create(props(key));
      api().deleteBehindTheBack(resource.physicalResourceId!);

      api().resetCalls();
      await resource.update(props(key, 'viewer-key', { team: 'live' }));

      expect(api().calls.map((call) => call.operation)).toEqual([kind.ops.get, kind.ops.list, kind.ops.import]);
      expect(
        api()
          .keys()
          .map((keyPair) => keyPair.arn),
      ).toEqual([resource.physicalResourceId]);
    });

    test('a marker from the future (edited by hand) is ignored: the next events go through and replace it', async () => {
      const resource = simulated('PlaybackKey', SIGNED);
      const key = newKey();
      await resource.create(props(key));
      api().tagBehindTheBack(resource.physicalResourceId!, { [EVENT_MARKER_TAG_KEY]: '20991231T235959Z' });

      const answer = await resource.update(props(key, 'viewer-key', { team: 'live' }));

      expect(answer.PhysicalResourceId).toBe(api().keys()[0].arn);
      const marker = api().keys()[0].tags[EVENT_MARKER_TAG_KEY];
      expect(marker).toMatch(/^\d{8}T\d{6}Z$/);
      expect(marker < '20991231T235959Z').toBe(true);
      await resource.update(props(newKey(), 'viewer-key', { team: 'live' })); // a key change goes through too
      await resource.completeStackUpdate();
      expect(api().keys()).toHaveLength(1);
    });
  });
});
