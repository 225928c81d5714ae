/**
 * The lifecycle rules 1 to 3 (docs/lifecycle-rules.md): Create, tags-only Update, key change.
 * Mocked IVS, exact calls: see mocked-ivs.ts.
 */
import { createHash } from 'node:crypto';
import {
  DeletePlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ivs';
import { OWNER_TAG_KEY } from '../../lib/shared/contract';
import {
  createEvent,
  ivsErrors,
  ivsKeyPair,
  type KeyPairProps,
  props,
  reformatted,
  STACK_ID,
  updateEvent,
} from '../support/events';
import {
  useMockedIvs,
  answerFor,
  ARN_A,
  ARN_B,
  failure,
  getOf,
  givenImports,
  givenKeyPairs,
  givenMissing,
  importOf,
  invoke,
  ivsMock,
  KEY_A,
  KEY_B,
  KEY_C,
  listOf,
  logLine,
  OWNER,
  ownerTagOf,
  sent,
  tagOf,
  untagOf,
  wanted,
} from './mocked-ivs';

useMockedIvs();

describe('rule 1: Create imports the key with its name and tags', () => {
  test('imports with the name, the user tags and the owner tag; answers the ARN and fingerprint IVS gives', async () => {
    const tags = { team: 'video', env: 'prod' };
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(tags)));

    const answer = await invoke(createEvent(props(KEY_A, 'my-key', tags)));

    expect(answer).toEqual(answerFor(ARN_A, KEY_A));
    expect(ivsMock.commandCalls(ImportPlaybackKeyPairCommand)).toHaveLength(1);
    expect(sent()).toEqual([importOf(KEY_A, 'my-key', { team: 'video', env: 'prod', [OWNER_TAG_KEY]: OWNER })]);
    expect(ivsMock.calls()).toHaveLength(1);
    expect(logLine()).toMatchObject({ action: 'imported', result: ARN_A });
  });

  test('without Tags the key pair gets only the owner tag', async () => {
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));

    await expect(invoke(createEvent(props(KEY_A, 'my-key')))).resolves.toEqual(answerFor(ARN_A, KEY_A));

    expect(sent()).toEqual([importOf(KEY_A, 'my-key', { [OWNER_TAG_KEY]: OWNER })]);
  });

  test('Tags in the list form of older templates are read as a map', async () => {
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted({ team: 'video' })));
    const listTags = { ...props(KEY_A, 'my-key'), Tags: [{ Key: 'team', Value: 'video' }] } as KeyPairProps;

    await expect(invoke(createEvent(listTags))).resolves.toEqual(answerFor(ARN_A, KEY_A));

    expect(sent()).toEqual([importOf(KEY_A, 'my-key', wanted({ team: 'video' }))]);
  });

  // Changed in issue 16: the stack id is hashed on its own, so the stack stays recognisable (owner-tag.ts).
  test('an owner longer than a tag value allows (256) is hashed', async () => {
    const logicalId = `Key${'x'.repeat(250)}`;
    const owner = `sha256-stack:${createHash('sha256').update(STACK_ID).digest('hex')}:${createHash('sha256').update(`${STACK_ID}/${logicalId}`).digest('hex')}`;
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', { [OWNER_TAG_KEY]: owner }));

    await invoke(createEvent(props(KEY_A, 'my-key'), { logicalId }));

    expect(sent()).toEqual([importOf(KEY_A, 'my-key', { [OWNER_TAG_KEY]: owner })]);
  });
});

describe('rule 2: Update changing only tags changes them in place', () => {
  const oldTags = { team: 'video', env: 'dev', retired: 'yes' };
  const newTags = { team: 'video', env: 'prod', cost: '42' };

  test('Get, Untag the removed keys, Tag the added and changed ones; same physical id, no import', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(oldTags)));

    const answer = await invoke(updateEvent(props(KEY_A, 'my-key', oldTags), props(KEY_A, 'my-key', newTags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_A, KEY_A));
    expect(sent()).toEqual([getOf(ARN_A), untagOf(ARN_A, ['retired']), tagOf(ARN_A, { env: 'prod', cost: '42' })]);
    expect(ivsMock.commandCalls(ImportPlaybackKeyPairCommand)).toHaveLength(0);
    expect(ivsMock.commandCalls(DeletePlaybackKeyPairCommand)).toHaveLength(0);
    expect(ivsMock.calls()).toHaveLength(3);
  });

  test('only the Get when the key pair already carries the wanted tags (e.g. only ServiceToken changed)', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(newTags)));

    const answer = await invoke(updateEvent(props(KEY_A, 'my-key', newTags), props(KEY_A, 'my-key', newTags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_A, KEY_A));
    expect(sent()).toEqual([getOf(ARN_A)]);
  });

  test('compares with the tags IVS reports, not with OldResourceProperties', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted({ ...newTags, addedByHand: 'x' })));

    await invoke(updateEvent(props(KEY_A, 'my-key', newTags), props(KEY_A, 'my-key', newTags), ARN_A));

    expect(sent()).toEqual([getOf(ARN_A), untagOf(ARN_A, ['addedByHand'])]);
  });

  test('a tag under aws: on the key pair is never untagged', async () => {
    givenKeyPairs(
      ivsKeyPair(ARN_A, KEY_A, 'my-key', { ...wanted(oldTags), 'aws:cloudformation:stack-name': 'MyStack' }),
    );

    await invoke(updateEvent(props(KEY_A, 'my-key', oldTags), props(KEY_A, 'my-key', newTags), ARN_A));

    expect(sent()).toEqual([getOf(ARN_A), untagOf(ARN_A, ['retired']), tagOf(ARN_A, { env: 'prod', cost: '42' })]);
    const untagged = ivsMock.commandCalls(UntagResourceCommand).flatMap((call) => call.args[0].input.tagKeys ?? []);
    expect(untagged.filter((key) => key.startsWith('aws:'))).toEqual([]);
  });

  test('the owner tag is restored when someone removed it', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', { ...newTags }));

    const answer = await invoke(updateEvent(props(KEY_A, 'my-key', newTags), props(KEY_A, 'my-key', newTags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_A, KEY_A));
    expect(sent()).toEqual([getOf(ARN_A), tagOf(ARN_A, { [OWNER_TAG_KEY]: OWNER })]);
  });

  test('the owner tag is set back when someone changed its value', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', { ...newTags, [OWNER_TAG_KEY]: 'someone-else' }));

    await invoke(updateEvent(props(KEY_A, 'my-key', newTags), props(KEY_A, 'my-key', newTags), ARN_A));

    expect(sent()).toEqual([getOf(ARN_A), tagOf(ARN_A, { [OWNER_TAG_KEY]: OWNER })]);
  });

  // A check like `key in wanted` would also see Object.prototype members and never untag these.
  test('a removed tag whose key is also an Object.prototype member ("constructor") is untagged', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted({ team: 'video', constructor: 'x' })));

    await invoke(
      updateEvent(
        props(KEY_A, 'my-key', { team: 'video', constructor: 'x' }),
        props(KEY_A, 'my-key', { team: 'video' }),
        ARN_A,
      ),
    );

    expect(sent()).toEqual([getOf(ARN_A), untagOf(ARN_A, ['constructor'])]);
  });

  test('a rollback of a tags-only update puts the previous tags back in place', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(newTags)));

    const answer = await invoke(updateEvent(props(KEY_A, 'my-key', newTags), props(KEY_A, 'my-key', oldTags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_A, KEY_A));
    expect(sent()).toEqual([getOf(ARN_A), untagOf(ARN_A, ['cost']), tagOf(ARN_A, { env: 'dev', retired: 'yes' })]);
  });
});

// Changed in issue 16: the current key pair is read (Get) instead of tagged blindly, so that a
// later event's marker is seen before anything is imported; it is tagged only when its owner tag is stale.
describe('rule 3: Update changing the key re-tags the current key pair, imports the new key first and deletes nothing', () => {
  const tags = { team: 'video' };

  test('reads the current key pair (its owner tag is right), imports the new key, answers its ARN, leaves the old key pair to the cleanup Delete', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(tags)));
    givenImports(ivsKeyPair(ARN_B, KEY_B, 'my-key', wanted(tags)));

    const answer = await invoke(updateEvent(props(KEY_A, 'my-key', tags), props(KEY_B, 'my-key', tags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_B, KEY_B));
    expect(sent()).toEqual([getOf(ARN_A), importOf(KEY_B, 'my-key', wanted(tags))]);
    expect(ivsMock.commandCalls(DeletePlaybackKeyPairCommand)).toHaveLength(0);
    expect(ivsMock.calls()).toHaveLength(2);
  });

  test('the owner tag names the logical ID of the event, e.g. after cdk refactor renamed it', async () => {
    const renamed = 'RenamedKeyResource0F1E2D3C';
    const renamedOwner = { [OWNER_TAG_KEY]: `${STACK_ID}/${renamed}` };
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(tags)));
    givenImports(ivsKeyPair(ARN_B, KEY_B, 'my-key', { ...tags, ...renamedOwner }));

    await invoke(
      updateEvent(props(KEY_A, 'my-key', tags), props(KEY_B, 'my-key', tags), ARN_A, { logicalId: renamed }),
    );

    expect(sent()).toEqual([
      getOf(ARN_A),
      tagOf(ARN_A, renamedOwner),
      importOf(KEY_B, 'my-key', { ...tags, ...renamedOwner }),
    ]);
  });

  test('a current key pair deleted outside CloudFormation (404 on the Get) does not stop the import', async () => {
    givenMissing(ARN_A);
    givenKeyPairs(); // the List that looks for a later event of this resource finds none
    givenImports(ivsKeyPair(ARN_B, KEY_B, 'my-key', wanted(tags)));

    const answer = await invoke(updateEvent(props(KEY_A, 'my-key', tags), props(KEY_B, 'my-key', tags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_B, KEY_B));
    expect(sent()).toEqual([getOf(ARN_A), listOf(), importOf(KEY_B, 'my-key', wanted(tags))]);
  });

  test('any other error on the tag stops the update before the import', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', { ...tags, [OWNER_TAG_KEY]: `${STACK_ID}/BeforeRefactor` }));
    ivsMock
      .on(TagResourceCommand, { resourceArn: ARN_A })
      .rejects(ivsErrors.accessDenied('not authorized to perform: ivs:TagResource'));

    const error = await failure(updateEvent(props(KEY_A, 'my-key', tags), props(KEY_B, 'my-key', tags), ARN_A));

    expect(error.message).toBe(
      'IVS TagResource failed with AccessDeniedException: not authorized to perform: ivs:TagResource',
    );
    expect(sent()).toEqual([getOf(ARN_A), ownerTagOf(ARN_A)]);
  });

  test('a new key with a new name is one import under the new name, still no Delete', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'old-name', wanted(tags)));
    givenImports(ivsKeyPair(ARN_B, KEY_B, 'new-name', wanted(tags)));

    const answer = await invoke(updateEvent(props(KEY_A, 'old-name', tags), props(KEY_B, 'new-name', tags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_B, KEY_B));
    expect(sent()).toEqual([getOf(ARN_A), importOf(KEY_B, 'new-name', wanted(tags))]);
  });

  test('previous properties whose key cannot be read count as a key change', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_C, 'my-key', wanted(tags)));
    givenImports(ivsKeyPair(ARN_B, KEY_A, 'my-key', wanted(tags)));

    const answer = await invoke(updateEvent(props('not a key', 'my-key', tags), props(KEY_A, 'my-key', tags), ARN_A));

    expect(answer).toEqual(answerFor(ARN_B, KEY_A));
    expect(sent()).toEqual([getOf(ARN_A), importOf(KEY_A, 'my-key', wanted(tags))]);
  });

  test.each(Object.entries(reformatted))(
    'the same key reformatted (%s) is not a key change: Get only, same ARN',
    async (_, format) => {
      givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(tags)));

      const answer = await invoke(
        updateEvent(props(KEY_A, 'my-key', tags), props(format(KEY_A.pem), 'my-key', tags), ARN_A),
      );

      expect(answer).toEqual(answerFor(ARN_A, KEY_A));
      expect(sent()).toEqual([getOf(ARN_A)]);
    },
  );
});
