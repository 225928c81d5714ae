/**
 * A clock the test moves: the token signer's refresh, backoff and read timeout run on it
 * (lib/backend/refreshing-value.ts's RefreshClock), so no test waits on real time or depends on how
 * fast the machine is.
 *
 * Why not controlled-clock.ts, the handler tests' (jest's fake `Date` and timers): the signer takes its
 * clock as an argument, so this one replaces nothing global. The SDK client's own timers and the
 * requests to moto stay on the real clock, `pendingTimers` counts the signer's timers alone, and
 * `random()` fixes the backoff's jitter, which no global fake would. The handler's bundle takes no
 * clock, which is why its tests fake the globals instead.
 */
import type { RefreshClock } from '../../lib/backend/refreshing-value';

export class ManualClock implements RefreshClock {
  private time = 1_000_000;
  private nextTimer = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  /** @param chance - what random() returns: the backoff's jitter, fixed (0 for the shortest waits). */
  constructor(private readonly chance = 0) {}

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): number {
    const id = this.nextTimer++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimer(timer: unknown): void {
    this.timers.delete(timer as number);
  }

  random(): number {
    return this.chance;
  }

  /** Timers set and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time on by `ms`, firing the timers that fall due, in order, each at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, timer]) => timer.at <= end).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.timers.delete(id);
      this.time = timer.at;
      timer.callback();
    }
    this.time = end;
  }

  /** Moves time on by `seconds`. */
  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }
}

/** Lets every promise callback that is ready run, and the I/O callbacks already queued. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
