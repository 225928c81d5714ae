/**
 * Answering CloudFormation: the PUT to the ResponseURL, the physical id of a failure, the deadline.
 * Mocked IVS, exact calls: see mocked-ivs.ts.
 */
import {
  DeletePlaybackKeyPairCommand,
  GetPlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  ListPlaybackKeyPairsCommand,
} from '@aws-sdk/client-ivs';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler } from '../../lambda/ivs-key-handler/index';
import { IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID, NOTHING_IMPORTED_PHYSICAL_ID } from '../../lib/shared/contract';
import { isPlaybackKeyPairArn } from '../../lib/shared/validation';
import { lambdaContext, type ResponseBody } from '../../tools/stand-ins/response-endpoint';
import {
  createEvent,
  deleteEvent,
  ivsErrors,
  ivsKeyPair,
  keyArn,
  LOGICAL_ID,
  props,
  STACK_ID,
  summary,
  updateEvent,
} from '../support/events';
import {
  useMockedIvs,
  ARN_A,
  ARN_B,
  expectOneSafeLogLine,
  givenImports,
  ivsMock,
  KEY_A,
  logLine,
  logSpy,
  respond,
  responses,
  wanted,
} from './mocked-ivs';
import { installControlledClock, restoreRealClockAfterEach, runSleepsOf, watch } from '../support/controlled-clock';

useMockedIvs();
restoreRealClockAfterEach();

describe('the answer PUT to the ResponseURL', () => {
  let errorSpy: jest.SpiedFunction<typeof console.error>;

  beforeEach(() => {
    errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    errorSpy.mockRestore();
  });

  /** The answer to `event`, whatever its Status, with the log line checked as for every event. */
  async function answerTo(event: CloudFormationCustomResourceEvent, timeoutMs?: number): Promise<ResponseBody> {
    logSpy.mockClear();
    const answer = await respond(event, timeoutMs);
    expectOneSafeLogLine(event);
    return answer;
  }

  test('SUCCESS carries every field CloudFormation reads, and the key pair as Data', async () => {
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));
    const event = createEvent(props(KEY_A, 'my-key'));

    const answer = await answerTo(event);

    expect(answer).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: ARN_A,
      StackId: STACK_ID,
      RequestId: event.RequestId,
      LogicalResourceId: LOGICAL_ID,
      Data: { Arn: ARN_A, Fingerprint: KEY_A.fingerprint },
    });
    const [put] = responses.responsesFor(event.RequestId);
    expect(put).toMatchObject({ method: 'PUT', headers: expect.objectContaining({ 'content-type': '' }) });
  });

  test('a Create that IVS refused answers FAILED with the id whose Delete calls nothing', async () => {
    givenImports(ivsErrors.accessDenied());

    const answer = await answerTo(createEvent(props(KEY_A, 'my-key')));

    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOTHING_IMPORTED_PHYSICAL_ID });
    expect(answer.Reason).toMatch(/^IVS ImportPlaybackKeyPair failed with AccessDeniedException: /);
  });

  test('a Create refused before any IVS call answers FAILED with the id whose Delete calls nothing', async () => {
    const answer = await answerTo(createEvent(props('hello world', 'my-key')));

    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: NOTHING_IMPORTED_PHYSICAL_ID });
    expect(ivsMock.calls()).toHaveLength(0);
  });

  test.each<[string, () => Error]>([
    ['no answer from IVS (a network error)', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a 500 after every retry', () => ivsErrors.internal()],
  ])(
    'a Create whose Import ended in %s may have imported: FAILED with an id that is neither an ARN nor "nothing imported"',
    async (_, error) => {
      givenImports(error());

      const answer = await answerTo(createEvent(props(KEY_A, 'my-key')));

      expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID });
      expect(isPlaybackKeyPairArn(answer.PhysicalResourceId)).toBe(false);
      expect(IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID).not.toBe(NOTHING_IMPORTED_PHYSICAL_ID);
    },
  );

  test('a Create that saw a key pair of its own before failing does not claim that nothing exists', async () => {
    givenImports(ivsErrors.conflict());
    ivsMock
      .on(ListPlaybackKeyPairsCommand)
      .resolves({ keyPairs: [summary(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()))] });
    ivsMock
      .on(GetPlaybackKeyPairCommand)
      .rejects(ivsErrors.accessDenied('not authorized to perform: ivs:GetPlaybackKeyPair'));

    const answer = await answerTo(createEvent(props(KEY_A, 'my-key')));

    expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID });
  });

  test('a failed Update or Delete answers FAILED with the physical id CloudFormation sent', async () => {
    ivsMock.on(GetPlaybackKeyPairCommand).rejects(ivsErrors.accessDenied());
    const update = await answerTo(
      updateEvent(props(KEY_A, 'my-key'), props(KEY_A, 'my-key', { team: 'video' }), ARN_A),
    );
    expect(update).toMatchObject({ Status: 'FAILED', PhysicalResourceId: ARN_A });

    ivsMock.resetHistory();
    ivsMock.on(DeletePlaybackKeyPairCommand).rejects(ivsErrors.pendingVerification());
    const deleted = await answerTo(deleteEvent(props(KEY_A), ARN_B));
    expect(deleted).toMatchObject({ Status: 'FAILED', PhysicalResourceId: ARN_B });
  });

  test('a Reason too long for 4096 bytes is cut to fit, and says so', async () => {
    // 100 key pairs in use with long multi-byte names: a quota message of about 30 KB.
    givenImports(ivsErrors.quota());
    const inUse = Array.from({ length: 100 }, (_, i) => ({
      arn: keyArn(`Key${i}`),
      name: `é"\n${'ü'.repeat(120)}`,
      tags: {},
    }));
    ivsMock.on(ListPlaybackKeyPairsCommand).resolves({ keyPairs: inUse });
    const event = createEvent(props(KEY_A, 'my-key'));

    const answer = await answerTo(event);

    const [put] = responses.responsesFor(event.RequestId);
    expect(Buffer.byteLength(put.body)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(put.body)).toBeGreaterThan(4000);
    expect(answer.Reason).toMatch(
      /^IVS allows 3 playback key pairs per account and region, and this region already holds 100: /,
    );
    expect(answer.Reason).toMatch(/ \[truncated\]$/);
    expect(answer.PhysicalResourceId).toBe(NOTHING_IMPORTED_PHYSICAL_ID);
  });

  test('a PUT that fails twice is sent again with backoff, the same body, and the URL in no log line', async () => {
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));
    responses.failNext(2);
    const event = createEvent(props(KEY_A, 'my-key'));

    const answer = await answerTo(event);

    expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ARN_A });
    expect(responses.responsesFor(event.RequestId).map((put) => put.status)).toEqual([500, 500, 200]);
    expect(errorSpy.mock.calls.map(([line]) => JSON.parse(line as string))).toEqual(
      [1, 2].map((attempt) => ({
        requestType: 'Create',
        logicalResourceId: LOGICAL_ID,
        responseAttempt: attempt,
        error: 'HTTP 500',
      })),
    );
    for (const [line] of errorSpy.mock.calls) expect(line).not.toContain('secret-presigned');
  });

  test('a ResponseURL that never accepts: the handler gives up before its deadline and says so without the URL', async () => {
    givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted()));
    responses.failNext(1_000);
    const event = createEvent(props(KEY_A, 'my-key'));
    // A Lambda with 3 s left, on the test's clock: attempts at 0, 0.5 and 1.5 s; the next backoff
    // (2 s) would end past the deadline less its 250 ms margin, so the handler stops there.
    const clock = installControlledClock();

    const error = await runSleepsOf(
      handler({ ...event, ResponseURL: responses.url(event.RequestId) }, lambdaContext(3_000)),
    ).then(
      () => {
        throw new Error('expected the handler to fail');
      },
      (e: Error) => e,
    );

    responses.stopFailing();
    expect(clock.elapsed()).toBe(1_500);
    expect(error.message).toBe('Could not send the response to CloudFormation: HTTP 500');
    expect(responses.responsesFor(event.RequestId)).toHaveLength(3);
    for (const [line] of errorSpy.mock.calls) expect(line).not.toContain('secret-presigned');
  });

  test('an IVS call that never answers: FAILED before the Lambda deadline, naming the operation', async () => {
    // The function's 300 s keep the whole answer budget (45.5 s) back from IVS, whose calls get 254.5 s.
    // The clock is the test's: the deadline is proved on the schedule, not on this machine's speed.
    const clock = installControlledClock();
    let importStarted!: () => void;
    const importCalled = new Promise<void>((resolve) => (importStarted = resolve));
    ivsMock.on(ImportPlaybackKeyPairCommand).callsFake(() => {
      importStarted();
      return new Promise(() => undefined);
    });

    const answering = watch(answerTo(createEvent(props(KEY_A, 'my-key'))));
    await importCalled;
    await clock.advance(254_499);
    expect(answering.settled).toBe(false); // still waiting for IVS, as it may
    await clock.advance(1);
    const answer = await answering.promise;

    expect(clock.elapsed()).toBe(254_500); // answered at the deadline, 45.5 s before the Lambda timeout
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toMatch(
      /^IVS ImportPlaybackKeyPair did not finish within 255 s, so the handler stopped waiting/,
    );
    expect(answer.PhysicalResourceId).toBe(IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID);
    expect(logLine()).toMatchObject({ error: answer.Reason, ivsCalls: ['ImportPlaybackKeyPair'] });
  });
});
