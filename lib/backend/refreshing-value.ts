/**
 * A value read from somewhere slow and fallible (a key in Secrets Manager), held between reads and
 * read again after a refresh time, so that callers on the hot path never wait on the source once
 * a value is held. It knows nothing about what the value is or where it comes from: the token
 * signers pass a read function and the words for their messages.
 *
 *  - Every read is bounded: after `readTimeoutMs` it is abandoned (its AbortSignal fires) and counts
 *    as failed.
 *  - Once the held value is older than `refreshAfterMs`, a call starts a read in the background and
 *    returns the held value meanwhile; only one read runs at a time.
 *  - A failed read keeps the held value, up to `maxAgeMs` after it was read; past that, calls fail
 *    until a read succeeds, saying why.
 *  - After a failed read the next waits: between half and all of 1 s, then 2 s, 4 s, ... up to 30 s
 *    (the jitter spreads the reads of many processes), so that an outage or throttling sees a bounded
 *    number of reads, however many calls arrive.
 *  - Time is a monotonic clock (performance.now), which a wall-clock change cannot move; tests pass
 *    a clock of their own.
 */
import { performance } from 'node:perf_hooks';

/** The first wait after a failed read, and the longest: the wait doubles between them. */
export const READ_BACKOFF_MS = { first: 1000, max: 30_000 } as const;

/** Time and chance, as the refresh sees them: the system's, or a test's. */
export interface RefreshClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `callback` once `ms` milliseconds have passed on this clock. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer `setTimer` returned. */
  clearTimer(timer: unknown): void;
  /** A number from 0 (inclusive) to 1, for the jitter of the backoff. */
  random(): number;
}

/** The system's clock: performance.now, setTimeout, Math.random. */
export const systemClock: RefreshClock = {
  now: () => performance.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/** When to read again, how long to keep a value through failed reads, and how long one read may take. */
export interface RefreshTiming {
  readonly refreshAfterMs: number;
  readonly maxAgeMs: number;
  readonly readTimeoutMs: number;
}

/** The timing options a secret-backed signer takes, in seconds as its caller wrote them. */
export interface RefreshTimingOptions {
  readonly refreshAfterSeconds?: number;
  readonly maxKeyAgeSeconds?: number;
  readonly readTimeoutSeconds?: number;
}

export const DEFAULT_REFRESH_AFTER_SECONDS = 300;
/** The least default bound: an hour of failed reads is an outage a backend should hear about. */
export const DEFAULT_MAX_KEY_AGE_SECONDS = 3600;
export const DEFAULT_READ_TIMEOUT_SECONDS = 3;

/** How the value and its source are named in messages, and the error class they are thrown as. */
export interface RefreshWords {
  /** What is held, e.g. `key`. */
  readonly value: string;
  /** Where it is read from, e.g. `the secret "viewer-key"`. */
  readonly source: string;
  /** Makes the caller's error. */
  error(message: string, cause?: unknown): Error;
}

/** A value held and refreshed: {@link createRefreshingValue}. */
export interface RefreshingValue<T> {
  /** The held value, or (when there is none, or it is past its bound) a promise of the next read's. */
  current(): T | Promise<T>;
}

/**
 * Checks the timing options and fills in their defaults, in milliseconds.
 *
 * @throws the `error` of `words` for a value that is not a number in range
 */
export function refreshTiming(options: RefreshTimingOptions, error: RefreshWords['error']): RefreshTiming {
  const {
    refreshAfterSeconds = DEFAULT_REFRESH_AFTER_SECONDS,
    maxKeyAgeSeconds,
    readTimeoutSeconds = DEFAULT_READ_TIMEOUT_SECONDS,
  } = options;
  if (!isPositiveNumber(refreshAfterSeconds)) {
    throw error(
      `refreshAfterSeconds must be a number of seconds greater than 0 (default ${DEFAULT_REFRESH_AFTER_SECONDS}; ` +
        `keep it below the time between rotations); got ${describeNumber(refreshAfterSeconds)}`,
    );
  }
  const maxAgeSeconds = maxKeyAgeSeconds ?? Math.max(DEFAULT_MAX_KEY_AGE_SECONDS, 2 * refreshAfterSeconds);
  if (!isPositiveNumber(maxAgeSeconds) || maxAgeSeconds <= refreshAfterSeconds) {
    throw error(
      `maxKeyAgeSeconds must be a number of seconds greater than refreshAfterSeconds (${refreshAfterSeconds}) ` +
        `(default ${DEFAULT_MAX_KEY_AGE_SECONDS}, or twice refreshAfterSeconds when that is more); ` +
        `got ${describeNumber(maxKeyAgeSeconds)}`,
    );
  }
  if (!isPositiveNumber(readTimeoutSeconds)) {
    throw error(
      `readTimeoutSeconds must be a number of seconds greater than 0 (default ${DEFAULT_READ_TIMEOUT_SECONDS}); ` +
        `got ${describeNumber(readTimeoutSeconds)}`,
    );
  }
  return {
    refreshAfterMs: refreshAfterSeconds * 1000,
    maxAgeMs: maxAgeSeconds * 1000,
    readTimeoutMs: readTimeoutSeconds * 1000,
  };
}

/**
 * Holds what `read` returns and refreshes it as the module comment describes.
 *
 * @param read - one read; it should stop when its signal aborts (the refresh has given up on it by then)
 * @param onReadFailure - told of every failed read, the background ones included, with the error
 */
export function createRefreshingValue<T>(
  read: (signal: AbortSignal) => Promise<T>,
  timing: RefreshTiming,
  words: RefreshWords,
  clock: RefreshClock = systemClock,
  onReadFailure: (error: Error) => void = () => undefined,
): RefreshingValue<T> {
  let held: { value: T; readAt: number } | undefined;
  let reading: Promise<T> | undefined;
  let failedReads = 0;
  let lastFailure: Error | undefined;
  let nextReadAt = Number.NEGATIVE_INFINITY;

  const startRead = (): Promise<T> => {
    // Timed from the start of the read: the value is at least this old when it arrives.
    const startedAt = clock.now();
    const settled = boundedRead(read, timing.readTimeoutMs, words, clock).then(
      (value) => {
        held = { value, readAt: startedAt };
        failedReads = 0;
        lastFailure = undefined;
        nextReadAt = Number.NEGATIVE_INFINITY;
        return value;
      },
      (error: Error) => {
        failedReads++;
        lastFailure = error;
        nextReadAt = clock.now() + backoffMs(failedReads, clock.random());
        tell(onReadFailure, error);
        throw error;
      },
    );
    reading = settled.finally(() => {
      reading = undefined;
    });
    // A background read has no caller to reject: its failure is kept in lastFailure instead.
    reading.catch(() => undefined);
    return reading;
  };

  /** Why the held value is no longer used, when it is past its bound. */
  const pastBound = (now: number): string => {
    const age = Math.floor((now - held!.readAt) / 1000);
    return (
      `The ${words.value} read from ${words.source} ${age} s ago is older than maxKeyAgeSeconds ` +
      `(${timing.maxAgeMs / 1000}), and no read since has succeeded`
    );
  };
  const failedWhileWaiting = (error: Error): Error =>
    held ? words.error(`${pastBound(clock.now())}. The last read failed: ${error.message}`, error) : error;
  const backingOff = (now: number): Error => {
    const wait = `reads back off after failures, and the next starts in ${Math.ceil((nextReadAt - now) / 1000)} s`;
    const failed = `${failedReads} failed ${failedReads === 1 ? 'read' : 'reads in a row'}`;
    const situation = held ? `${pastBound(now)} (${failed})` : `No ${words.value} to sign with yet (${failed})`;
    return words.error(`${situation}; ${wait}. The last read failed: ${lastFailure!.message}`, lastFailure);
  };

  return {
    current: () => {
      const now = clock.now();
      const age = held ? now - held.readAt : Number.POSITIVE_INFINITY;
      if (age < timing.refreshAfterMs) {
        return held!.value;
      }
      if (age < timing.maxAgeMs) {
        if (!reading && now >= nextReadAt) {
          void startRead();
        }
        return held!.value;
      }
      // No value, or one past its bound: the caller waits for a read, if one may start.
      if (reading) {
        return reading.catch((error: Error) => Promise.reject(failedWhileWaiting(error)));
      }
      if (now < nextReadAt) {
        throw backingOff(now);
      }
      return startRead().catch((error: Error) => Promise.reject(failedWhileWaiting(error)));
    },
  };
}

/** One read, abandoned after `timeoutMs`: its signal aborts and the read fails with a timeout error. */
function boundedRead<T>(
  read: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  words: RefreshWords,
  clock: RefreshClock,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(() => {
      const timeout = words.error(
        `Reading ${words.source} timed out: no answer within readTimeoutSeconds (${timeoutMs / 1000})`,
      );
      reject(timeout);
      controller.abort(timeout);
    }, timeoutMs);
    read(controller.signal)
      .then(resolve, reject)
      .finally(() => clock.clearTimer(timer));
  });
}

/** The wait before the next read after `failedReads` failures in a row: half of the ceiling, plus up to as much again. */
function backoffMs(failedReads: number, random: number): number {
  const ceiling = Math.min(READ_BACKOFF_MS.max, READ_BACKOFF_MS.first * 2 ** (failedReads - 1));
  return ceiling / 2 + (random * ceiling) / 2;
}

/** Calls a listener the caller gave, never letting it break the refresh. */
function tell(listener: (error: Error) => void, error: Error): void {
  try {
    listener(error);
  } catch {
    // The listener's own failure is not the refresh's.
  }
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function describeNumber(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value;
}
