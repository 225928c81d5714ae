/**
 * Issue 16, situation 6: the answer to CloudFormation takes at most what the code says it may
 * (RESPONSE_TIME_BUDGET_MS, the time the handler keeps back from the IVS calls): every attempt
 * timing out plus the backoff between attempts, and no backoff after the last one.
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  ATTEMPT_TIMEOUT_MS,
  MAX_ATTEMPTS,
  RESPONSE_TIME_BUDGET_MS,
  sendResponse,
} from '../../lambda/ivs-key-handler/cloudformation-response';

const response = {
  Status: 'SUCCESS',
  PhysicalResourceId: 'id',
  StackId: 'stack',
  RequestId: 'request',
  LogicalResourceId: 'Key',
} as const;

test('every attempt refused: 6 attempts, 5 backoffs of 0.5, 1, 2, 4 and 8 s, none after the last', async () => {
  const server = createServer((_, res) => res.writeHead(500).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  const slept: number[] = [];
  const attempts: number[] = [];
  try {
    await expect(
      sendResponse(
        url,
        response,
        () => 10 * 60_000,
        (attempt) => attempts.push(attempt),
        async (ms) => {
          slept.push(ms);
        },
      ),
    ).rejects.toThrow('Could not send the response to CloudFormation: HTTP 500');
  } finally {
    server.close();
  }
  expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
  expect(slept).toEqual([500, 1000, 2000, 4000, 8000]);
  // The worst case: each of the 6 attempts waits out its timeout, plus the backoff actually slept.
  expect(MAX_ATTEMPTS * ATTEMPT_TIMEOUT_MS + slept.reduce((sum, ms) => sum + ms, 0)).toBe(45_500);
  expect(RESPONSE_TIME_BUDGET_MS).toBe(45_500);
});

test('an attempt that gets no answer gives up after its timeout, cut to the time the Lambda has left', async () => {
  const server = createServer(() => undefined); // never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  // A Lambda with 1.3 s left when the first attempt starts, and none after it: its timeout is cut
  // to what is left minus the 250 ms margin, and no second attempt follows.
  const remaining = [1_300];
  const attempts: number[] = [];
  const started = performance.now();
  await expect(
    sendResponse(
      url,
      response,
      () => remaining.shift() ?? 0,
      (attempt) => attempts.push(attempt),
      async () => undefined,
    ),
  ).rejects.toThrow('Could not send the response to CloudFormation: no answer within 1050 ms');
  server.closeAllConnections();
  server.close();
  expect(attempts).toEqual([1]);
  // It waited out the timeout (a timer never fires early); how much longer depends on the machine, not the code.
  expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
});
