/**
 * moto's server (tools/python/.venv, installed on first use by `npm test` or `npm run setup`): a real
 * implementation of the Secrets Manager API on 127.0.0.1, for the tests of the handler's and the signer's Secrets
 * Manager calls.
 * Each server is its own process with its own state; `reset()` empties it between tests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

const MOTO_SERVER = path.join(__dirname, '..', '..', 'tools', 'python', '.venv', 'bin', 'moto_server');

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: the endpoint for AWS_ENDPOINT_URL_SECRETS_MANAGER or a client's `endpoint`. */
  readonly endpoint: string;
  /** Forgets every secret (moto's reset API). */
  reset(): Promise<void>;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** Starts moto's server on a free loopback port and waits until it answers. */
export async function startMotoServer(): Promise<MotoServer> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(
      `${MOTO_SERVER} is missing: run "npm run setup" (npm test runs it too), which installs tools/python/.venv.`,
    );
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  await waitUntilAnswering(endpoint, child, () => stderr);
  return {
    endpoint,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop: () => stop(child),
  };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error(`moto_server did not answer within 30 s: ${stderr()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
