/**
 * A local stand-in for Amazon IVS's two key APIs, both REST-JSON (2020-07-14) and signed for `ivs`:
 *
 * - the low-latency API's seven playback-key-pair operations (`@aws-sdk/client-ivs`), at `endpoint`;
 * - the real-time API's seven public-key operations (`@aws-sdk/client-ivs-realtime`), at `realTimeEndpoint`.
 *
 * As in AWS (hosts `ivs.<region>` and `ivsrealtime.<region>`), each API has its own address, because both send the
 * same `/tags/{arn}` paths. The real SDK clients can talk to them and raise the same error classes they raise
 * against AWS. Each API has its own store, quota, recorded calls and faults: the methods on `IvsStandIn` itself act
 * on the low-latency API (as they always have), `realTime` offers the same methods for the real-time API.
 * Operations, status codes and error shapes follow the service models (botocore's data/ivs/ and
 * data/ivs-realtime/2020-07-14/service-2.json, which also generate the SDK clients); what is sourced and what is
 * assumed is listed in docs/facts/ivs-real-time.md.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyApiStandIn } from './ivs/key-api-stand-in';
import type { KeyApiOptions, RecordedCall as ApiCall } from './ivs/key-api-stand-in';
import { IVS_STAND_IN_REGION } from './ivs/key-store';
import type { StandInKey } from './ivs/key-store';
import { IVS_RATE_LIMITS, PLAYBACK_KEY_PAIRS } from './ivs/playback-key-pairs';
import type { IvsOperation, RateLimit } from './ivs/playback-key-pairs';
import { PUBLIC_KEYS } from './ivs/public-keys';
import type { RealTimeOperation } from './ivs/public-keys';
import { StageStore, stageHandlers } from './ivs/stages';
import type { StandInStage } from './ivs/stages';
import type { IvsErrorType } from './ivs/wire';

export { IVS_STAND_IN_ACCOUNT, IVS_STAND_IN_REGION } from './ivs/key-store';
export { IVS_ERROR_STATUS } from './ivs/wire';
export type { IvsErrorType } from './ivs/wire';
export { IVS_RATE_LIMITS } from './ivs/playback-key-pairs';
export type { IvsOperation, RateLimit } from './ivs/playback-key-pairs';
export { DEFAULT_PUBLIC_KEY_QUOTA, IVS_REALTIME_RATE_LIMITS } from './ivs/public-keys';
export type { RealTimeOperation, RealTimeRateLimit } from './ivs/public-keys';
export { KeyApiStandIn } from './ivs/key-api-stand-in';
export type { StageEndpoints, StandInStage } from './ivs/stages';
export type { KeyApiOptions } from './ivs/key-api-stand-in';

/** A key of either API as the stand-in stores it. */
export type { StandInKey };
/** A key pair as the stand-in stores it. */
export type StandInKeyPair = StandInKey;
/** A real-time public key as the stand-in stores it. */
export type StandInPublicKey = StandInKey;
/** One low-latency request the stand-in answered, including throttled and failed ones. */
export type RecordedCall = ApiCall<IvsOperation>;
/** One real-time request the stand-in answered. */
export type RecordedRealTimeCall = ApiCall<RealTimeOperation>;

export interface IvsStandInOptions {
  /** Key pairs allowed per account and region. Default 3 (the IVS quota). */
  readonly keyPairQuota?: number;
  /** Page size of ListPlaybackKeyPairs when the caller sends no maxResults. Default 100. */
  readonly defaultPageSize?: number;
  /** Rate limit of the low-latency API active from the start (see `setRateLimit`). Default: none. */
  readonly rateLimit?: RateLimit;
  /** Milliseconds clock for the rate-limit windows; inject a fake one to test the window without sleeping. */
  readonly clock?: () => number;
  /**
   * Check the quota before the duplicate key on import (402 for a key IVS already holds, when the
   * region is full). Which one IVS checks first is undocumented. Default false: the duplicate first.
   * Applies to the real-time API too unless `realTime.quotaBeforeDuplicate` says otherwise.
   */
  readonly quotaBeforeDuplicate?: boolean;
  /**
   * The real-time API: `quota` (public keys per account and region, default `DEFAULT_PUBLIC_KEY_QUOTA`),
   * `defaultPageSize` of ListPublicKeys (default 50, the model's), `rateLimit`, `quotaBeforeDuplicate`.
   */
  readonly realTime?: KeyApiOptions<RealTimeOperation>;
}

export class IvsStandIn {
  /** Starts a stand-in on 127.0.0.1: one free port per API. */
  static async start(options: IvsStandInOptions = {}): Promise<IvsStandIn> {
    const standIn = new IvsStandIn(options);
    await Promise.all([standIn.lowLatency.listen(), standIn.realTime.listen()]);
    return standIn;
  }

  /** The low-latency API (playback key pairs); the methods on `IvsStandIn` itself act on it. */
  readonly lowLatency: KeyApiStandIn<IvsOperation>;
  /** The real-time API (stage public keys), with the same methods: `realTime.failNext('ImportPublicKey')` ... */
  readonly realTime: KeyApiStandIn<RealTimeOperation>;
  /** The real-time API's stages (`CreateStage`, `GetStage`), served beside its public keys. */
  readonly stages = new StageStore();

  private constructor(options: IvsStandInOptions) {
    const clock = options.clock ?? Date.now;
    const { keyPairQuota, defaultPageSize, rateLimit, quotaBeforeDuplicate } = options;
    this.lowLatency = new KeyApiStandIn(
      PLAYBACK_KEY_PAIRS,
      { quota: keyPairQuota, defaultPageSize, rateLimit, quotaBeforeDuplicate },
      clock,
    );
    this.realTime = new KeyApiStandIn(
      PUBLIC_KEYS,
      { quotaBeforeDuplicate, ...options.realTime, extraHandlers: stageHandlers(this.stages) },
      clock,
    );
  }

  /** Every low-latency call answered so far, in arrival order (real-time calls: `realTime.calls`). */
  get calls(): RecordedCall[] {
    return this.lowLatency.calls;
  }

  /** `http://127.0.0.1:PORT` of the low-latency API, for `new IvsClient({ endpoint })`. */
  get endpoint(): string {
    return this.lowLatency.endpoint;
  }

  /** `http://127.0.0.1:PORT` of the real-time API, for `new IVSRealTimeClient({ endpoint })`. */
  get realTimeEndpoint(): string {
    return this.realTime.endpoint;
  }

  /**
   * The environment that points SDK clients created from default configuration (as the shipped
   * handler creates them) at this stand-in, both IVS APIs, with fake credentials and, as in Lambda, no
   * shared config or credentials files from this machine.
   */
  clientEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_IVS: this.endpoint,
      // The SDK's variable for serviceId "IVS RealTime".
      AWS_ENDPOINT_URL_IVS_REALTIME: this.realTimeEndpoint,
      AWS_REGION: IVS_STAND_IN_REGION,
      AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
      AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
      AWS_CONFIG_FILE: join(tmpdir(), 'ivs-stand-in-no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'ivs-stand-in-no-aws-credentials'),
      // Lambda runs Node.js 24; the SDK's notice about this machine's older Node.js is noise.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  /** Stops listening and drops the SDK's kept-alive sockets, so jest can exit. */
  async stop(): Promise<void> {
    await Promise.all([this.lowLatency.stop(), this.realTime.stop()]);
  }

  /** Answers the next `count` low-latency calls (of `operation` only, if given) with 429 ThrottlingException. */
  throttleFirst(count: number, operation?: IvsOperation): void {
    this.lowLatency.throttleFirst(count, operation);
  }

  /**
   * Answers 429 when a low-latency call would be more than the limit of the same operation within any 1-second
   * sliding window. Only accepted calls count, so a retry after the window has moved on succeeds. Default: the IVS
   * quotas (`IVS_RATE_LIMITS`). Pass `{}` to lift every limit.
   */
  setRateLimit(limit: RateLimit = IVS_RATE_LIMITS): void {
    this.lowLatency.setRateLimit(limit);
  }

  /**
   * Answers the next call of `operation` with an error, given by status (500 = InternalServerException,
   * 403 = AccessDeniedException) or by type (e.g. 'PendingVerification'). Several queue up in order.
   */
  failNext(operation: IvsOperation, statusOrType: number | IvsErrorType = 500): void {
    this.lowLatency.failNext(operation, statusOrType);
  }

  /**
   * Never answers the next call of `operation`: it is recorded with status 0 and held open until
   * the client gives up or the stand-in stops, as when IVS does not answer at all.
   */
  hangNext(operation: IvsOperation): void {
    this.lowLatency.hangNext(operation);
  }

  /**
   * Carries out the next call of `operation` but never answers it (recorded with status 0): IVS
   * committed the change and the answer was lost, so the caller cannot know the outcome.
   */
  commitThenHangNext(operation: IvsOperation): void {
    this.lowLatency.commitThenHangNext(operation);
  }

  /** Leaves `arn` out of the next ListPlaybackKeyPairs, as IVS's eventually consistent List may right after an import. */
  hideFromNextList(arn: string): void {
    this.lowLatency.hideFromNextList(arn);
  }

  /**
   * Resolves with the next call of `operation` once the stand-in has carried it out (its answer
   * may still be on its way), to start a concurrent caller at an exact moment.
   */
  nextCall(operation: IvsOperation): Promise<RecordedCall> {
    return this.lowLatency.nextCall(operation);
  }

  /**
   * Resolves with the next call of `operation` that the stand-in holds without an answer
   * (`hangNext`, `commitThenHangNext`): from then on only the caller's deadline ends it.
   */
  nextUnansweredCall(operation: IvsOperation): Promise<RecordedCall> {
    return this.lowLatency.nextUnansweredCall(operation);
  }

  /**
   * Carries out the next call of `operation` at once but holds its answer back until `release`
   * settles: forces the interleaving of concurrent callers that a test needs.
   */
  holdAnswer(operation: IvsOperation, release: Promise<unknown>): void {
    this.lowLatency.holdAnswer(operation, release);
  }

  /**
   * Sets tags on a key pair as someone else would (the console, the CLI), without IVS's checks; no
   * call is recorded. Returns whether it existed.
   */
  tagBehindTheBack(arn: string, tags: Record<string, string>): boolean {
    return this.lowLatency.tagBehindTheBack(arn, tags);
  }

  /** Removes a key pair as if someone else deleted it; no call is recorded. Returns whether it existed. */
  deleteBehindTheBack(arn: string): boolean {
    return this.lowLatency.deleteBehindTheBack(arn);
  }

  /**
   * Seeds a key pair imported by another tool in the same account (it counts toward the quota); no call is recorded.
   * Throws a plain Error when the import would not be accepted.
   */
  importAsSomeoneElse(publicKeyMaterial: string, name = '', tags: Record<string, string> = {}): StandInKeyPair {
    return this.lowLatency.importAsSomeoneElse(publicKeyMaterial, name, tags);
  }

  /** A copy of the stored key pairs, in import order. */
  keyPairs(): StandInKeyPair[] {
    return this.lowLatency.keys();
  }

  /** Creates a real-time stage as `CreateStage` would, without a call (test set-up); returns it with its endpoints. */
  createStage(name = ''): StandInStage {
    return this.stages.create({ name });
  }

  /** A copy of the stored real-time public keys, in import order (the same as `realTime.keys()`). */
  publicKeys(): StandInPublicKey[] {
    return this.realTime.keys();
  }

  /** Number of recorded low-latency calls per operation (operations never called are 0). */
  callCounts(): Record<IvsOperation, number> {
    return this.lowLatency.callCounts();
  }

  /** Forgets the recorded calls of both APIs (state, faults and limits stay). */
  resetCalls(): void {
    this.lowLatency.resetCalls();
    this.realTime.resetCalls();
  }
}
