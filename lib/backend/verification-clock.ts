/**
 * The time options every token verification takes (`currentDate`, `clockToleranceSeconds`), checked so that
 * they fail closed: an option that is not what it says (NaN, "30s", an invalid Date) throws rather than
 * disabling the time checks it feeds. Shared by the playback and the participant verifications, each with its
 * own error class.
 */
import { describeValue } from './claim-checks';
import type { JwtClock } from './es384-jwt';

/** The time options of a verification, as its caller passed them (not yet checked). */
export interface VerificationTimeOptions {
  readonly currentDate?: Date;
  readonly clockToleranceSeconds?: number;
}

/**
 * The clock of a verification, from its options.
 *
 * @param caller - the function verifying, e.g. `verifyPlaybackToken`, for the messages
 * @param makeError - the caller's error
 * @internal
 */
export function verificationClock(options: unknown, caller: string, makeError: (message: string) => Error): JwtClock {
  const subject = `${caller}'s option`;
  if (typeof options !== 'object' || options === null) {
    throw makeError(
      `${caller}'s options must be an object such as { clockToleranceSeconds: 30 }; got ${describeValue(options)}`,
    );
  }
  const { currentDate = new Date(), clockToleranceSeconds = 0 } = options as VerificationTimeOptions;
  if (!(currentDate instanceof Date) || Number.isNaN(currentDate.getTime())) {
    throw makeError(`${subject} currentDate must be a valid Date (default: now); got ${describeValue(currentDate)}`);
  }
  if (
    typeof clockToleranceSeconds !== 'number' ||
    !Number.isFinite(clockToleranceSeconds) ||
    clockToleranceSeconds < 0
  ) {
    throw makeError(
      `${subject} clockToleranceSeconds must be a finite number of seconds, 0 or more (default 0); ` +
        `got ${describeValue(clockToleranceSeconds)}`,
    );
  }
  return { now: Math.floor(currentDate.getTime() / 1000), toleranceSeconds: clockToleranceSeconds };
}
