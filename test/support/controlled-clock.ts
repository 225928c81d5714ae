/**
 * A clock the test moves: `Date` and the timers (`setTimeout`, `setInterval`) of the test and of
 * the handler it runs stand still until the test advances them, so a test of a deadline or a
 * budget proves the schedule the code sets, however fast or loaded the machine is. Input and
 * output (the IVS stand-in, moto, the ResponseURL endpoint) run on the real event loop, which is
 * left alone (`nextTick`, `setImmediate`, `queueMicrotask`, `hrtime`, `performance`).
 *
 * Why not manual-clock.ts, the token signer's: the handler under test is the shipped bundle, which
 * reads the global `Date` and sets global timers and takes no clock, so only jest's fake timers can
 * move its time. The signer takes its clock as an argument (RefreshClock), so its tests keep every
 * global real, the SDK's own timers included, and count only the signer's timers.
 */
export interface ControlledClock {
  /** Moves the clock `ms` forward, firing each timer due on the way and letting its promises settle. */
  advance(ms: number): Promise<void>;
  /** Milliseconds since the clock was installed. */
  elapsed(): number;
}

/** Installs the clock for the rest of the test; `useRealTimers` (or the end of the test, see below) removes it. */
export function installControlledClock(): ControlledClock {
  const start = Date.now();
  jest.useFakeTimers({
    doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'],
    now: start,
  });
  return {
    advance: (ms) => jest.advanceTimersByTimeAsync(ms).then(() => undefined),
    elapsed: () => Date.now() - start,
  };
}

/** Restores the real clock after every test of the file that calls it. */
export function restoreRealClockAfterEach(): void {
  afterEach(() => {
    jest.useRealTimers();
  });
}

/** Whether a promise has settled yet, without waiting for it. */
export function watch<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/**
 * Settles `promise` while the code under test sleeps on the controlled clock: whenever a timer is
 * pending (a backoff), moves the clock to it; meanwhile the real event loop carries the I/O. Use it
 * only where no deadline timer is pending during I/O, or it would fire it early.
 */
export async function runSleepsOf<T>(promise: Promise<T>): Promise<T> {
  const watched = watch(promise);
  while (!watched.settled) {
    await new Promise((resolve) => setImmediate(resolve));
    if (jest.getTimerCount() > 0) await jest.advanceTimersToNextTimerAsync();
  }
  return promise;
}

/**
 * Moves the controlled clock a second at a time until `event` settles or `maxMs` passed: once a
 * stand-in holds a call unanswered, this walks the handler to its deadline (wherever the event's
 * signing time puts it) and lets its answer through.
 */
export async function outwait<T>(clock: ControlledClock, event: Promise<T>, maxMs = 300_000): Promise<T> {
  const watched = watch(event);
  for (let waited = 0; waited < maxMs && !watched.settled; waited += 1_000) await clock.advance(1_000);
  return event;
}
