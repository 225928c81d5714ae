/**
 * A local stand-in for the Amazon IVS low-latency REST-JSON API (2020-07-14), limited to the seven
 * playback-key-pair operations. The real `@aws-sdk/client-ivs` can talk to it (`endpoint: ivs.endpoint`)
 * and raises the same error classes it raises against AWS. The operations, status codes and error shapes follow the IVS
 * service model (botocore's data/ivs/2020-07-14/service-2.json, which also generates `@aws-sdk/client-ivs`).
 */
import { createHash, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const IVS_STAND_IN_REGION = 'us-east-1';
export const IVS_STAND_IN_ACCOUNT = '123456789012';

/** Status of each IVS error shape (note: `PendingVerification` has no `Exception` suffix). */
export const IVS_ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;
export type IvsErrorType = keyof typeof IVS_ERROR_STATUS;

/** The seven operations, with the calls per second IVS accepts (service-quotas page). */
export const IVS_RATE_LIMITS = {
  ImportPlaybackKeyPair: 3,
  GetPlaybackKeyPair: 3,
  ListPlaybackKeyPairs: 3,
  DeletePlaybackKeyPair: 3,
  TagResource: 10,
  UntagResource: 10,
  ListTagsForResource: 10,
} as const;
export type IvsOperation = keyof typeof IVS_RATE_LIMITS;
const OPERATIONS = Object.keys(IVS_RATE_LIMITS) as IvsOperation[];

/** One TPS for every operation, or a TPS per operation (operations left out are not limited). */
export type RateLimit = number | Partial<Record<IvsOperation, number>>;

export interface IvsStandInOptions {
  /** Key pairs allowed per account and region. Default 3 (the IVS quota). */
  readonly keyPairQuota?: number;
  /** Page size of ListPlaybackKeyPairs when the caller sends no maxResults. Default 100. */
  readonly defaultPageSize?: number;
  /** Rate limit active from the start (see `setRateLimit`). Default: none. */
  readonly rateLimit?: RateLimit;
  /** Milliseconds clock for the rate-limit window; inject a fake one to test the window without sleeping. */
  readonly clock?: () => number;
  /**
   * Check the quota before the duplicate key on import (402 for a key IVS already holds, when the
   * region is full). Which one IVS checks first is undocumented. Default false: the duplicate first.
   */
  readonly quotaBeforeDuplicate?: boolean;
}

/** A key pair as the stand-in stores it. */
export interface StandInKeyPair {
  readonly arn: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly tags: Record<string, string>;
  readonly publicKeyMaterial: string;
}

/** One request the stand-in answered, including throttled and failed ones. */
export interface RecordedCall {
  readonly operation: IvsOperation;
  /** The ARN the call addressed (body `arn` or the `/tags/{arn}` path), if any. */
  readonly arn?: string;
  /** The HTTP status answered; 0 for a call held without an answer (`hangNext`). */
  readonly status: number;
  /** Set when the call was answered with an error. */
  readonly errorType?: IvsErrorType;
  /** The request input as received: the JSON body, plus `tagKeys` for UntagResource. */
  readonly body: Record<string, unknown>;
}

const PUBLIC_KEY_INVALID = 'Request member: publicKeyMaterial failed to satisfy the constraints';
// Patterns from the IVS service model: PlaybackKeyPairArn, ResourceArn (its `[a-z-]` typo read as `[a-z-]+`),
// PlaybackKeyPairName.
const KEY_PAIR_ARN_PATTERN = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:playback-key\/[a-zA-Z0-9-]+$/;
const RESOURCE_ARN_PATTERN = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+\/[a-zA-Z0-9-]+$/;
const NAME_PATTERN = /^[a-zA-Z0-9-_]*$/;
const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const RATE_WINDOW_MS = 1000;

/** An error the stand-in answers with; thrown by the operation handlers. */
class IvsError extends Error {
  readonly status: number;
  constructor(
    readonly errorType: IvsErrorType,
    message: string,
  ) {
    super(message);
    this.status = IVS_ERROR_STATUS[errorType];
  }
}

const invalid = (message: string) => new IvsError('ValidationException', message);

interface ParsedRequest {
  readonly operation: IvsOperation;
  readonly arn?: string;
  readonly body: Record<string, unknown>;
}

export class IvsStandIn {
  /** Starts a stand-in on 127.0.0.1 and a free port. */
  static async start(options: IvsStandInOptions = {}): Promise<IvsStandIn> {
    const standIn = new IvsStandIn(options);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  /** Every call answered so far, in arrival order. */
  readonly calls: RecordedCall[] = [];

  private readonly server: Server;
  private readonly store = new Map<string, StandInKeyPair>();
  private readonly clock: () => number;
  private throttleBudgets: { remaining: number; operation?: IvsOperation }[] = [];
  private readonly pendingFailures = new Map<IvsOperation, IvsErrorType[]>();
  private readonly pendingHangs = new Set<IvsOperation>();
  private readonly pendingCommitHangs = new Set<IvsOperation>();
  private readonly hiddenFromNextList = new Set<string>();
  private rateLimits: Partial<Record<IvsOperation, number>> = {};
  private readonly acceptedAt = new Map<IvsOperation, number[]>();
  private readonly callWaiters: {
    operation: IvsOperation;
    unanswered?: boolean;
    resolve: (call: RecordedCall) => void;
  }[] = [];
  private readonly heldAnswers: { operation: IvsOperation; release: Promise<unknown> }[] = [];

  private constructor(private readonly options: IvsStandInOptions) {
    this.clock = options.clock ?? Date.now;
    if (options.rateLimit !== undefined) this.setRateLimit(options.rateLimit);
    this.server = createServer((req, res) => void this.serve(req, res).catch(() => res.destroy()));
  }

  /** `http://127.0.0.1:PORT`, for `new IvsClient({ endpoint })`. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * The environment that points an SDK client created from default configuration (as the shipped
   * handler creates its client) at this stand-in, with fake credentials and, as in Lambda, no
   * shared config or credentials files from this machine.
   */
  clientEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_IVS: this.endpoint,
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
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Answers the next `count` calls (of `operation` only, if given) with 429 ThrottlingException. */
  throttleFirst(count: number, operation?: IvsOperation): void {
    this.throttleBudgets.push({ remaining: count, operation });
  }

  /**
   * Answers 429 when a call would be more than the limit of the same operation within any 1-second sliding window.
   * Only accepted calls count, so a retry after the window has moved on succeeds. Default: the IVS quotas.
   * Pass `{}` to lift every limit.
   */
  setRateLimit(limit: RateLimit = IVS_RATE_LIMITS): void {
    if (typeof limit === 'number') {
      this.rateLimits = Object.fromEntries(OPERATIONS.map((operation) => [operation, limit]));
    } else {
      this.rateLimits = { ...limit };
    }
  }

  /**
   * Answers the next call of `operation` with an error, given by status (500 = InternalServerException,
   * 403 = AccessDeniedException) or by type (e.g. 'PendingVerification'). Several queue up in order.
   */
  failNext(operation: IvsOperation, statusOrType: number | IvsErrorType = 500): void {
    const errorType = typeof statusOrType === 'string' ? statusOrType : errorTypeForStatus(statusOrType);
    this.pendingFailures.set(operation, [...(this.pendingFailures.get(operation) ?? []), errorType]);
  }

  /**
   * Never answers the next call of `operation`: it is recorded with status 0 and held open until
   * the client gives up or the stand-in stops, as when IVS does not answer at all.
   */
  hangNext(operation: IvsOperation): void {
    this.pendingHangs.add(operation);
  }

  /**
   * Carries out the next call of `operation` but never answers it (recorded with status 0): IVS
   * committed the change and the answer was lost, so the caller cannot know the outcome.
   */
  commitThenHangNext(operation: IvsOperation): void {
    this.pendingCommitHangs.add(operation);
  }

  /** Leaves `arn` out of the next ListPlaybackKeyPairs, as IVS's eventually consistent List may right after an import. */
  hideFromNextList(arn: string): void {
    this.hiddenFromNextList.add(arn);
  }

  /**
   * Resolves with the next call of `operation` once the stand-in has carried it out (its answer
   * may still be on its way), to start a concurrent caller at an exact moment.
   */
  nextCall(operation: IvsOperation): Promise<RecordedCall> {
    return new Promise((resolve) => this.callWaiters.push({ operation, resolve }));
  }

  /**
   * Resolves with the next call of `operation` that the stand-in holds without an answer
   * (`hangNext`, `commitThenHangNext`): from then on only the caller's deadline ends it.
   */
  nextUnansweredCall(operation: IvsOperation): Promise<RecordedCall> {
    return new Promise((resolve) => this.callWaiters.push({ operation, unanswered: true, resolve }));
  }

  /**
   * Carries out the next call of `operation` at once but holds its answer back until `release`
   * settles: forces the interleaving of concurrent callers that a test needs.
   */
  holdAnswer(operation: IvsOperation, release: Promise<unknown>): void {
    this.heldAnswers.push({ operation, release });
  }

  /** Removes a key pair as if someone else deleted it; no call is recorded. Returns whether it existed. */
  deleteBehindTheBack(arn: string): boolean {
    return this.store.delete(arn);
  }

  /**
   * Sets tags on a key pair as someone else would (the console, the CLI), without IVS's checks; no
   * call is recorded. Returns whether it existed.
   */
  tagBehindTheBack(arn: string, tags: Record<string, string>): boolean {
    const keyPair = this.store.get(arn);
    if (keyPair) this.store.set(arn, { ...keyPair, tags: { ...keyPair.tags, ...tags } });
    return keyPair !== undefined;
  }

  /**
   * Seeds a key pair imported by another tool in the same account (it counts toward the quota); no call is recorded.
   * Throws a plain Error when the import would not be accepted.
   */
  importAsSomeoneElse(publicKeyMaterial: string, name = '', tags: Record<string, string> = {}): StandInKeyPair {
    try {
      return copyOf(this.importKeyPair({ publicKeyMaterial, name, tags }));
    } catch (error) {
      const reason = error instanceof IvsError ? `${error.errorType}: ${error.message}` : String(error);
      throw new Error(`importAsSomeoneElse refused: ${reason}`, { cause: error });
    }
  }

  /** A copy of the stored key pairs, in import order. */
  keyPairs(): StandInKeyPair[] {
    return [...this.store.values()].map(copyOf);
  }

  /** Number of recorded calls per operation (operations never called are 0). */
  callCounts(): Record<IvsOperation, number> {
    const counts = Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<IvsOperation, number>;
    for (const call of this.calls) counts[call.operation]++;
    return counts;
  }

  /** Forgets the recorded calls (state, faults and limits stay). */
  resetCalls(): void {
    this.calls.length = 0;
  }

  // ---- request handling ----

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    // Requests the stand-in cannot attribute to an operation are answered but not recorded.
    const authProblem = checkSignatureScope(req.headers.authorization);
    if (authProblem) return send(res, 403, authProblem.body, authProblem.errorType);
    let request: ParsedRequest | undefined;
    try {
      request = parseRequest(req.method ?? '', req.url ?? '/', rawBody);
    } catch (error) {
      return sendError(res, error);
    }
    const unknown = { message: `The stand-in does not implement ${req.method} ${req.url}` };
    if (!request) return send(res, 404, unknown, 'UnknownOperationException');
    const { operation, arn, body } = request;
    if (this.pendingHangs.delete(operation)) {
      this.record({ operation, arn, status: 0, body });
      return;
    }
    let output: object;
    try {
      this.injectFaults(operation);
      output = this.dispatch(request);
      if (this.pendingCommitHangs.delete(operation)) {
        this.record({ operation, arn, status: 0, body });
        return;
      }
      this.record({ operation, arn, status: 200, body });
    } catch (error) {
      const { status, errorType } = asIvsError(error);
      this.record({ operation, arn, status, errorType, body });
      await this.heldAnswer(operation);
      return sendError(res, error);
    }
    await this.heldAnswer(operation);
    send(res, 200, output);
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    const waiter = this.callWaiters.findIndex(
      (w) => w.operation === call.operation && (!w.unanswered || call.status === 0),
    );
    if (waiter >= 0) this.callWaiters.splice(waiter, 1)[0].resolve(call);
  }

  private async heldAnswer(operation: IvsOperation): Promise<void> {
    const hold = this.heldAnswers.findIndex((h) => h.operation === operation);
    if (hold >= 0) await this.heldAnswers.splice(hold, 1)[0].release.catch(() => undefined);
  }

  // Order: scripted throttles, then the rate window, then one-off failures, then the real work.
  private injectFaults(operation: IvsOperation): void {
    const budget = this.throttleBudgets.find((b) => b.remaining > 0 && (!b.operation || b.operation === operation));
    if (budget) {
      budget.remaining--;
      throw new IvsError('ThrottlingException', 'Rate exceeded');
    }
    this.enforceRateLimit(operation);
    const failure = this.pendingFailures.get(operation)?.shift();
    if (failure) throw new IvsError(failure, `Injected ${failure} for ${operation}`);
  }

  private enforceRateLimit(operation: IvsOperation): void {
    const limit = this.rateLimits[operation];
    if (limit === undefined) return;
    const now = this.clock();
    const recent = (this.acceptedAt.get(operation) ?? []).filter((at) => now - at < RATE_WINDOW_MS);
    if (recent.length >= limit) {
      this.acceptedAt.set(operation, recent);
      throw new IvsError('ThrottlingException', 'Rate exceeded');
    }
    this.acceptedAt.set(operation, [...recent, now]);
  }

  private dispatch({ operation, arn, body }: ParsedRequest): object {
    switch (operation) {
      case 'ImportPlaybackKeyPair':
        return { keyPair: publicView(this.importKeyPair(body)) };
      case 'GetPlaybackKeyPair':
        return { keyPair: publicView(this.findKeyPair(arn)) };
      case 'ListPlaybackKeyPairs':
        return this.listKeyPairs(body);
      case 'DeletePlaybackKeyPair':
        this.store.delete(this.findKeyPair(arn).arn);
        return {};
      case 'TagResource':
        return this.updateTags(arn, (tags) => ({ ...tags, ...validTags(body.tags) }));
      case 'UntagResource':
        return this.updateTags(arn, (tags) => withoutKeys(tags, validTagKeys(body.tagKeys)));
      case 'ListTagsForResource':
        return { tags: { ...this.findResource(arn).tags } };
    }
  }

  private importKeyPair(body: Record<string, unknown>): StandInKeyPair {
    const der = p384PublicKeyDer(body.publicKeyMaterial);
    const name = validName(body.name);
    const tags = validTags(body.tags ?? {});
    const checks = [() => this.refuseDuplicate(der), () => this.refuseOverQuota()];
    for (const check of this.options.quotaBeforeDuplicate ? checks.reverse() : checks) check();
    const arn = `arn:aws:ivs:${IVS_STAND_IN_REGION}:${IVS_STAND_IN_ACCOUNT}:playback-key/${randomId(12)}`;
    const publicKeyMaterial = body.publicKeyMaterial as string;
    const keyPair = { arn, name, fingerprint: md5Fingerprint(der), tags, publicKeyMaterial };
    this.store.set(arn, keyPair);
    return keyPair;
  }

  private refuseDuplicate(der: Buffer): void {
    if ([...this.store.values()].some((k) => p384PublicKeyDer(k.publicKeyMaterial).equals(der))) {
      throw new IvsError('ConflictException', 'A playback key pair with this public key already exists');
    }
  }

  private refuseOverQuota(): void {
    if (this.store.size >= (this.options.keyPairQuota ?? 3)) {
      throw new IvsError('ServiceQuotaExceededException', 'Playback key pair quota exceeded');
    }
  }

  private listKeyPairs(body: Record<string, unknown>): object {
    const pageSize = Number(body.maxResults ?? this.options.defaultPageSize ?? 100);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
      throw invalid('maxResults must be between 1 and 100');
    const start = decodePageToken(body.nextToken);
    const all = [...this.store.values()].filter((keyPair) => !this.hiddenFromNextList.has(keyPair.arn));
    this.hiddenFromNextList.clear();
    const page = all.slice(start, start + pageSize);
    const end = start + page.length;
    const keyPairs = page.map(({ arn, name, tags }) => ({ arn, name, tags: { ...tags } }));
    return end < all.length ? { keyPairs, nextToken: encodePageToken(end) } : { keyPairs };
  }

  private updateTags(
    arn: string | undefined,
    change: (tags: Record<string, string>) => Record<string, string>,
  ): object {
    const keyPair = this.findResource(arn);
    const tags = change(keyPair.tags);
    if (Object.keys(tags).length > 50) throw invalid('A resource can have at most 50 tags');
    this.store.set(keyPair.arn, { ...keyPair, tags });
    return {};
  }

  /** Key-pair operations take a PlaybackKeyPairArn: 400 when it does not match the model, 404 when unknown. */
  private findKeyPair(arn: string | undefined): StandInKeyPair {
    return this.existing(arn, KEY_PAIR_ARN_PATTERN, 'arn');
  }

  /** Tag operations take any IVS ResourceArn; only key pairs exist here. */
  private findResource(arn: string | undefined): StandInKeyPair {
    return this.existing(arn, RESOURCE_ARN_PATTERN, 'resourceArn');
  }

  private existing(arn: string | undefined, pattern: RegExp, member: string): StandInKeyPair {
    if (typeof arn !== 'string' || arn.length > 128 || !pattern.test(arn)) {
      throw invalid(`Request member: ${member} failed to satisfy the constraints`);
    }
    const keyPair = this.store.get(arn);
    if (!keyPair) throw new IvsError('ResourceNotFoundException', `Resource: ${arn} not found`);
    return keyPair;
  }
}

// ---- routing and wire format ----

/** Maps method and path to an operation the way the SDK serializes them; undefined for anything else. */
function parseRequest(method: string, url: string, rawBody: string): ParsedRequest | undefined {
  const { pathname, searchParams } = new URL(url, 'http://stand-in');
  const body = parseJsonObject(rawBody);
  const keyPairOperation = OPERATIONS.find((op) => op.includes('PlaybackKeyPair') && pathname === `/${op}`);
  if (method === 'POST' && keyPairOperation) {
    return { operation: keyPairOperation, arn: typeof body.arn === 'string' ? body.arn : undefined, body };
  }
  if (!pathname.startsWith('/tags/')) return undefined;
  // The SDK percent-encodes the whole ARN into one segment (`:` -> %3A, `/` -> %2F).
  const arn = decodeArn(pathname.slice('/tags/'.length));
  if (method === 'POST') return { operation: 'TagResource', arn, body };
  if (method === 'GET') return { operation: 'ListTagsForResource', arn, body };
  if (method === 'DELETE') {
    // Repeated query parameter; the SDK omits it entirely for an empty list.
    const tagKeys = searchParams.has('tagKeys') ? searchParams.getAll('tagKeys') : undefined;
    return { operation: 'UntagResource', arn, body: { ...body, tagKeys } };
  }
  return undefined;
}

function decodeArn(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw invalid('Request member: resourceArn failed to satisfy the constraints');
  }
}

function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** IVS checks SigV4 before anything else; a client signing for another service gets 403 (not an IVS error shape). */
function checkSignatureScope(authorization: string | undefined): { errorType: string; body: object } | undefined {
  if (!authorization) {
    return { errorType: 'MissingAuthenticationTokenException', body: { message: 'Missing Authentication Token' } };
  }
  if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/ivs\/aws4_request/.test(authorization)) {
    const message = "Credential should be scoped to correct service: 'ivs'";
    return { errorType: 'InvalidSignatureException', body: { message } };
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: object, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: unknown): void {
  const { status, errorType, message } = asIvsError(error);
  send(res, status, { exceptionMessage: message }, errorType);
}

function asIvsError(error: unknown): IvsError {
  // Anything unexpected is a bug in the stand-in; answer like AWS would (500) rather than hang the client.
  return error instanceof IvsError ? error : new IvsError('InternalServerException', String(error));
}

function errorTypeForStatus(status: number): IvsErrorType {
  const match = (Object.keys(IVS_ERROR_STATUS) as IvsErrorType[]).find((type) => IVS_ERROR_STATUS[type] === status);
  if (!match) throw new Error(`No IVS error has status ${status}`);
  return match;
}

// ---- validation and key material ----

/** DER SubjectPublicKeyInfo of a PEM `PUBLIC KEY` block holding an ECDSA P-384 key; anything else is a 400. */
function p384PublicKeyDer(publicKeyMaterial: unknown): Buffer {
  // Match the PEM ourselves: createPublicKey would happily derive a public key from a private-key PEM.
  const match = typeof publicKeyMaterial === 'string' ? PEM_PUBLIC_KEY.exec(publicKeyMaterial.trim()) : null;
  if (!match) throw invalid(PUBLIC_KEY_INVALID);
  try {
    const key = createPublicKey({
      key: Buffer.from(match[1].replace(/\s/g, ''), 'base64'),
      format: 'der',
      type: 'spki',
    });
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') {
      return key.export({ type: 'spki', format: 'der' });
    }
  } catch {
    // fall through: not a parseable SubjectPublicKeyInfo
  }
  throw invalid(PUBLIC_KEY_INVALID);
}

function md5Fingerprint(der: Buffer): string {
  return createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
}

function validName(name: unknown): string {
  if (name === undefined) return '';
  if (typeof name !== 'string' || name.length > 128 || !NAME_PATTERN.test(name)) {
    throw invalid('Request member: name failed to satisfy the constraints');
  }
  return name;
}

function validTags(tags: unknown): Record<string, string> {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw invalid('tags must be a map of strings');
  const entries = Object.entries(tags);
  if (entries.length > 50) throw invalid('A resource can have at most 50 tags');
  for (const [key, value] of entries) {
    validTagKey(key);
    if (typeof value !== 'string' || value.length > 256)
      throw invalid(`Tag value for ${key} must be 0 to 256 characters`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function validTagKeys(tagKeys: unknown): string[] {
  if (!Array.isArray(tagKeys) || tagKeys.length === 0 || tagKeys.length > 50) {
    throw invalid('Request member: tagKeys failed to satisfy the constraints');
  }
  return tagKeys.map(validTagKey);
}

function validTagKey(key: unknown): string {
  if (typeof key !== 'string' || key.length < 1 || key.length > 128)
    throw invalid('Tag keys must be 1 to 128 characters');
  if (key.toLowerCase().startsWith('aws:')) throw invalid(`Tag key ${key} uses the reserved prefix aws:`);
  return key;
}

function withoutKeys(tags: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !keys.includes(key)));
}

// ---- small helpers ----

function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodePageToken(token: unknown): number {
  if (token === undefined || token === '') return 0;
  const match = typeof token === 'string' ? /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8')) : null;
  if (!match) throw invalid('Request member: nextToken failed to satisfy the constraints');
  return Number(match[1]);
}

function randomId(length: number): string {
  // 62 does not divide 256, so the first letters are a little likelier; irrelevant for ids in tests.
  return [...randomBytes(length)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}

function publicView({ arn, name, fingerprint, tags }: StandInKeyPair): object {
  return { arn, name, fingerprint, tags: { ...tags } };
}

function copyOf(keyPair: StandInKeyPair): StandInKeyPair {
  return { ...keyPair, tags: { ...keyPair.tags } };
}
