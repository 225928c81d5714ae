/**
 * Secrets Manager misbehaving, for the tests and the bench of the token signer: an endpoint on
 * 127.0.0.1 that passes requests on to moto's server, or holds them and never answers (a stall),
 * or answers every read with Secrets Manager's throttling error; switched while it runs. Also a
 * bare TCP server that accepts connections and never answers at all.
 */
import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';

/** What the endpoint does with each request: pass it on to moto, hold it unanswered, or throttle it. */
export type SecretsManagerFault = 'none' | 'stall' | 'throttle';

/** The JSON 1.1 target header of a GetSecretValue call. */
const GET_SECRET_VALUE = 'secretsmanager.GetSecretValue';

/** A Secrets Manager endpoint in front of moto's, with faults switched on and off by `fault`. */
export interface FaultySecretsManager {
  /** `http://127.0.0.1:<port>`, for a client's `endpoint`. */
  readonly endpoint: string;
  /** What happens to the requests from now on. */
  fault: SecretsManagerFault;
  /** Switches to `fault` when the `read`-th GetSecretValue request arrives (1 for the first), for a client the test does not drive. */
  faultFromRead(read: number, fault: SecretsManagerFault): void;
  /** GetSecretValue requests received so far, whatever became of them. */
  readonly reads: number;
  /** Requests held unanswered right now (their clients have not given up). */
  readonly stalled: number;
  /** Drops the connections of the requests held unanswered, as a network that gives up would. */
  dropStalled(): void;
  /** Resolves when the endpoint has received `count` GetSecretValue requests in all. */
  readsReach(count: number): Promise<void>;
  /** Closes the endpoint and every connection it holds. */
  close(): Promise<void>;
}

/** Starts a faulty Secrets Manager on a free loopback port, passing requests on to `motoEndpoint`. */
export async function startFaultySecretsManager(motoEndpoint: string): Promise<FaultySecretsManager> {
  let reads = 0;
  const held = new Set<ServerResponse>();
  const waiting: { count: number; resolve: () => void }[] = [];
  const state = { fault: 'none' as SecretsManagerFault };
  let scheduled: { read: number; fault: SecretsManagerFault } | undefined;

  const server = createServer((request, response) => {
    if (request.headers['x-amz-target'] === GET_SECRET_VALUE) {
      reads++;
      if (scheduled && reads >= scheduled.read) {
        state.fault = scheduled.fault;
        scheduled = undefined;
      }
      for (const waiter of waiting.filter((entry) => reads >= entry.count)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    if (state.fault === 'stall') {
      held.add(response);
      request.resume();
      response.once('close', () => held.delete(response));
    } else if (state.fault === 'throttle') {
      request.resume().once('end', () => throttle(response));
    } else {
      passOn(request, response, motoEndpoint);
    }
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    get fault() {
      return state.fault;
    },
    set fault(fault: SecretsManagerFault) {
      state.fault = fault;
    },
    faultFromRead: (read, fault) => {
      scheduled = { read, fault };
    },
    get reads() {
      return reads;
    },
    get stalled() {
      return held.size;
    },
    dropStalled: () => {
      for (const response of held) response.socket?.destroy();
    },
    readsReach: (count) =>
      reads >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve })),
    close: () => {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server that accepts every connection and never sends a byte: a network path that has gone silent. */
export interface SilentEndpoint {
  /** `http://127.0.0.1:<port>`, for a client's `endpoint`. */
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Closes the server and every connection it holds. */
  close(): Promise<void>;
}

export async function startSilentEndpoint(): Promise<SilentEndpoint> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
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
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Secrets Manager's throttling answer, in its JSON 1.1 error shape. */
function throttle(response: ServerResponse): void {
  response.writeHead(400, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
  });
  response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
}

function passOn(request: IncomingMessage, response: ServerResponse, target: string): void {
  const upstream = httpRequest(
    new URL(request.url ?? '/', target),
    { method: request.method, headers: request.headers },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    response.writeHead(502, { 'content-type': 'text/plain' });
    response.end(`moto did not answer: ${error.message}`);
  });
  request.pipe(upstream);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}
