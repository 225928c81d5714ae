import { EVENT_MARKER_TAG_KEY } from '../../../lib/shared/contract';
import { beforeDeadline } from '../before-deadline';
import { isConflict, isNotFound, IvsKey, IvsKeySummary, IvsKeyToImport, KeyApi, Sendable } from './key-api';

export type { IvsKey, IvsKeySummary, IvsKeyToImport } from './key-api';

/** When the session stops waiting for IVS, so that the handler can still answer CloudFormation. */
export interface IvsDeadline {
  /** Aborted when the time for IVS calls is up. */
  readonly signal: AbortSignal;
  /** How long the handler gave IVS, for the error message. */
  readonly afterMs: number;
}

/** An IVS call that had not finished when the handler's deadline came. */
export class IvsDeadlineError extends Error {
  constructor(operation: string, afterMs: number) {
    super(
      `IVS ${operation} did not finish within ${Math.round(afterMs / 1000)} s, so the handler stopped waiting, ` +
        'to answer CloudFormation before its Lambda timeout. Check the AWS Health Dashboard for IVS and deploy again.',
    );
    this.name = 'IvsDeadlineError';
  }
}

/**
 * The IVS calls of one lifecycle event on one key API (playback key pairs or stage public keys),
 * each counted for the event's log line. Errors keep their SDK class and name (key-api.ts tells them
 * apart) and get a message that quotes the service.
 */
export class KeySession {
  /** The operations called, in order; a retried call counts once. */
  public readonly calls: string[] = [];
  /** How many extra attempts the SDK's retry policy made (throttling, 5xx). */
  public retries = 0;
  /** The ARN of a key an Import of this session created. */
  public importedArn?: string;
  /**
   * Whether an Import ended without IVS saying that it failed (no answer, the deadline, a 5xx), so
   * that it may have created a key all the same.
   */
  public importOutcomeUnknown = false;
  /** Whether an Import got 409: IVS holds the key, maybe as this resource's own. */
  public importConflicted = false;
  /** Whether this session has made a List (whose keys are in `listed`). */
  public hasListed = false;
  /** Every key a List of this session returned. */
  public readonly listed: IvsKeySummary[] = [];
  /** Every key a Get of this session returned, by ARN. */
  public readonly fetched = new Map<string, IvsKey>();
  /** Sees every key a Get or List returns before the rules act on it; may throw to stop the event. */
  public onKeySeen: (key: IvsKeySummary) => void = () => undefined;

  constructor(
    /** The key API the calls go to; its kind gives the rules their words, ARNs and quota. */
    public readonly api: KeyApi,
    private readonly deadline?: IvsDeadline,
  ) {}

  public async importKey(key: IvsKeyToImport): Promise<IvsKey> {
    const { publicKeyMaterial, name, tags } = key;
    try {
      const { key: imported } = await this.send(this.api.operations.import, (abortSignal) =>
        this.api.importKey({ publicKeyMaterial, name, tags }, abortSignal),
      );
      this.importedArn = imported?.arn;
      return asKey(imported);
    } catch (error) {
      this.importOutcomeUnknown ||= !refusedByIvs(error);
      this.importConflicted ||= isConflict(error);
      throw error;
    }
  }

  /** Returns undefined when there is no such key. */
  public async getKey(arn: string): Promise<IvsKey | undefined> {
    try {
      const { key: described } = await this.send(this.api.operations.get, (abortSignal) =>
        this.api.getKey(arn, abortSignal),
      );
      const key = asKey(described);
      this.fetched.set(arn, key);
      this.onKeySeen(key);
      return key;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  public async listKeys(): Promise<IvsKeySummary[]> {
    const summaries: IvsKeySummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send(this.api.operations.list, (abortSignal) =>
        this.api.listKeys(nextToken, abortSignal),
      );
      summaries.push(...page.keys);
      nextToken = page.nextToken;
    } while (nextToken);
    this.hasListed = true;
    this.listed.push(...summaries);
    summaries.forEach((summary) => this.onKeySeen(summary));
    return summaries;
  }

  /** Returns false when the key was already gone. */
  public async deleteKey(arn: string): Promise<boolean> {
    try {
      await this.send(this.api.operations.delete, (abortSignal) => this.api.deleteKey(arn, abortSignal));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Changes the tags from `current` to `wanted` with as few calls as the difference needs. */
  public async syncTags(arn: string, current: Record<string, string>, wanted: Record<string, string>): Promise<void> {
    const { stale, changed } = tagChanges(current, wanted);
    if (stale.length > 0) {
      await this.send('UntagResource', (abortSignal) => this.api.untagKey(arn, stale, abortSignal));
    }
    if (Object.keys(changed).length > 0) {
      await this.send('TagResource', (abortSignal) => this.api.tagKey(arn, changed, abortSignal));
    }
  }

  private async send<T extends Sendable>(
    operation: string,
    call: (abortSignal?: AbortSignal) => Promise<T>,
  ): Promise<T> {
    this.calls.push(operation);
    try {
      const output = await beforeDeadline(call(this.deadline?.signal), this.deadline?.signal);
      this.countRetries(output);
      return output;
    } catch (error) {
      if (this.deadline?.signal.aborted) throw new IvsDeadlineError(operation, this.deadline.afterMs);
      this.countRetries(error as Sendable);
      throw quoteService(operation, error);
    }
  }

  private countRetries(response: Sendable | undefined): void {
    this.retries += Math.max(0, (response?.$metadata?.attempts ?? 1) - 1);
  }
}

/** IVS allows 50 tags per key (of either kind), and refuses a TagResource that would make more. */
export const MAX_TAGS_PER_KEY_PAIR = 50;

/**
 * The tag keys to remove and the tags to write to go from `current` to `wanted`. Keys under aws:
 * belong to AWS and cannot be removed by us. An event marker stays until a later one replaces it,
 * except when `wanted` leaves it out for room (49 user tags) and keeping it would make more tags
 * than IVS allows: then it goes, and the events go through unguarded, as they would after a Create
 * with 49.
 */
export function tagChanges(
  current: Record<string, string>,
  wanted: Record<string, string>,
): { stale: string[]; changed: Record<string, string> } {
  const stale = Object.keys(current).filter(
    (key) => !Object.hasOwn(wanted, key) && !/^aws:/i.test(key) && key !== EVENT_MARKER_TAG_KEY,
  );
  const changed = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => current[key] !== value));
  const kept = Object.keys(current).filter((key) => !stale.includes(key) && !Object.hasOwn(changed, key));
  const marker = Object.hasOwn(current, EVENT_MARKER_TAG_KEY) && !Object.hasOwn(wanted, EVENT_MARKER_TAG_KEY);
  if (marker && kept.length + Object.keys(changed).length > MAX_TAGS_PER_KEY_PAIR) stale.push(EVENT_MARKER_TAG_KEY);
  return { stale, changed };
}

/** IVS answered with a 4xx error: it did not do what was asked. */
function refusedByIvs(error: unknown): boolean {
  const status = (error as Sendable | undefined)?.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500;
}

function asKey(key: Partial<IvsKey> | undefined): IvsKey {
  return { arn: key?.arn ?? '', name: key?.name ?? '', fingerprint: key?.fingerprint ?? '', tags: key?.tags ?? {} };
}

/** The SDK leaves `message` as "UnknownError" and puts the service's words in `exceptionMessage`. */
function quoteService(operation: string, error: unknown): unknown {
  if (error instanceof Error) {
    const serviceMessage = (error as { exceptionMessage?: string }).exceptionMessage;
    const detail = serviceMessage ?? (error.message === 'UnknownError' ? undefined : error.message);
    error.message = `IVS ${operation} failed with ${error.name}${detail ? `: ${detail}` : ''}`;
  }
  return error;
}
