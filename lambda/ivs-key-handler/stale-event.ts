/**
 * Late and repeated deliveries, judged from what the event itself carries (no storage).
 *
 * CloudFormation invokes the function asynchronously. Lambda retries a failed invocation (about 1
 * and 2 minutes later), keeps a throttled event queued, and may deliver one event twice. Three
 * guards, each for its own case:
 *
 * 1. Too old (this module, at the handler's entry, for every resource type): CloudFormation stopped
 *    waiting `ServiceTimeout` seconds after it sent the event. The ResponseURL says when that was
 *    (its signing time). Such an event changes nothing and gets no answer.
 * 2. Superseded (event-marker.ts, while the handler reads key pairs): a later event of the same
 *    resource already ran; it left its signing time on the key pairs it imported or re-tagged.
 * 3. Lambda itself (the function's EventInvokeConfig, set by the construct): drops an event older
 *    than the ServiceTimeout before any start, and retries an error at most twice.
 *
 * A guard that cannot decide (no signing time in the URL) lets the event through: the lifecycle
 * rules are safe for a repeat while CloudFormation still waits.
 */

/** CloudFormation's wait when the resource has no ServiceTimeout property. */
const DEFAULT_SERVICE_TIMEOUT_S = 3600;
/**
 * A SigV2 ResponseURL carries only its expiry; CloudFormation signs it for two hours (shared facts
 * sheet). Were the validity shorter, the guard would find events older than they are and drop
 * them early, which fails a deployment but loses nothing; were it longer, it would drop them late.
 */
const SIGV2_VALIDITY_MS = 2 * 60 * 60 * 1000;
/**
 * An event counts as too old this long before CloudFormation's own wait ends: X-Amz-Date is cut
 * to the second, Lambda's and CloudFormation's clocks (both on the Amazon Time Sync Service) differ
 * by far less, and an answer takes a second or more to land. Dropping an event in its last seconds
 * costs a failed deployment; acting on it can leave a key pair CloudFormation never hears of.
 */
export const STALE_MARGIN_MS = 5_000;
/** Lambda's first retry of a failed asynchronous invocation comes about a minute later. */
const FIRST_RETRY_DELAY_MS = 60_000;

/** When CloudFormation sent an event and until when it waits for the answer, as far as the event says. */
export interface EventClock {
  /** When CloudFormation signed the ResponseURL, in ms since the epoch; undefined when the URL does not say. */
  readonly signedAtMs?: number;
  /** When CloudFormation stops waiting for the answer, in ms since the epoch. */
  readonly answerDueMs?: number;
}

/** Reads the signing time (SigV4 `X-Amz-Date`, or SigV2 `Expires` minus its validity) and the ServiceTimeout. */
export function eventClock(event: {
  readonly ResponseURL?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}): EventClock {
  const signedAtMs = signingTime(event.ResponseURL);
  if (signedAtMs === undefined) return {};
  const timeout = Number(event.ResourceProperties?.ServiceTimeout);
  const timeoutS = Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_SERVICE_TIMEOUT_S;
  return { signedAtMs, answerDueMs: signedAtMs + timeoutS * 1000 };
}

/** Why CloudFormation no longer waits for this event, or undefined when it may. */
export function staleReason(clock: EventClock, nowMs: number): string | undefined {
  if (clock.answerDueMs === undefined || nowMs <= clock.answerDueMs - STALE_MARGIN_MS) return undefined;
  return (
    `ignored: CloudFormation sent this event ${Math.round((nowMs - clock.signedAtMs!) / 1000)} s ago and stopped ` +
    `waiting for its answer after ${Math.round((clock.answerDueMs - clock.signedAtMs!) / 1000)} s (its ServiceTimeout), ` +
    'so acting on it could only change what CloudFormation no longer tracks'
  );
}

/**
 * Whether Lambda's retry of this invocation (a minute later at the earliest) could still answer a
 * waiting CloudFormation: the only case worth throwing for. Unknown time: assume it could.
 */
export function retryCanStillAnswer(clock: EventClock, nowMs: number): boolean {
  return clock.answerDueMs === undefined || clock.answerDueMs - STALE_MARGIN_MS - nowMs > FIRST_RETRY_DELAY_MS;
}

/** The ms of the IVS work's deadline that CloudFormation's wait still allows, or Infinity. */
export function msUntilAnswerDue(clock: EventClock, nowMs: number): number {
  return clock.answerDueMs === undefined ? Infinity : Math.max(0, clock.answerDueMs - STALE_MARGIN_MS - nowMs);
}

/** The signing time of a presigned URL, in ms since the epoch. */
function signingTime(responseUrl: string | undefined): number | undefined {
  let query: URLSearchParams;
  try {
    query = new URL(responseUrl ?? '').searchParams;
  } catch {
    return undefined;
  }
  const amzDate = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
  if (amzDate) {
    const [year, month, day, hour, minute, second] = amzDate.slice(1).map(Number);
    return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  const expires = query.get('Expires') ?? '';
  return /^\d{9,11}$/.test(expires) ? Number(expires) * 1000 - SIGV2_VALIDITY_MS : undefined;
}
