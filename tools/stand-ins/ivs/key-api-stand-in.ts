/**
 * One IVS key API served on its own port of 127.0.0.1, as AWS serves each API on its own host (`ivs.<region>` and
 * `ivsrealtime.<region>`, with the same paths): its store, its recorded calls and its faults. What differs between
 * the two APIs (operation names, ARN type, answer fields, quotas) comes from a {@link KeyApiDefinition}.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { FaultPlan, RateLimitOf } from './faults';
import { copyOf, KeyStore, StandInKey } from './key-store';
import { validTagKeys, validTags, withoutKeys } from './validation';
import {
  ApiRoutes,
  asIvsError,
  checkSignatureScope,
  IvsError,
  IvsErrorType,
  ParsedRequest,
  parseRequest,
  readBody,
  send,
  sendError,
} from './wire';

/** The roles of one API's seven operations. */
export interface KeyApiOperations<Op extends string> {
  readonly importKey: Op;
  readonly getKey: Op;
  readonly listKeys: Op;
  readonly deleteKey: Op;
  readonly tag: Op;
  readonly untag: Op;
  readonly listTags: Op;
}

/** What one IVS key API looks like on the wire (see the per-API modules beside this one). */
export interface KeyApiDefinition<Op extends string> {
  readonly operations: KeyApiOperations<Op>;
  /** The calls per second IVS accepts for each operation (service-quotas pages). */
  readonly rateLimits: Readonly<Record<Op, number>>;
  readonly arnResourceType: string;
  readonly arnPattern: RegExp;
  readonly label: string;
  /** The answer's member holding one key (Import, Get) and the list's member holding the summaries. */
  readonly keyMember: string;
  readonly listMember: string;
  /** The key as Import and Get answer it. */
  readonly view: (key: StandInKey) => object;
  readonly defaultQuota: number;
  readonly defaultPageSize: number;
}

export interface KeyApiOptions<Op extends string> {
  /** Keys allowed per account and region. Default: the API's quota. */
  readonly quota?: number;
  /** Page size of the list operation when the caller sends no maxResults. Default: the API's. */
  readonly defaultPageSize?: number;
  /** Rate limit active from the start (see `setRateLimit`). Default: none. */
  readonly rateLimit?: RateLimitOf<Op>;
  /** Check the quota before the duplicate key on import. Default false: the duplicate first. */
  readonly quotaBeforeDuplicate?: boolean;
  /**
   * Operations of the same API beside its keys, each `POST /<Operation>`, with their handlers (the real-time
   * API's stages: stages.ts). They are recorded, limited and faulted as the key operations are. Default: none.
   */
  readonly extraHandlers?: Partial<Record<Op, Handler>>;
}

/** One request the stand-in answered, including throttled and failed ones. */
export interface RecordedCall<Op extends string> {
  readonly operation: Op;
  /** The ARN the call addressed (body `arn` or the `/tags/{arn}` path), if any. */
  readonly arn?: string;
  /** The HTTP status answered; 0 for a call held without an answer (`hangNext`). */
  readonly status: number;
  /** Set when the call was answered with an error. */
  readonly errorType?: IvsErrorType;
  /** The request input as received: the JSON body, plus `tagKeys` for UntagResource. */
  readonly body: Record<string, unknown>;
}

/** Answers one parsed request, or throws an `IvsError`. */
export type Handler = (request: ParsedRequest<string>) => object;

export class KeyApiStandIn<Op extends string> {
  /** Every call of this API answered so far, in arrival order. */
  readonly calls: RecordedCall<Op>[] = [];

  private readonly server: Server;
  private readonly store: KeyStore;
  private readonly faults: FaultPlan<Op>;
  private readonly routes: ApiRoutes<Op>;
  private readonly handlers: Record<string, Handler>;
  private readonly callWaiters: {
    operation: Op;
    unanswered?: boolean;
    resolve: (call: RecordedCall<Op>) => void;
  }[] = [];

  constructor(
    private readonly definition: KeyApiDefinition<Op>,
    options: KeyApiOptions<Op>,
    clock: () => number,
  ) {
    const { arnResourceType, arnPattern, label } = definition;
    this.store = new KeyStore({
      arnResourceType,
      arnPattern,
      label,
      quota: options.quota ?? definition.defaultQuota,
      defaultPageSize: options.defaultPageSize ?? definition.defaultPageSize,
      quotaBeforeDuplicate: options.quotaBeforeDuplicate ?? false,
    });
    this.faults = new FaultPlan(definition.rateLimits, clock);
    if (options.rateLimit !== undefined) this.faults.setRateLimit(options.rateLimit);
    const ops = definition.operations;
    this.routes = {
      postOperations: [
        ops.importKey,
        ops.getKey,
        ops.listKeys,
        ops.deleteKey,
        ...(Object.keys(options.extraHandlers ?? {}) as Op[]),
      ],
      tag: ops.tag,
      untag: ops.untag,
      listTags: ops.listTags,
    };
    this.handlers = { ...this.operationHandlers(), ...(options.extraHandlers as Record<string, Handler>) };
    this.server = createServer((req, res) => void this.serve(req, res).catch(() => res.destroy()));
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** `http://127.0.0.1:PORT`, for a client's `endpoint`. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops listening and drops the SDK's kept-alive sockets. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Answers the next `count` calls (of `operation` only, if given) with 429 ThrottlingException. */
  throttleFirst(count: number, operation?: Op): void {
    this.faults.throttleFirst(count, operation);
  }

  /**
   * Answers 429 when a call would be more than the limit of the same operation within any 1-second sliding window.
   * Only accepted calls count. Default: the API's quotas. Pass `{}` to lift every limit.
   */
  setRateLimit(limit?: RateLimitOf<Op>): void {
    this.faults.setRateLimit(limit);
  }

  /** Answers the next call of `operation` with an error, by status (500, 403 ...) or by type. Several queue up. */
  failNext(operation: Op, statusOrType: number | IvsErrorType = 500): void {
    this.faults.failNext(operation, statusOrType);
  }

  /** Never answers the next call of `operation` (recorded with status 0), as when IVS does not answer at all. */
  hangNext(operation: Op): void {
    this.faults.hangNext(operation);
  }

  /** Carries out the next call of `operation` but never answers it (recorded with status 0): the answer was lost. */
  commitThenHangNext(operation: Op): void {
    this.faults.commitThenHangNext(operation);
  }

  /** Leaves `arn` out of the next list call, as IVS's eventually consistent List may right after an import. */
  hideFromNextList(arn: string): void {
    this.store.hideFromNextList(arn);
  }

  /** Resolves with the next call of `operation` once it was carried out (its answer may still be on its way). */
  nextCall(operation: Op): Promise<RecordedCall<Op>> {
    return new Promise((resolve) => this.callWaiters.push({ operation, resolve }));
  }

  /**
   * Resolves with the next call of `operation` that the stand-in holds without an answer
   * (`hangNext`, `commitThenHangNext`): from then on only the caller's deadline ends it.
   */
  nextUnansweredCall(operation: Op): Promise<RecordedCall<Op>> {
    return new Promise((resolve) => this.callWaiters.push({ operation, unanswered: true, resolve }));
  }

  /** Carries out the next call of `operation` at once but holds its answer back until `release` settles. */
  holdAnswer(operation: Op, release: Promise<unknown>): void {
    this.faults.holdAnswer(operation, release);
  }

  /**
   * Sets tags on a key as someone else would (the console, the CLI), without IVS's checks; no call
   * is recorded. Returns whether it existed.
   */
  tagBehindTheBack(arn: string, tags: Record<string, string>): boolean {
    return this.store.retag(arn, tags);
  }

  /** Removes a key as if someone else deleted it; no call is recorded. Returns whether it existed. */
  deleteBehindTheBack(arn: string): boolean {
    return this.store.remove(arn);
  }

  /**
   * Seeds a key imported by another tool in the same account (it counts toward the quota); no call is recorded.
   * Throws a plain Error when the import would not be accepted.
   */
  importAsSomeoneElse(publicKeyMaterial: string, name = '', tags: Record<string, string> = {}): StandInKey {
    try {
      return copyOf(this.store.import({ publicKeyMaterial, name, tags }));
    } catch (error) {
      const reason = error instanceof IvsError ? `${error.errorType}: ${error.message}` : String(error);
      throw new Error(`importAsSomeoneElse refused: ${reason}`, { cause: error });
    }
  }

  /** A copy of the stored keys, with their key material, in import order. */
  keys(): StandInKey[] {
    return this.store.snapshot();
  }

  /** Number of recorded calls per operation (operations never called are 0). */
  callCounts(): Record<Op, number> {
    const operations = Object.keys(this.definition.rateLimits) as Op[];
    const counts = Object.fromEntries(operations.map((op) => [op, 0])) as Record<Op, number>;
    for (const call of this.calls) counts[call.operation]++;
    return counts;
  }

  /** Forgets the recorded calls (state, faults and limits stay). */
  resetCalls(): void {
    this.calls.length = 0;
  }

  private operationHandlers(): Record<string, Handler> {
    const { operations: ops, keyMember, listMember, view } = this.definition;
    const store = this.store;
    return {
      [ops.importKey]: ({ body }) => ({ [keyMember]: view(store.import(body)) }),
      [ops.getKey]: ({ arn }) => ({ [keyMember]: view(store.get(arn)) }),
      [ops.listKeys]: ({ body }) => {
        const { summaries, nextToken } = store.list(body);
        return nextToken === undefined ? { [listMember]: summaries } : { [listMember]: summaries, nextToken };
      },
      [ops.deleteKey]: ({ arn }) => {
        store.delete(arn);
        return {};
      },
      [ops.tag]: ({ arn, body }) => {
        store.updateTags(arn, (tags) => ({ ...tags, ...validTags(body.tags) }));
        return {};
      },
      [ops.untag]: ({ arn, body }) => {
        store.updateTags(arn, (tags) => withoutKeys(tags, validTagKeys(body.tagKeys)));
        return {};
      },
      [ops.listTags]: ({ arn }) => ({ tags: store.tagsOf(arn) }),
    };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    // Requests the stand-in cannot attribute to an operation are answered but not recorded.
    const authProblem = checkSignatureScope(req.headers.authorization);
    if (authProblem) return send(res, 403, authProblem.body, authProblem.errorType);
    let request: ParsedRequest<Op> | undefined;
    try {
      request = parseRequest(this.routes, req.method ?? '', req.url ?? '/', rawBody);
    } catch (error) {
      return sendError(res, error);
    }
    const unknown = { message: `The stand-in does not implement ${req.method} ${req.url}` };
    if (!request) return send(res, 404, unknown, 'UnknownOperationException');
    const { operation, arn, body } = request;
    if (this.faults.takeHang(operation)) return this.record({ operation, arn, status: 0, body });
    let output: object;
    try {
      this.faults.inject(operation);
      output = this.handlers[operation](request);
      if (this.faults.takeCommitHang(operation)) return this.record({ operation, arn, status: 0, body });
      this.record({ operation, arn, status: 200, body });
    } catch (error) {
      const { status, errorType } = asIvsError(error);
      this.record({ operation, arn, status, errorType, body });
      await this.faults.heldAnswer(operation);
      return sendError(res, error);
    }
    await this.faults.heldAnswer(operation);
    send(res, 200, output);
  }

  private record(call: RecordedCall<Op>): void {
    this.calls.push(call);
    const waiter = this.callWaiters.findIndex(
      (w) => w.operation === call.operation && (!w.unanswered || call.status === 0),
    );
    if (waiter >= 0) this.callWaiters.splice(waiter, 1)[0].resolve(call);
  }
}
