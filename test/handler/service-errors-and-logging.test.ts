/**
 * Service errors answered with the service's words, and the one JSON log line per event.
 * Mocked IVS, exact calls: see mocked-ivs.ts.
 */
import { DeletePlaybackKeyPairCommand, GetPlaybackKeyPairCommand, TagResourceCommand } from '@aws-sdk/client-ivs';
import { NOTHING_IMPORTED_PHYSICAL_ID } from '../../lib/shared/contract';
import {
  allPemBodyLines,
  createEvent,
  deleteEvent,
  ivsErrors,
  ivsKeyPair,
  LOGICAL_ID,
  props,
  updateEvent,
} from '../support/events';
import {
  useMockedIvs,
  ARN_A,
  failure,
  getOf,
  givenImports,
  givenKeyPairs,
  invoke,
  ivsMock,
  KEY_A,
  logLine,
  logSpy,
  sent,
  tagOf,
  wanted,
} from './mocked-ivs';

useMockedIvs();

describe("service errors are answered with the service's words", () => {
  test('AccessDeniedException on Import: the Reason names the error class and quotes exceptionMessage', async () => {
    const denied =
      'User: arn:aws:sts::123456789012:assumed-role/OnEventRole/fn is not authorized to perform: ivs:ImportPlaybackKeyPair';
    givenImports(ivsErrors.accessDenied(denied));

    const error = await failure(createEvent(props(KEY_A, 'my-key')));

    expect(error.message).toBe(`IVS ImportPlaybackKeyPair failed with AccessDeniedException: ${denied}`);
    expect(error.message).not.toContain('UnknownError');
    expect(ivsMock.calls()).toHaveLength(1);
  });

  test('ValidationException on Import', async () => {
    givenImports(ivsErrors.validation());

    const error = await failure(createEvent(props(KEY_A, 'my-key')));

    expect(error.message).toBe(
      'IVS ImportPlaybackKeyPair failed with ValidationException: ' +
        'Request member: publicKeyMaterial failed to satisfy the constraints',
    );
  });

  test('PendingVerification on Delete', async () => {
    ivsMock.on(DeletePlaybackKeyPairCommand).rejects(ivsErrors.pendingVerification());

    const error = await failure(deleteEvent(props(KEY_A), ARN_A));

    expect(error.message).toBe(
      'IVS DeletePlaybackKeyPair failed with PendingVerification: Your account is pending verification.',
    );
  });

  test('InternalServerException on TagResource during a tags-only update', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));
    ivsMock.on(TagResourceCommand).rejects(ivsErrors.internal());

    const error = await failure(updateEvent(props(KEY_A, 'my-key'), props(KEY_A, 'my-key', { team: 'video' }), ARN_A));

    expect(error.message).toBe(
      'IVS TagResource failed with InternalServerException: Unexpected error during processing of request.',
    );
    expect(sent()).toEqual([getOf(ARN_A), tagOf(ARN_A, { team: 'video' })]);
  });

  test('AccessDeniedException on Get while looking for our key after a conflict', async () => {
    givenImports(ivsErrors.conflict());
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));
    ivsMock
      .on(GetPlaybackKeyPairCommand, { arn: ARN_A })
      .rejects(ivsErrors.accessDenied('not authorized to perform: ivs:GetPlaybackKeyPair'));

    const error = await failure(createEvent(props(KEY_A, 'my-key')));

    expect(error.message).toBe(
      'IVS GetPlaybackKeyPair failed with AccessDeniedException: not authorized to perform: ivs:GetPlaybackKeyPair',
    );
  });

  test('an error without exceptionMessage names the operation and the error; retries are logged', async () => {
    ivsMock.on(DeletePlaybackKeyPairCommand).rejects(ivsErrors.throttlingWithoutBody());

    const error = await failure(deleteEvent(props(KEY_A), ARN_A));

    expect(error.message).toBe('IVS DeletePlaybackKeyPair failed with ThrottlingException');
    expect(logLine().retries).toBe(9);
  });
});

describe('the log line: one JSON line per event, no ResponseURL, no key material', () => {
  test('Create', async () => {
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));

    await invoke(createEvent(props(KEY_A, 'my-key')));

    expect(logLine()).toEqual({
      requestType: 'Create',
      logicalResourceId: LOGICAL_ID,
      result: ARN_A,
      action: 'imported',
      ivsCalls: ['ImportPlaybackKeyPair'],
      retries: 0,
    });
  });

  test('Update', async () => {
    givenKeyPairs(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));

    await invoke(updateEvent(props(KEY_A, 'my-key'), props(KEY_A, 'my-key', { team: 'video' }), ARN_A));

    expect(logLine()).toEqual({
      requestType: 'Update',
      logicalResourceId: LOGICAL_ID,
      physicalResourceId: ARN_A,
      result: ARN_A,
      action: 'updated tags in place',
      ivsCalls: ['GetPlaybackKeyPair', 'TagResource'],
      retries: 0,
    });
  });

  test('Delete without IVS calls', async () => {
    await invoke(deleteEvent(props(KEY_A), NOTHING_IMPORTED_PHYSICAL_ID));

    expect(logLine()).toMatchObject({
      requestType: 'Delete',
      physicalResourceId: NOTHING_IMPORTED_PHYSICAL_ID,
      ivsCalls: [],
    });
  });

  test('a failure logs the error and the calls made', async () => {
    givenImports(ivsErrors.quota());
    givenKeyPairs();

    const error = await failure(createEvent(props(KEY_A, 'my-key')));

    expect(logLine()).toEqual({
      requestType: 'Create',
      logicalResourceId: LOGICAL_ID,
      error: error.message,
      ivsCalls: ['ImportPlaybackKeyPair', 'ListPlaybackKeyPairs'],
      retries: 0,
    });
  });

  test('a private key passed by mistake appears neither in the error nor in the log', async () => {
    const error = await failure(createEvent(props(KEY_A.privatePem, 'my-key')));

    for (const line of [...allPemBodyLines()]) {
      expect(error.message).not.toContain(line);
      expect(logSpy.mock.calls[0][0]).not.toContain(line);
    }
    expect(logLine()).toMatchObject({ ivsCalls: [] });
  });
});
