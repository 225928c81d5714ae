/**
 * moto's server (tools/python/.venv, installed on first use by `npm test` or `npm run setup`): a real
 * implementation of the Secrets Manager API on 127.0.0.1, for the tests of the handler's and the signer's Secrets
 * Manager calls.
 * Each server is its own process with its own state; `reset()` empties it between tests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** Starts moto's server on a loopback port of its own and waits until it answers. */
export async function startMotoServer(): Promise<MotoServer> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(
      `${MOTO_SERVER} is missing: run "npm run setup" (npm test runs it too), which installs tools/python/.venv.`,
    );
  }
  // Port 0: the server binds a port the kernel picks and prints it. Choosing a free port first and passing it
  // raced with the other test workers, which could take the port in between (moto then exits "Address in use").
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = await waitUntilAnswering(child, () => stderr);
  return {
    endpoint,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop: () => stop(child),
  };
}

/** The endpoint moto prints once it listens (werkzeug: ` * Running on http://127.0.0.1:<port>`), when it answers there. */
async function waitUntilAnswering(child: ChildProcess, stderr: () => string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    const endpoint = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr())?.[1];
    try {
      if (endpoint && (await fetch(`${endpoint}/moto-api/`)).status < 500) return endpoint;
    } catch {
      // not answering yet
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
