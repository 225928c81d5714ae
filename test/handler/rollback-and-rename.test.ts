/**
 * The lifecycle rules 4 and 5 (docs/lifecycle-rules.md): a rollback adopts its own key pair; a rename re-imports.
 * Mocked IVS, exact calls: see mocked-ivs.ts.
 */
import { ivsErrors, ivsKeyPair, props, updateEvent } from '../support/events';
import {
  useMockedIvs,
  answerFor,
  ARN_A,
  ARN_B,
  ARN_C,
  deleteOf,
  failure,
  getOf,
  givenImports,
  givenKeyPairs,
  givenMissing,
  importOf,
  invoke,
  KEY_A,
  KEY_B,
  listOf,
  sent,
  tagOf,
  untagOf,
  wanted,
  commands,
  mocked,
  useMockedKind,
} from './mocked-ivs';
import { KEY_KINDS } from '../support/key-kinds';

useMockedIvs();

describe.each(KEY_KINDS)('$title', (kind) => {
  useMockedKind(kind);

  describe('rule 4: a rollback adopts the key pair this resource imported before', () => {
    const tags = { team: 'video' };

    test('rollback of a key change: conflict, List, Get finds our key by fingerprint; its ARN is answered, nothing deleted', async () => {
      // The forward update imported KEY_B as ARN_B; the rollback asks for KEY_A again, which still exists as ARN_A.
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_B, KEY_B, 'my-key', wanted(tags)), ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(tags)));

      const answer = await invoke(updateEvent(props(KEY_B, 'my-key', tags), props(KEY_A, 'my-key', tags), ARN_B));

      expect(answer).toEqual(answerFor(ARN_A, KEY_A));
      // Changed in issue 16: Get instead of the blind Tag, and the Get of ARN_B is not repeated.
      expect(sent()).toEqual([getOf(ARN_B), importOf(KEY_A, 'my-key', wanted(tags)), listOf(), getOf(ARN_A)]);
      expect(mocked().commandCalls(commands().delete)).toHaveLength(0);
      expect(mocked().calls()).toHaveLength(4);
    });

    test('the adopted key pair gets the wanted tags', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(
        ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted({ team: 'audio', note: 'edited by hand' })),
        ivsKeyPair(ARN_B, KEY_B, 'my-key', wanted(tags)),
      );

      const answer = await invoke(updateEvent(props(KEY_B, 'my-key', tags), props(KEY_A, 'my-key', tags), ARN_B));

      expect(answer).toEqual(answerFor(ARN_A, KEY_A));
      expect(sent()).toEqual([
        getOf(ARN_B),
        importOf(KEY_A, 'my-key', wanted(tags)),
        listOf(),
        getOf(ARN_A),
        untagOf(ARN_A, ['note']),
        tagOf(ARN_A, { team: 'video' }),
      ]);
      expect(mocked().commandCalls(commands().delete)).toHaveLength(0);
    });

    test('rollback of a forward update that failed: the physical id still holds the wanted key, which is kept', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(tags)));

      const answer = await invoke(updateEvent(props(KEY_B, 'my-key', tags), props(KEY_A, 'my-key', tags), ARN_A));

      expect(answer).toEqual(answerFor(ARN_A, KEY_A));
      // Changed in issue 16: the Get before the import already described ARN_A; the List also shows
      // that the failed update left no key pair behind (the sweep of rule 4).
      expect(sent()).toEqual([getOf(ARN_A), importOf(KEY_A, 'my-key', wanted(tags)), listOf()]);
      expect(mocked().calls()).toHaveLength(3);
    });
  });

  describe('rule 5: Update changing only the name deletes the key pair, then imports it under the new name', () => {
    const tags = { team: 'video' };

    test('Delete of the current ARN, then import with the new name; the new ARN is answered', async () => {
      givenImports(ivsKeyPair(ARN_B, KEY_A, 'new-name', wanted(tags)));

      const answer = await invoke(updateEvent(props(KEY_A, 'old-name', tags), props(KEY_A, 'new-name', tags), ARN_A));

      expect(answer).toEqual(answerFor(ARN_B, KEY_A));
      expect(sent()).toEqual([deleteOf(ARN_A), importOf(KEY_A, 'new-name', wanted(tags))]);
      expect(mocked().calls()).toHaveLength(2);
    });

    test('a 404 on that Delete is fine', async () => {
      givenMissing(ARN_A);
      givenImports(ivsKeyPair(ARN_B, KEY_A, 'new-name', wanted(tags)));

      const answer = await invoke(updateEvent(props(KEY_A, 'old-name', tags), props(KEY_A, 'new-name', tags), ARN_A));

      expect(answer).toEqual(answerFor(ARN_B, KEY_A));
      expect(sent()).toEqual([deleteOf(ARN_A), importOf(KEY_A, 'new-name', wanted(tags))]);
    });

    test('a new name with new tags: the import carries the new tags, no Tag/Untag', async () => {
      givenImports(ivsKeyPair(ARN_B, KEY_A, 'new-name', wanted({ env: 'prod' })));

      await invoke(updateEvent(props(KEY_A, 'old-name', tags), props(KEY_A, 'new-name', { env: 'prod' }), ARN_A));

      expect(sent()).toEqual([deleteOf(ARN_A), importOf(KEY_A, 'new-name', wanted({ env: 'prod' }))]);
    });

    test('the rollback of a rename re-imports under the previous name', async () => {
      givenImports(ivsKeyPair(ARN_C, KEY_A, 'old-name', wanted(tags)));

      const answer = await invoke(updateEvent(props(KEY_A, 'new-name', tags), props(KEY_A, 'old-name', tags), ARN_B));

      expect(answer).toEqual(answerFor(ARN_C, KEY_A));
      expect(sent()).toEqual([deleteOf(ARN_B), importOf(KEY_A, 'old-name', wanted(tags))]);
    });

    test('a Delete refused by IVS stops the rename before any import', async () => {
      mocked()
        .on(commands().delete, { arn: ARN_A })
        .rejects(ivsErrors.accessDenied(`not authorized to perform: ivs:${kind.ops.delete}`));

      const error = await failure(updateEvent(props(KEY_A, 'old-name', tags), props(KEY_A, 'new-name', tags), ARN_A));

      expect(error.message).toContain(`not authorized to perform: ivs:${kind.ops.delete}`);
      expect(sent()).toEqual([deleteOf(ARN_A)]);
    });
  });
});
