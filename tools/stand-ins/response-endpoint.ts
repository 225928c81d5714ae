/**
 * A local stand-in for CloudFormation's presigned ResponseURL: a plain-HTTP server on 127.0.0.1
 * that records every PUT a handler sends, can refuse the next ones, and checks each event's
 * answer against CloudFormation's response contract.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** The presigned part of every ResponseURL handed out; it must never appear in a log line. */
export const PRESIGNED_QUERY =
  '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDCFN&X-Amz-Signature=secret-presigned';

/** CloudFormation's limit on the response body. */
export const MAX_RESPONSE_BYTES = 4096;

/** One request that reached the endpoint. */
export interface ReceivedResponse {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The status the endpoint answered with (500 for an injected failure). */
  readonly status: number;
}

/** A response body as CloudFormation reads it. */
export interface ResponseBody {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The presigned-URL endpoint: one per test file or process, told apart per event by RequestId. */
export class ResponseEndpoint {
  /** Starts listening on 127.0.0.1 and a free port. */
  static async start(): Promise<ResponseEndpoint> {
    const endpoint = new ResponseEndpoint();
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    // Never what keeps a test process alive.
    endpoint.server.unref();
    return endpoint;
  }

  private readonly server: Server;
  private readonly received = new Map<string, ReceivedResponse[]>();
  private failuresLeft = 0;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const status = this.failuresLeft > 0 ? 500 : 200;
        if (status !== 200) this.failuresLeft--;
        const id = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
        const response = {
          method: req.method ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
        };
        this.received.set(id, [...(this.received.get(id) ?? []), response]);
        res.writeHead(status, { connection: 'close' }).end();
      });
    });
  }

  /** A ResponseURL for one event, told apart from the others by `requestId`. */
  url(requestId: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${encodeURIComponent(requestId)}${PRESIGNED_QUERY}`;
  }

  /** Answers the next `count` PUTs with 500, as S3 does now and then. */
  failNext(count: number): void {
    this.failuresLeft += count;
  }

  /** Accepts every PUT from now on. */
  stopFailing(): void {
    this.failuresLeft = 0;
  }

  /** Every request received for `requestId`, refused ones included. */
  responsesFor(requestId: string): ReceivedResponse[] {
    return this.received.get(requestId) ?? [];
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

/**
 * Checks the answers one event got against CloudFormation's contract and returns the body
 * CloudFormation would act on: exactly one accepted PUT (refused ones may precede it, all with the
 * same body), an empty content type, at most 4096 bytes, every field, a Reason when FAILED, and
 * for an Update or Delete the physical id CloudFormation sent.
 */
export function acceptedResponse(event: CloudFormationCustomResourceEvent, received: ReceivedResponse[]): ResponseBody {
  const accepted = received.filter((response) => response.status === 200);
  if (accepted.length !== 1) {
    throw contractViolation(`expected exactly one accepted response to ${event.RequestType}, got ${accepted.length}`);
  }
  if (accepted[0] !== received.at(-1))
    throw contractViolation('the handler sent more after CloudFormation accepted its answer');
  for (const { method, headers, body } of received) {
    if (method !== 'PUT') throw contractViolation(`method ${method}, not PUT`);
    if (headers['content-type'] !== '')
      throw contractViolation(`content-type ${JSON.stringify(headers['content-type'])}, not ""`);
    if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES)
      throw contractViolation(`body of ${Buffer.byteLength(body)} bytes`);
    if (Number(headers['content-length']) !== Buffer.byteLength(body))
      throw contractViolation('content-length does not match the body');
    if (body !== accepted[0].body) throw contractViolation('a retried PUT changed the body');
  }
  const answer = JSON.parse(accepted[0].body) as ResponseBody;
  checkFields(event, answer);
  return answer;
}

function checkFields(event: CloudFormationCustomResourceEvent, answer: ResponseBody): void {
  if (answer.Status !== 'SUCCESS' && answer.Status !== 'FAILED') throw contractViolation(`Status ${answer.Status}`);
  for (const field of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (answer[field] !== event[field]) throw contractViolation(`${field} ${answer[field]}, not ${event[field]}`);
  }
  if (
    typeof answer.PhysicalResourceId !== 'string' ||
    answer.PhysicalResourceId === '' ||
    answer.PhysicalResourceId.length > 1024
  ) {
    throw contractViolation(
      `${answer.Status} without a usable PhysicalResourceId (${JSON.stringify(answer.PhysicalResourceId)})`,
    );
  }
  if (answer.Status === 'FAILED' && !answer.Reason) throw contractViolation('FAILED without a Reason');
  if (
    answer.Status === 'FAILED' &&
    event.RequestType !== 'Create' &&
    answer.PhysicalResourceId !== event.PhysicalResourceId
  ) {
    throw contractViolation(`a failed ${event.RequestType} changed the physical id to ${answer.PhysicalResourceId}`);
  }
  if (answer.Data !== undefined && Object.values(answer.Data).some((value) => typeof value !== 'string')) {
    throw contractViolation('Data values must be strings');
  }
}

function contractViolation(message: string): Error {
  return new Error(`CloudFormation response contract violated: ${message}`);
}

/** A Lambda context whose deadline is `timeoutMs` from now, as the runtime passes it. */
export function lambdaContext(timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'IvsStack-IvsPlaybackKeyPairProviderHandler',
    awsRequestId: 'lambda-request',
    logGroupName: '/aws/lambda/IvsStack-IvsPlaybackKeyPairProviderHandler',
    logStreamName: '2026/11/30/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
