/**
 * The mocked-IVS handler tests' helpers (test/handler/*.test.ts but lifecycle-sequences.test.ts): the handler's
 * TypeScript against a mocked IVS client; for each lifecycle rule (docs/lifecycle-rules.md), the exact IVS calls (in
 * order, with their inputs, and nothing else), the answer it PUTs to CloudFormation, the error messages, and the one
 * log line per event. Each test file calls `useMockedIvs()` once.
 */
import {
  DeletePlaybackKeyPairCommand,
  GetPlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  IvsClient,
  ListPlaybackKeyPairsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ivs';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/ivs-key-handler/index';
import { OWNER_TAG_KEY } from '../../lib/shared/contract';
import {
  acceptedResponse,
  lambdaContext,
  type ResponseBody,
  ResponseEndpoint,
} from '../../tools/stand-ins/response-endpoint';
import {
  allPemBodyLines,
  type IvsKeyPair,
  ivsErrors,
  keyArn,
  LOGICAL_ID,
  OWNER_TAG,
  p384Key,
  RESPONSE_URL,
  STACK_ID,
  summary,
} from '../support/events';

export const ivsMock = mockClient(IvsClient);
export let logSpy: jest.SpiedFunction<typeof console.log>;
export let responses: ResponseEndpoint;

/** What CloudFormation takes from a SUCCESS answer. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly Arn: string; readonly Fingerprint: string };
}

/** The hooks every test file of the mocked-IVS handler tests runs: the ResponseURL endpoint, a fresh mock, a log spy. */
export function useMockedIvs(): void {
  beforeAll(async () => {
    responses = await ResponseEndpoint.start();
  });

  afterAll(async () => {
    await responses.stop();
  });

  beforeEach(() => {
    ivsMock.reset();
    // Anything not set up by the test fails loudly instead of answering `undefined`.
    ivsMock.onAnyCommand().rejects(new Error('unexpected IVS call in this test'));
    ivsMock.on(DeletePlaybackKeyPairCommand).resolves({});
    ivsMock.on(TagResourceCommand).resolves({});
    ivsMock.on(UntagResourceCommand).resolves({});
    logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logSpy.mockRestore();
  });
}

export const KEY_A = p384Key();
export const KEY_B = p384Key();
export const KEY_C = p384Key();
export const ARN_A = keyArn('AaAaAaAa0001');
export const ARN_B = keyArn('BbBbBbBb0002');
export const ARN_C = keyArn('CcCcCcCc0003');
export const ARN_X = keyArn('XxXxXxXx0009');
export const OWNER = `${STACK_ID}/${LOGICAL_ID}`;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** The user tags plus the owner tag, as the handler should put them on the key pair. */
export function wanted(userTags: Record<string, string> = {}): Record<string, string> {
  return { ...userTags, ...OWNER_TAG };
}

/** Import answers, in order: a key pair, or an error to raise. */
export function givenImports(...answers: Array<IvsKeyPair | Error>): void {
  let behavior = ivsMock.on(ImportPlaybackKeyPairCommand);
  for (const answer of answers) {
    behavior = answer instanceof Error ? behavior.rejectsOnce(answer) : behavior.resolvesOnce({ keyPair: answer });
  }
  behavior.rejects(new Error('more imports than the test expected'));
}

/** IVS holds these key pairs: List shows them (one page), Get describes each. */
export function givenKeyPairs(...keyPairs: IvsKeyPair[]): void {
  ivsMock.on(ListPlaybackKeyPairsCommand).resolves({ keyPairs: keyPairs.map(summary) });
  for (const keyPair of keyPairs) {
    ivsMock.on(GetPlaybackKeyPairCommand, { arn: keyPair.arn }).resolves({ keyPair });
  }
}

/** `arn` does not exist: Get and Delete answer 404. */
export function givenMissing(arn: string): void {
  ivsMock.on(GetPlaybackKeyPairCommand, { arn }).rejects(ivsErrors.notFound());
  ivsMock.on(DeletePlaybackKeyPairCommand, { arn }).rejects(ivsErrors.notFound());
}

export type Sent = [operation: string, input: object];

/** Every IVS call, in order, as [operation, input]. */
export function sent(): Sent[] {
  return ivsMock.calls().map((call) => {
    const command = call.args[0] as unknown as { constructor: { name: string }; input: object };
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

export function importOf(key: { pem: string }, name: string, tags: Record<string, string>): Sent {
  return ['ImportPlaybackKeyPair', { publicKeyMaterial: key.pem, name, tags }];
}
export const getOf = (arn: string): Sent => ['GetPlaybackKeyPair', { arn }];
export const deleteOf = (arn: string): Sent => ['DeletePlaybackKeyPair', { arn }];
export const listOf = (nextToken?: string): Sent => ['ListPlaybackKeyPairs', { nextToken }];
export const tagOf = (resourceArn: string, tags: Record<string, string>): Sent => [
  'TagResource',
  { resourceArn, tags },
];
export const untagOf = (resourceArn: string, tagKeys: string[]): Sent => ['UntagResource', { resourceArn, tagKeys }];
/** The one TagResource that puts this resource's owner tag on its current key pair before a key change. */
export const ownerTagOf = (resourceArn: string): Sent => tagOf(resourceArn, { [OWNER_TAG_KEY]: OWNER });

/** The calls ever sent to `arn` that change or remove it. */
export function writesTo(arn: string): Sent[] {
  return sent().filter(
    ([operation, input]) =>
      ['DeletePlaybackKeyPair', 'TagResource', 'UntagResource'].includes(operation) &&
      ((input as { arn?: string }).arn === arn || (input as { resourceArn?: string }).resourceArn === arn),
  );
}

export function expectNoKeyMaterial(text: string): void {
  for (const line of allPemBodyLines()) {
    expect(text).not.toContain(line);
  }
}

/** The one log line of the last event, parsed. */
export function logLine(): Record<string, unknown> {
  return JSON.parse(logSpy.mock.calls[0][0] as string) as Record<string, unknown>;
}

/** Checks that holds for every event: one JSON log line, no secrets, the calls it reports. */
export function expectOneSafeLogLine(event: CloudFormationCustomResourceEvent): void {
  expect(logSpy).toHaveBeenCalledTimes(1);
  expect(logSpy.mock.calls[0]).toHaveLength(1);
  const raw = logSpy.mock.calls[0][0] as string;
  expect(typeof raw).toBe('string');
  expect(raw).not.toContain('\n');
  expect(raw).not.toContain(RESPONSE_URL);
  expect(raw).not.toContain('secret-presigned');
  expectNoKeyMaterial(raw);
  const line = logLine();
  expect(line).toMatchObject({
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    ivsCalls: sent().map(([operation]) => operation),
  });
  if (event.RequestType !== 'Create') {
    expect(line.physicalResourceId).toBe(event.PhysicalResourceId);
  }
  expect(typeof (line.action ?? line.error)).toBe('string');
}

/**
 * Runs the handler on one event, with the ResponseURL pointing at the local endpoint, and returns
 * the one answer it PUT there (checked against CloudFormation's contract).
 */
export async function respond(event: CloudFormationCustomResourceEvent, timeoutMs?: number): Promise<ResponseBody> {
  const local = { ...event, ResponseURL: responses.url(event.RequestId) };
  await handler(local, lambdaContext(timeoutMs));
  return acceptedResponse(local, responses.responsesFor(event.RequestId));
}

/** Runs the handler on one event and checks its log line, whatever the outcome; FAILED throws the Reason. */
export async function invoke(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  logSpy.mockClear();
  try {
    const answer = await respond(event);
    if (answer.Status === 'FAILED') throw new Error(answer.Reason);
    const { PhysicalResourceId, Data } = answer;
    return Data ? { PhysicalResourceId, Data: Data as OnEventResponse['Data'] } : { PhysicalResourceId };
  } finally {
    expectOneSafeLogLine(event);
  }
}

/** Runs the handler on an event that must fail; returns the error, checked to hold no key material. */
export async function failure(event: CloudFormationCustomResourceEvent): Promise<Error> {
  const error: unknown = await invoke(event).then(
    (answer) => {
      throw new Error(`expected the handler to fail, it answered ${JSON.stringify(answer)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expectNoKeyMaterial((error as Error).message);
  expect(logLine().error).toBe((error as Error).message);
  return error as Error;
}

export function answerFor(arn: string, key: { fingerprint: string }): OnEventResponse {
  return { PhysicalResourceId: arn, Data: { Arn: arn, Fingerprint: key.fingerprint } };
}
