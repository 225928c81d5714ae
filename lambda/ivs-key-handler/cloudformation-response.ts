import * as http from 'node:http';
import * as https from 'node:https';

/** The body CloudFormation expects at the presigned ResponseURL, FAILED included. */
export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** CloudFormation refuses a response body larger than this. */
export const MAX_RESPONSE_BYTES = 4096;

/** Attempts at the PUT; the URL stays valid for hours, so only the Lambda deadline limits them. */
export const MAX_ATTEMPTS = 6;
/** Backoff before attempt n+1 is FIRST_BACKOFF_MS * 2^(n-1): 0.5 + 1 + 2 + 4 + 8 = 15.5 s at most. */
const FIRST_BACKOFF_MS = 500;
/** One PUT of 4 KB to S3 takes milliseconds; more means the connection is stuck. */
export const ATTEMPT_TIMEOUT_MS = 5_000;
/** Time kept back from the Lambda deadline, so the function never dies in the middle of a PUT. */
const SAFETY_MS = 250;

/**
 * The most one `sendResponse` can take: every attempt timing out, every backoff slept.
 * 6 * 5 s + 15.5 s = 45.5 s. The handler keeps this much of its Lambda time for the answer.
 */
export const RESPONSE_TIME_BUDGET_MS =
  MAX_ATTEMPTS * ATTEMPT_TIMEOUT_MS + FIRST_BACKOFF_MS * (2 ** (MAX_ATTEMPTS - 1) - 1);

/** What the caller learns of a failed attempt: never the URL (it is a credential). */
export type OnFailedAttempt = (attempt: number, error: Error) => void;

/** Waits between attempts; replaceable so that a test can add up the backoff without sleeping. */
export type Sleep = (ms: number) => Promise<void>;

const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The JSON body, at most 4096 bytes: the Reason is cut (marked as cut) when the whole would be
 * larger. Everything else is short and fixed in size.
 */
export function responseBody(response: CloudFormationResponse): string {
  const full = JSON.stringify(response);
  if (Buffer.byteLength(full) <= MAX_RESPONSE_BYTES || response.Reason === undefined) return full;
  const characters = [...response.Reason];
  const withReason = (count: number) =>
    JSON.stringify({ ...response, Reason: `${characters.slice(0, count).join('')} [truncated]` });
  // The longest prefix that fits; JSON escaping makes the size of a prefix non-linear, so search.
  let [low, high] = [0, characters.length];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(withReason(middle)) <= MAX_RESPONSE_BYTES) low = middle;
    else high = middle - 1;
  }
  return withReason(low);
}

/**
 * PUTs the response to CloudFormation's presigned URL, retrying with exponential backoff while
 * the Lambda has time left. Returns the number of attempts; throws when none succeeded.
 *
 * `content-type` is empty because the URL's signature covers no content type (as aws-cdk's
 * nodejs-entrypoint sends it). http: URLs are honoured as well as https: (only tests use them).
 */
export async function sendResponse(
  responseUrl: string,
  response: CloudFormationResponse,
  remainingMs: () => number,
  onFailedAttempt: OnFailedAttempt = () => undefined,
  wait: Sleep = sleep,
): Promise<number> {
  const url = new URL(responseUrl);
  const body = responseBody(response);
  let lastError: Error = new Error('no time left to send the response');
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const timeoutMs = Math.min(ATTEMPT_TIMEOUT_MS, remainingMs() - SAFETY_MS);
    if (timeoutMs <= 0) break;
    try {
      await put(url, body, timeoutMs);
      return attempt;
    } catch (error) {
      lastError = error as Error;
      onFailedAttempt(attempt, lastError);
    }
    // No backoff after the last attempt: nothing follows it.
    const backoffMs = FIRST_BACKOFF_MS * 2 ** (attempt - 1);
    if (attempt === MAX_ATTEMPTS || remainingMs() - SAFETY_MS - backoffMs <= 0) break;
    await wait(backoffMs);
  }
  throw new Error(`Could not send the response to CloudFormation: ${lastError.message}`);
}

/** One PUT; resolves on a 2xx answer. Error messages name the failure, never the URL. */
function put(url: URL, body: string, timeoutMs: number): Promise<void> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.reject(new Error(`unsupported ResponseURL protocol ${url.protocol}`));
  }
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      {
        hostname: url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => {
          const status = answer.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`HTTP ${status}`));
        });
        answer.on('error', (error) => reject(safeError(error)));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => reject(safeError(error)));
    request.end(body);
  });
}

/** Node's socket errors name host and port at most, but keep only the code to be sure. */
function safeError(error: Error & { code?: string }): Error {
  return new Error(error.code ?? error.message.replace(/https?:\/\/\S+/g, '<url>'));
}
