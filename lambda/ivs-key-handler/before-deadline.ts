/**
 * Stops waiting for an AWS SDK call at the deadline, whatever the SDK is doing: it aborts the
 * request in flight, but not a retry's backoff sleep (up to 20 s). Shared by the IVS and the
 * Secrets Manager sessions. Without a signal, the call itself.
 */
export function beforeDeadline<T>(call: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return call;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  return Promise.race([call, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
