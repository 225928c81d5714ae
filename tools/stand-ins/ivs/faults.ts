/**
 * The faults a test can script for one IVS API, per operation: throttles, a sliding-window rate limit, one-off
 * errors, calls that are never answered (before or after the change is committed) and answers held back.
 */
import { errorTypeForStatus, IvsError, IvsErrorType } from './wire';

/** One TPS for every operation, or a TPS per operation (operations left out are not limited). */
export type RateLimitOf<Op extends string> = number | Partial<Record<Op, number>>;

const RATE_WINDOW_MS = 1000;

export class FaultPlan<Op extends string> {
  private throttleBudgets: { remaining: number; operation?: Op }[] = [];
  private readonly pendingFailures = new Map<Op, IvsErrorType[]>();
  private readonly pendingHangs = new Set<Op>();
  private readonly pendingCommitHangs = new Set<Op>();
  private rateLimits: Partial<Record<Op, number>> = {};
  private readonly acceptedAt = new Map<Op, number[]>();
  private readonly heldAnswers: { operation: Op; release: Promise<unknown> }[] = [];

  constructor(
    private readonly defaultRateLimits: Readonly<Record<Op, number>>,
    private readonly clock: () => number,
  ) {}

  throttleFirst(count: number, operation?: Op): void {
    this.throttleBudgets.push({ remaining: count, operation });
  }

  setRateLimit(limit: RateLimitOf<Op> = this.defaultRateLimits): void {
    if (typeof limit === 'number') {
      const operations = Object.keys(this.defaultRateLimits) as Op[];
      this.rateLimits = Object.fromEntries(operations.map((operation) => [operation, limit])) as Record<Op, number>;
    } else {
      this.rateLimits = { ...limit };
    }
  }

  failNext(operation: Op, statusOrType: number | IvsErrorType): void {
    const errorType = typeof statusOrType === 'string' ? statusOrType : errorTypeForStatus(statusOrType);
    this.pendingFailures.set(operation, [...(this.pendingFailures.get(operation) ?? []), errorType]);
  }

  hangNext(operation: Op): void {
    this.pendingHangs.add(operation);
  }

  commitThenHangNext(operation: Op): void {
    this.pendingCommitHangs.add(operation);
  }

  holdAnswer(operation: Op, release: Promise<unknown>): void {
    this.heldAnswers.push({ operation, release });
  }

  /** Whether this call of `operation` is to be held without any answer (and without being carried out). */
  takeHang(operation: Op): boolean {
    return this.pendingHangs.delete(operation);
  }

  /** Whether this call, already carried out, is to be held without an answer. */
  takeCommitHang(operation: Op): boolean {
    return this.pendingCommitHangs.delete(operation);
  }

  /** Throws the error this call gets. Order: scripted throttles, then the rate window, then one-off failures. */
  inject(operation: Op): void {
    const budget = this.throttleBudgets.find((b) => b.remaining > 0 && (!b.operation || b.operation === operation));
    if (budget) {
      budget.remaining--;
      throw new IvsError('ThrottlingException', 'Rate exceeded');
    }
    this.enforceRateLimit(operation);
    const failure = this.pendingFailures.get(operation)?.shift();
    if (failure) throw new IvsError(failure, `Injected ${failure} for ${operation}`);
  }

  /** Waits for the release of a held answer of `operation`, if one is held. */
  async heldAnswer(operation: Op): Promise<void> {
    const hold = this.heldAnswers.findIndex((h) => h.operation === operation);
    if (hold >= 0) await this.heldAnswers.splice(hold, 1)[0].release.catch(() => undefined);
  }

  private enforceRateLimit(operation: Op): void {
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
}
