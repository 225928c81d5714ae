/**
 * The lifecycle rule 9 (docs/lifecycle-rules.md): a key someone else holds, or another resource of this stack.
 * Mocked IVS, exact calls: see mocked-ivs.ts.
 */
import { OWNER_TAG_KEY } from '../../lib/shared/contract';
import {
  createEvent,
  ivsErrors,
  ivsKeyPair,
  LOGICAL_ID,
  OTHER_STACK_ID,
  props,
  STACK_ID,
  updateEvent,
} from '../support/events';
import {
  useMockedIvs,
  ARN_A,
  ARN_B,
  ARN_X,
  failure,
  getOf,
  givenImports,
  givenKeyPairs,
  importOf,
  KEY_A,
  KEY_B,
  KEY_C,
  listOf,
  sent,
  wanted,
  writesTo,
  commands,
  mocked,
  useMockedKind,
} from './mocked-ivs';
import { KEY_KINDS } from '../support/key-kinds';

useMockedIvs();

describe.each(KEY_KINDS)('$title', (kind) => {
  useMockedKind(kind);

  describe('rule 9: a key held by someone else is never adopted nor touched', () => {
    function expectForeignKeyError(error: Error, arn: string): void {
      expect(error.message).toContain(arn);
      expect(error.message).toContain(KEY_A.fingerprint);
      expect(error.message).toContain(kind.kind.fromArn);
    }

    test('held by a key pair without an owner tag: the error names its ARN and fingerprint', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_X, KEY_A, 'imported-by-hand', { team: 'video' }));

      const error = await failure(createEvent(props(KEY_A, 'my-key')));

      expectForeignKeyError(error, ARN_X);
      expect(sent()).toEqual([importOf(KEY_A, 'my-key', wanted()), listOf(), getOf(ARN_X)]);
      expect(writesTo(ARN_X)).toEqual([]);
    });

    test('held by the same logical id of another stack: not ours either', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_X, KEY_A, 'my-key', { [OWNER_TAG_KEY]: `${OTHER_STACK_ID}/${LOGICAL_ID}` }));

      const error = await failure(createEvent(props(KEY_A, 'my-key')));

      expectForeignKeyError(error, ARN_X);
      expect(sent()).toEqual([importOf(KEY_A, 'my-key', wanted()), listOf(), getOf(ARN_X)]);
      expect(writesTo(ARN_X)).toEqual([]);
    });

    test('our own key pairs are looked at first, then the others; no write to any of them', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_X, KEY_A, 'someone-elses', {}), ivsKeyPair(ARN_B, KEY_B, 'my-old-key', wanted()));

      const error = await failure(createEvent(props(KEY_A, 'my-key')));

      expectForeignKeyError(error, ARN_X);
      expect(sent()).toEqual([importOf(KEY_A, 'my-key', wanted()), listOf(), getOf(ARN_B), getOf(ARN_X)]);
      expect(mocked().commandCalls(commands().delete)).toHaveLength(0);
      expect(mocked().commandCalls(commands().tag)).toHaveLength(0);
      expect(mocked().commandCalls(commands().untag)).toHaveLength(0);
    });

    test('an Update to a key held elsewhere fails without deleting the current key pair', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_A, KEY_B, 'my-key', wanted()), ivsKeyPair(ARN_X, KEY_A, 'someone-elses', {}));

      const error = await failure(updateEvent(props(KEY_B, 'my-key'), props(KEY_A, 'my-key'), ARN_A));

      expectForeignKeyError(error, ARN_X);
      expect(sent()).toEqual([getOf(ARN_A), importOf(KEY_A, 'my-key', wanted()), listOf(), getOf(ARN_X)]);
      expect(writesTo(ARN_X)).toEqual([]);
    });

    test('a conflict for a key no listed key pair holds: an error asking to deploy again', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_X, KEY_C, 'other', {}));

      const error = await failure(createEvent(props(KEY_A, 'my-key')));

      expect(error.message).toContain(KEY_A.fingerprint);
      expect(error.message).toContain(`none of the 1 ${kind.kind.shortNounPlural} it lists holds it`);
      expect(sent()).toEqual([importOf(KEY_A, 'my-key', wanted()), listOf(), getOf(ARN_X)]);
    });
  });

  describe('rule 9, same stack: a key held by another resource of this stack is explained as a move', () => {
    const OLD_LOGICAL_ID = 'OldPlaceKeyResourceF00D1234';

    test('the error names the other logical ID, says CloudFormation creates before it deletes, and gives the ways that keep the key', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(
        ivsKeyPair(ARN_X, KEY_A, 'MyStack-OldPlace-Key-12AB34CD', {
          team: 'video',
          [OWNER_TAG_KEY]: `${STACK_ID}/${OLD_LOGICAL_ID}`,
        }),
      );

      const error = await failure(createEvent(props(KEY_A, 'MyStack-NewPlace-Key-56EF78AB')));

      expect(error.message).toContain(
        `${ARN_X} (name "MyStack-OldPlace-Key-12AB34CD") by the resource "${OLD_LOGICAL_ID}" of this same stack`,
      );
      expect(error.message).toContain(KEY_A.fingerprint);
      expect(error.message).toContain(
        'CloudFormation creates the resource under the new logical ID before it deletes the one under the old',
      );
      expect(error.message).toContain(`${kind.kind.nameOption}: "MyStack-OldPlace-Key-12AB34CD"`);
      expect(error.message).toContain(`overrideLogicalId('${OLD_LOGICAL_ID}')`);
      expect(error.message).toContain('`cdk refactor`');
      expect(error.message).toContain('move it in two deploys');
      expect(error.message).not.toContain(kind.kind.fromArn);
      expect(error.message).not.toContain(kind.kind.deleteCommand);
      expect(sent()).toEqual([importOf(KEY_A, 'MyStack-NewPlace-Key-56EF78AB', wanted()), listOf(), getOf(ARN_X)]);
      expect(writesTo(ARN_X)).toEqual([]);
    });

    test('an Update to a key a sibling holds gets the same explanation and changes nothing of the sibling', async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(
        ivsKeyPair(ARN_A, KEY_B, 'my-key', wanted()),
        ivsKeyPair(ARN_X, KEY_A, 'sibling', { [OWNER_TAG_KEY]: `${STACK_ID}/${OLD_LOGICAL_ID}` }),
      );

      const error = await failure(updateEvent(props(KEY_B, 'my-key'), props(KEY_A, 'my-key'), ARN_A));

      expect(error.message).toContain(`by the resource "${OLD_LOGICAL_ID}" of this same stack`);
      expect(error.message).toContain(
        `If two ${kind.kind.importedConstruct}s of this stack were given the same key, give each its own key.`,
      );
      expect(writesTo(ARN_X)).toEqual([]);
    });

    test("an owner tag that merely starts like this stack id (another stack's longer id) is a stranger's", async () => {
      givenImports(ivsErrors.conflict());
      givenKeyPairs(ivsKeyPair(ARN_X, KEY_A, 'theirs', { [OWNER_TAG_KEY]: `${STACK_ID}-copy/${LOGICAL_ID}` }));

      const error = await failure(createEvent(props(KEY_A, 'my-key')));

      expect(error.message).toContain('which this stack did not import');
      expect(error.message).toContain(kind.kind.fromArn);
    });
  });
});
