/**
 * The mocked-IVS handler tests' helpers (test/handler/*.test.ts but lifecycle-sequences.test.ts): the handler's
 * TypeScript against a mocked IVS client; for each lifecycle rule (docs/lifecycle-rules.md), the exact IVS calls (in
 * order, with their inputs, and nothing else), the answer it PUTs to CloudFormation, the error messages, and the one
 * log line per event. Each test file calls `useMockedIvs()` once; a suite of a rule both key kinds share runs its
 * tests once per kind, `describe.each(KEY_KINDS)` with `useMockedKind(kind)`, and the helpers speak of that kind (its
 * client, operations, ARNs and resource type).
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
import * as realTime from '@aws-sdk/client-ivs-realtime';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
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
  setEventKind,
  OWNER_TAG,
  p384Key,
  RESPONSE_URL,
  STACK_ID,
  summary,
} from '../support/events';
import { PLAYBACK_KIND, TestKeyKind } from '../support/key-kinds';

export const ivsMock = mockClient(IvsClient);
export const realTimeMock = mockClient(realTime.IVSRealTimeClient);

/** A command class of either SDK, as aws-sdk-client-mock takes it. */
type AnyCommand = any;
/** The mock of either client, typed loosely enough for either's commands. */
export type AnyClientMock = AwsStub<any, any, any>;

/** One key API as the mocked tests drive it: its client's mock, command classes and answer members. */
interface MockedApi {
  readonly mock: AnyClientMock;
  readonly commands: Record<'import' | 'get' | 'list' | 'delete' | 'tag' | 'untag', AnyCommand>;
  /** The member of an Import or Get answer that holds the key, and of a List answer that holds the summaries. */
  readonly keyMember: string;
  readonly listMember: string;
}

const PLAYBACK_API: MockedApi = {
  mock: ivsMock as AnyClientMock,
  commands: {
    import: ImportPlaybackKeyPairCommand,
    get: GetPlaybackKeyPairCommand,
    list: ListPlaybackKeyPairsCommand,
    delete: DeletePlaybackKeyPairCommand,
    tag: TagResourceCommand,
    untag: UntagResourceCommand,
  },
  keyMember: 'keyPair',
  listMember: 'keyPairs',
};

const REAL_TIME_API: MockedApi = {
  mock: realTimeMock as AnyClientMock,
  commands: {
    import: realTime.ImportPublicKeyCommand,
    get: realTime.GetPublicKeyCommand,
    list: realTime.ListPublicKeysCommand,
    delete: realTime.DeletePublicKeyCommand,
    tag: realTime.TagResourceCommand,
    untag: realTime.UntagResourceCommand,
  },
  keyMember: 'publicKey',
  listMember: 'publicKeys',
};

/** The kind the helpers speak of in the running test. */
let active: { kind: TestKeyKind; api: MockedApi } = { kind: PLAYBACK_KIND, api: PLAYBACK_API };

/** The mock of the running test's key API (the IVS client's for playback key pairs). */
export function mocked(): AnyClientMock {
  return active.api.mock;
}

/** The command classes of the running test's key API: `mocked().on(commands().get, { arn })` ... */
export function commands(): MockedApi['commands'] {
  return active.api.commands;
}

/** An Import or Get answer of the running test's key API: `{ keyPair }` or `{ publicKey }`. */
export function keyAnswer(key: IvsKeyPair): Record<string, IvsKeyPair> {
  return { [active.api.keyMember]: key };
}

/** A List answer of the running test's key API. */
export function listAnswer(summaries: Array<Omit<IvsKeyPair, 'fingerprint'>>, nextToken?: string): object {
  return { [active.api.listMember]: summaries, ...(nextToken === undefined ? {} : { nextToken }) };
}

/**
 * Makes the tests of the enclosing describe block speak of `kind`: the mocked client, the operation names of
 * `sent()`, the events' resource type and the ARNs (`ARN_A` ... are reassigned before each test).
 */
export function useMockedKind(kind: TestKeyKind): void {
  beforeEach(() => {
    active = { kind, api: kind === PLAYBACK_KIND ? PLAYBACK_API : REAL_TIME_API };
    setEventKind({ resourceType: kind.resourceType, arnResource: kind.kind.arnResource });
    assignArns();
  });
  afterEach(() => {
    active = { kind: PLAYBACK_KIND, api: PLAYBACK_API };
    setEventKind(undefined);
    assignArns();
  });
}
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
    for (const api of [PLAYBACK_API, REAL_TIME_API]) {
      api.mock.reset();
      // Anything not set up by the test fails loudly instead of answering `undefined`.
      api.mock.onAnyCommand().rejects(new Error('unexpected IVS call in this test'));
      api.mock.on(api.commands.delete).resolves({});
      api.mock.on(api.commands.tag).resolves({});
      api.mock.on(api.commands.untag).resolves({});
    }
    logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logSpy.mockRestore();
  });
}

export const KEY_A = p384Key();
export const KEY_B = p384Key();
export const KEY_C = p384Key();
// Key ARNs of the running test's kind: reassigned by `useMockedKind` (importers see the new values).
export let ARN_A = keyArn('AaAaAaAa0001');
export let ARN_B = keyArn('BbBbBbBb0002');
export let ARN_C = keyArn('CcCcCcCc0003');
export let ARN_X = keyArn('XxXxXxXx0009');

function assignArns(): void {
  ARN_A = keyArn('AaAaAaAa0001');
  ARN_B = keyArn('BbBbBbBb0002');
  ARN_C = keyArn('CcCcCcCc0003');
  ARN_X = keyArn('XxXxXxXx0009');
}
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
  let behavior = mocked().on(commands().import);
  for (const answer of answers) {
    behavior = answer instanceof Error ? behavior.rejectsOnce(answer) : behavior.resolvesOnce(keyAnswer(answer));
  }
  behavior.rejects(new Error('more imports than the test expected'));
}

/** IVS holds these key pairs: List shows them (one page), Get describes each. */
export function givenKeyPairs(...keyPairs: IvsKeyPair[]): void {
  mocked()
    .on(commands().list)
    .resolves(listAnswer(keyPairs.map(summary)));
  for (const keyPair of keyPairs) {
    mocked().on(commands().get, { arn: keyPair.arn }).resolves(keyAnswer(keyPair));
  }
}

/** `arn` does not exist: Get and Delete answer 404. */
export function givenMissing(arn: string): void {
  mocked().on(commands().get, { arn }).rejects(ivsErrors.notFound());
  mocked().on(commands().delete, { arn }).rejects(ivsErrors.notFound());
}

export type Sent = [operation: string, input: object];

/** Every IVS call, in order, as [operation, input]. */
export function sent(): Sent[] {
  return mocked()
    .calls()
    .map((call) => {
      const command = call.args[0] as unknown as { constructor: { name: string }; input: object };
      return [command.constructor.name.replace(/Command$/, ''), command.input];
    });
}

export function importOf(key: { pem: string }, name: string, tags: Record<string, string>): Sent {
  return [active.kind.ops.import, { publicKeyMaterial: key.pem, name, tags }];
}
export const getOf = (arn: string): Sent => [active.kind.ops.get, { arn }];
export const deleteOf = (arn: string): Sent => [active.kind.ops.delete, { arn }];
export const listOf = (nextToken?: string): Sent => [active.kind.ops.list, { nextToken }];
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
      [active.kind.ops.delete, 'TagResource', 'UntagResource'].includes(operation) &&
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
  // A stage public key is no key pair: its messages and log lines say what it is.
  if (active.kind !== PLAYBACK_KIND) expect(raw).not.toMatch(/key ?pair/i);
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
