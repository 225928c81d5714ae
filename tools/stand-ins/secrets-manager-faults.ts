/**
 * Secrets Manager misbehaving, for the tests and the bench: a proxy on 127.0.0.1 in front of moto's
 * server (moto-server.ts) with two kinds of fault, and a bare TCP server that never answers at all.
 * - One-off faults, for a client the test drives call by call (the handler's generated-key tests): the
 *   next call of an operation fails, goes unanswered, or is carried out and then goes unanswered.
 * - A standing mode, for a client the test does not drive (the token signer, in a test, a child
 *   process or the bench): every call is passed on, stalled (held, never answered) or throttled
 *   (Secrets Manager's ThrottlingException), switched while it runs or from the n-th read on.
 * Operations are told apart by the JSON 1.1 protocol's `X-Amz-Target: secretsmanager.<Operation>`
 * header; a one-off fault queued for an operation wins over the mode.
 */
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Socket } from 'node:net';

/** What the proxy does with every call that no one-off fault is queued for. */
export type SecretsManagerMode = 'pass' | 'stall' | 'throttle';

/** What a held call looked like. */
export interface SecretsManagerCall {
  readonly operation: string;
  /** The request body, parsed. */
  readonly input: Record<string, unknown>;
}

type Fault =
  | { kind: 'pass' }
  | { kind: 'fail'; errorType: string; message: string }
  | { kind: 'hang' }
  | { kind: 'commitThenHang' };

const THROTTLE: Fault = { kind: 'fail', errorType: 'ThrottlingException', message: 'Rate exceeded' };
const STANDING: Record<SecretsManagerMode, Fault> = {
  pass: { kind: 'pass' },
  stall: { kind: 'hang' },
  throttle: THROTTLE,
};

export class SecretsManagerFaults {
  /** Starts a proxy to `upstream` (moto's endpoint) on 127.0.0.1 and a free port. */
  static async start(upstream: string): Promise<SecretsManagerFaults> {
    const faults = new SecretsManagerFaults(new URL(upstream));
    await new Promise<void>((resolve) => faults.server.listen(0, '127.0.0.1', resolve));
    return faults;
  }

  /** Every operation that reached the proxy, in order. */
  readonly calls: string[] = [];
  /** What happens to the calls from now on that no one-off fault is queued for. */
  mode: SecretsManagerMode = 'pass';

  private readonly server: Server;
  private readonly oneOff = new Map<string, Fault[]>();
  private readonly held = new Set<ServerResponse>();
  private readonly heldWaiters: { operation: string; resolve: (call: SecretsManagerCall) => void }[] = [];
  private readonly readWaiters: { count: number; resolve: () => void }[] = [];
  private readCount = 0;
  private scheduled: { read: number; mode: SecretsManagerMode } | undefined;

  private constructor(private readonly upstream: URL) {
    this.server = createServer((req, res) => void this.serve(req, res).catch(() => res.destroy()));
  }

  /** `http://127.0.0.1:PORT`, for a client's `endpoint` or AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** GetSecretValue calls received so far, whatever became of them. */
  get reads(): number {
    return this.readCount;
  }

  /** Calls held unanswered right now (their clients have not given up). */
  get unanswered(): number {
    return this.held.size;
  }

  /** Switches to `mode` when the `read`-th GetSecretValue call arrives (1 for the first), which gets it too. */
  modeFromRead(read: number, mode: SecretsManagerMode): void {
    this.scheduled = { read, mode };
  }

  /**
   * Answers the next call of `operation` with an error of `errorType` (400, so that the SDK does not
   * retry it; `InternalServiceError` is 500), without passing it on.
   */
  failNext(operation: string, errorType = 'InvalidRequestException'): void {
    this.queue(operation, { kind: 'fail', errorType, message: `Injected ${errorType} for ${operation}` });
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
    return new Promise((resolve) => this.heldWaiters.push({ operation, resolve }));
  }

  /** Resolves when the proxy has received `count` GetSecretValue calls in all. */
  readsReach(count: number): Promise<void> {
    if (this.readCount >= count) return Promise.resolve();
    return new Promise((resolve) => this.readWaiters.push({ count, resolve }));
  }

  /** Drops the connections of the calls held unanswered, as a network that gives up would. */
  dropUnanswered(): void {
    for (const response of this.held) response.socket?.destroy();
  }

  /** Stops listening and drops every connection, held ones included. */
  async close(): Promise<void> {
    for (const response of this.held) response.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private queue(operation: string, fault: Fault): void {
    this.oneOff.set(operation, [...(this.oneOff.get(operation) ?? []), fault]);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    this.calls.push(operation);
    if (operation === 'GetSecretValue') this.countRead();
    const fault = this.oneOff.get(operation)?.shift() ?? STANDING[this.mode];
    // Held from arrival: a client that gives up while its body is still coming is no longer unanswered.
    if (fault.kind === 'hang' || fault.kind === 'commitThenHang') this.hold(res);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    switch (fault.kind) {
      case 'fail':
        return answerError(res, fault.errorType, fault.message);
      case 'hang':
        return this.heard(operation, body);
      case 'commitThenHang':
        await this.forward(req, body).catch(() => undefined);
        return this.heard(operation, body);
      case 'pass':
        return this.forward(req, body).then(
          (answer) => {
            res.writeHead(answer.status, answer.headers);
            res.end(answer.body);
          },
          (error: Error) => {
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end(`moto did not answer: ${error.message}`);
          },
        );
    }
  }

  /** Counts a GetSecretValue call: the scheduled mode switch, and the tests waiting for this many. */
  private countRead(): void {
    this.readCount++;
    if (this.scheduled && this.readCount >= this.scheduled.read) {
      this.mode = this.scheduled.mode;
      this.scheduled = undefined;
    }
    for (const waiter of this.readWaiters.filter((entry) => this.readCount >= entry.count)) {
      this.readWaiters.splice(this.readWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  private hold(res: ServerResponse): void {
    this.held.add(res);
    res.once('close', () => this.held.delete(res));
  }

  /** Tells the first test waiting for a held call of `operation` what it was. */
  private heard(operation: string, body: Buffer): void {
    const index = this.heldWaiters.findIndex((waiter) => waiter.operation === operation);
    if (index < 0) return;
    const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    this.heldWaiters.splice(index, 1)[0].resolve({ operation, input });
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

/** A Secrets Manager error in its JSON 1.1 shape: 500 for `InternalServiceError`, else 400. */
function answerError(res: ServerResponse, errorType: string, message: string): void {
  res.writeHead(errorType === 'InternalServiceError' ? 500 : 400, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
  });
  res.end(JSON.stringify({ __type: errorType, message }));
}

/** A TCP server that accepts every connection and never sends a byte: a network path that has gone silent. */
export interface SilentEndpoint {
  /** `http://127.0.0.1:<port>`, for a client's `endpoint`. */
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Resolves when the server has accepted `count` connections in all. */
  connectionsReach(count: number): Promise<void>;
  /** Closes the server and every connection it holds. */
  close(): Promise<void>;
}

export async function startSilentEndpoint(): Promise<SilentEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get connections() {
      return connections;
    },
    connectionsReach: (count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (connections < count) return;
          server.off('connection', check);
          resolve();
        };
        // Listeners run in order: this one after the counting one above.
        server.on('connection', check);
        check();
      }),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
