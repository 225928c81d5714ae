/**
 * A proxy in front of moto's Secrets Manager server (moto-server.ts) that can make the next call of
 * an operation fail or go unanswered, as Secrets Manager and the network sometimes do; everything
 * else passes through unchanged. Operations are told apart by the JSON 1.1 protocol's
 * `X-Amz-Target: secretsmanager.<Operation>` header.
 */
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What a held or failed call looked like. */
export interface SecretsManagerCall {
  readonly operation: string;
  /** The request body, parsed. */
  readonly input: Record<string, unknown>;
}

type Fault = { kind: 'fail'; errorType: string } | { kind: 'hang' } | { kind: 'commitThenHang' };

export class SecretsManagerFaults {
  /** Starts a proxy to `upstream` (moto's endpoint) on 127.0.0.1 and a free port. */
  static async start(upstream: string): Promise<SecretsManagerFaults> {
    const faults = new SecretsManagerFaults(new URL(upstream));
    await new Promise<void>((resolve) => faults.server.listen(0, '127.0.0.1', resolve));
    return faults;
  }

  /** Every operation that reached the proxy, in order. */
  readonly calls: string[] = [];

  private readonly server: Server;
  private readonly pending = new Map<string, Fault[]>();
  private readonly waiters: { operation: string; resolve: (call: SecretsManagerCall) => void }[] = [];

  private constructor(private readonly upstream: URL) {
    this.server = createServer((req, res) => void this.serve(req, res).catch(() => res.destroy()));
  }

  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Answers the next call of `operation` with an error of `errorType` (400, so that the SDK does not
   * retry it; `InternalServiceError` is 500), without passing it on.
   */
  failNext(operation: string, errorType = 'InvalidRequestException'): void {
    this.queue(operation, { kind: 'fail', errorType });
  }

  /** Never answers the next call of `operation`, and never passes it on. */
  hangNext(operation: string): void {
    this.queue(operation, { kind: 'hang' });
  }

  /** Passes the next call of `operation` on to Secrets Manager but never answers it: done, unheard. */
  commitThenHangNext(operation: string): void {
    this.queue(operation, { kind: 'commitThenHang' });
  }

  /** Resolves with the next call of `operation` the proxy holds without an answer. */
  nextUnansweredCall(operation: string): Promise<SecretsManagerCall> {
    return new Promise((resolve) => this.waiters.push({ operation, resolve }));
  }

  /** Stops listening and drops held connections. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private queue(operation: string, fault: Fault): void {
    this.pending.set(operation, [...(this.pending.get(operation) ?? []), fault]);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    this.calls.push(operation);
    const fault = this.pending.get(operation)?.shift();
    if (fault?.kind === 'fail') {
      const status = fault.errorType === 'InternalServiceError' ? 500 : 400;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: fault.errorType, message: `Injected ${fault.errorType} for ${operation}` }));
      return;
    }
    if (fault?.kind === 'commitThenHang') await this.forward(req, body);
    if (fault) return this.held(operation, body);
    const answer = await this.forward(req, body);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private held(operation: string, body: Buffer): void {
    const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    const index = this.waiters.findIndex((waiter) => waiter.operation === operation);
    if (index >= 0) this.waiters.splice(index, 1)[0].resolve({ operation, input });
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        {
          hostname: this.upstream.hostname,
          port: this.upstream.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: this.upstream.host },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () =>
            resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
          );
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
