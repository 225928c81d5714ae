import {
  ConflictException,
  DeletePlaybackKeyPairCommand,
  GetPlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  IvsClient,
  ListPlaybackKeyPairsCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ivs';
import { EVENT_MARKER_TAG_KEY } from '../../../lib/shared/contract';
import { beforeDeadline } from '../before-deadline';

/** A key pair as IVS describes it. */
export interface KeyPair {
  readonly arn: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly tags: Record<string, string>;
}

/** A key pair as ListPlaybackKeyPairs describes it: no fingerprint. */
export type KeyPairSummary = Omit<KeyPair, 'fingerprint'>;

/** What the key pair to import looks like. */
export interface KeyPairToImport {
  readonly publicKeyMaterial: string;
  readonly name: string;
  readonly tags: Record<string, string>;
}

interface Sendable {
  readonly $metadata?: { attempts?: number; httpStatusCode?: number };
}

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
 * The IVS calls of one lifecycle event, each counted for the event's log line.
 * Errors keep their SDK class (for `instanceof`) and get a message that quotes the service.
 */
export class IvsSession {
  /** The operations called, in order; a retried call counts once. */
  public readonly calls: string[] = [];
  /** How many extra attempts the SDK's retry policy made (throttling, 5xx). */
  public retries = 0;
  /** The ARN of a key pair an Import of this session created. */
  public importedArn?: string;
  /**
   * Whether an Import ended without IVS saying that it failed (no answer, the deadline, a 5xx), so
   * that it may have created a key pair all the same.
   */
  public importOutcomeUnknown = false;
  /** Whether an Import got 409: IVS holds the key, maybe as this resource's own key pair. */
  public importConflicted = false;
  /** Every key pair a List of this session returned. */
  public readonly listed: KeyPairSummary[] = [];
  /** Every key pair a Get of this session returned, by ARN. */
  public readonly fetched = new Map<string, KeyPair>();
  /** Sees every key pair a Get or List returns before the rules act on it; may throw to stop the event. */
  public onKeyPairSeen: (keyPair: KeyPairSummary) => void = () => undefined;

  constructor(
    private readonly client: IvsClient,
    private readonly deadline?: IvsDeadline,
  ) {}

  public async importKeyPair(keyPair: KeyPairToImport): Promise<KeyPair> {
    const { publicKeyMaterial, name, tags } = keyPair;
    try {
      const { keyPair: imported } = await this.send('ImportPlaybackKeyPair', (abortSignal) =>
        this.client.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial, name, tags }), { abortSignal }),
      );
      this.importedArn = imported?.arn;
      return asKeyPair(imported);
    } catch (error) {
      this.importOutcomeUnknown ||= !refusedByIvs(error);
      this.importConflicted ||= error instanceof ConflictException;
      throw error;
    }
  }

  /** Returns undefined when there is no such key pair. */
  public async getKeyPair(arn: string): Promise<KeyPair | undefined> {
    try {
      const { keyPair: described } = await this.send('GetPlaybackKeyPair', (abortSignal) =>
        this.client.send(new GetPlaybackKeyPairCommand({ arn }), { abortSignal }),
      );
      const keyPair = asKeyPair(described);
      this.fetched.set(arn, keyPair);
      this.onKeyPairSeen(keyPair);
      return keyPair;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  public async listKeyPairs(): Promise<KeyPairSummary[]> {
    const summaries: KeyPairSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send('ListPlaybackKeyPairs', (abortSignal) =>
        this.client.send(new ListPlaybackKeyPairsCommand({ nextToken }), { abortSignal }),
      );
      summaries.push(...(page.keyPairs ?? []).map((k) => ({ arn: k.arn!, name: k.name ?? '', tags: k.tags ?? {} })));
      nextToken = page.nextToken;
    } while (nextToken);
    this.listed.push(...summaries);
    summaries.forEach((summary) => this.onKeyPairSeen(summary));
    return summaries;
  }

  /** Returns false when the key pair was already gone. */
  public async deleteKeyPair(arn: string): Promise<boolean> {
    try {
      await this.send('DeletePlaybackKeyPair', (abortSignal) =>
        this.client.send(new DeletePlaybackKeyPairCommand({ arn }), { abortSignal }),
      );
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  /** Changes the tags from `current` to `wanted` with as few calls as the difference needs. */
  public async syncTags(arn: string, current: Record<string, string>, wanted: Record<string, string>): Promise<void> {
    const { stale, changed } = tagChanges(current, wanted);
    if (stale.length > 0) {
      await this.send('UntagResource', (abortSignal) =>
        this.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: stale }), { abortSignal }),
      );
    }
    if (Object.keys(changed).length > 0) {
      await this.send('TagResource', (abortSignal) =>
        this.client.send(new TagResourceCommand({ resourceArn: arn, tags: changed }), { abortSignal }),
      );
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

/** IVS allows 50 tags per key pair, and refuses a TagResource that would make more. */
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

function asKeyPair(
  keyPair: { arn?: string; name?: string; fingerprint?: string; tags?: Record<string, string> } | undefined,
): KeyPair {
  return {
    arn: keyPair?.arn ?? '',
    name: keyPair?.name ?? '',
    fingerprint: keyPair?.fingerprint ?? '',
    tags: keyPair?.tags ?? {},
  };
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
