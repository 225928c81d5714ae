/**
 * The token signer through a Secrets Manager outage (issue 21, items 11 and 12), on the Lambda runtime's
 * Node.js; called by scripts/bench.ts, which prints the returned table and adds the targets to its own.
 *
 * moto's Secrets Manager sits behind an endpoint (tools/stand-ins/secrets-manager-faults.ts) that
 * answers the signer's first read and then stalls every request (accepts it, never answers) or throttles
 * it (400 ThrottlingException). A child process (signer-outage-child.mjs) makes the signer with the
 * SDK's default client, lets its refresh fall due, and calls sign() 50 times a second for a fixed window:
 * tokens signed, sign() failures, calls still unanswered at the end, and the GetSecretValue requests the
 * endpoint received. A third run throttles a signer whose maxKeyAgeSeconds passes within the window: what
 * a backend sees when the bound passes.
 *
 * BENCH_OUTAGE_SECONDS sets the window (default 20). BENCH_SIGNER_BASELINE_ROOT names another build of
 * the package (e.g. an older checkout, built) to run beside this one, for before/after figures.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { generatePlaybackKeyPair } from '../../lib/backend/key-material';
import { DEFAULT_READ_TIMEOUT_SECONDS, READ_BACKOFF_MS } from '../../lib/backend/refreshing-value';
import { MotoServer, startMotoServer } from '../../tools/stand-ins/moto-server';
import { SecretsManagerFaults, SecretsManagerMode } from '../../tools/stand-ins/secrets-manager-faults';
import { childEnv, ms, ROOT, table } from './common';
import type { LambdaNode } from './lambda-node';

const CHILD = path.join(__dirname, 'signer-outage-child.mjs');
const CALLS_PER_SECOND = 50;
const REFRESH_AFTER_SECONDS = 1;
/** The bound the third run sets: it passes 9 s into the outage (the key is 1 s old when it starts). */
const SHORT_MAX_KEY_AGE_SECONDS = 10;
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

interface Scenario {
  readonly name: string;
  readonly fault: Exclude<SecretsManagerMode, 'pass'>;
  readonly options: Record<string, number>;
  /** Whether the baseline runs it too: options it does not know would change nothing. */
  readonly baseline: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'stalled (every read accepted, never answered)', fault: 'stall', options: {}, baseline: true },
  { name: 'throttled (400 ThrottlingException)', fault: 'throttle', options: {}, baseline: true },
  {
    name: `throttled, \`maxKeyAgeSeconds: ${SHORT_MAX_KEY_AGE_SECONDS}\` (the bound passes in the window)`,
    fault: 'throttle',
    options: { maxKeyAgeSeconds: SHORT_MAX_KEY_AGE_SECONDS },
    baseline: false,
  },
];

export interface OutageRun {
  readonly build: string;
  readonly scenario: string;
  readonly calls: number;
  readonly signed: number;
  readonly failed: number;
  readonly unanswered: number;
  /** GetSecretValue requests the endpoint received in the window (the first read, before it, left out). */
  readonly reads: number;
  /** The most reads this build's backoff allows in the window (none for the baseline). */
  readonly maxReads?: number;
  readonly p99Ms: number;
  readonly errors: Record<string, number>;
}

export interface SignerOutage {
  readonly report: string[];
  readonly targets: [string, string, boolean][];
  readonly figures: OutageRun[];
}

/**
 * The most reads the backoff lets start within `windowMs` when each read fails after `readMs`: every wait
 * at its shortest (half its ceiling), the reads as early as they may be.
 */
export function maxReadsWithin(windowMs: number, readMs: number): number {
  let reads = 0;
  for (let startsAt = 0; startsAt < windowMs; reads++) {
    const ceiling = Math.min(READ_BACKOFF_MS.max, READ_BACKOFF_MS.first * 2 ** reads);
    startsAt += readMs + ceiling / 2;
  }
  return reads;
}

export async function benchSignerOutage(node: LambdaNode): Promise<SignerOutage> {
  const windowSeconds = Number(process.env.BENCH_OUTAGE_SECONDS || 20);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
    throw new Error(`BENCH_OUTAGE_SECONDS must be a positive integer, got "${process.env.BENCH_OUTAGE_SECONDS}"`);
  }
  const baselineRoot = process.env.BENCH_SIGNER_BASELINE_ROOT;
  const builds: [string, string][] = [
    ['this build', ROOT],
    ...(baselineRoot
      ? [[`baseline (${path.basename(baselineRoot)})`, path.resolve(baselineRoot)] as [string, string]]
      : []),
  ];
  const moto = await startMotoServer();
  try {
    const secretId = await createSecret(moto);
    const runs: OutageRun[] = [];
    for (const scenario of SCENARIOS) {
      for (const [build, root] of builds) {
        if (root !== ROOT && !scenario.baseline) continue;
        runs.push(await runScenario(node, moto, secretId, scenario, build, root, windowSeconds * 1000));
      }
    }
    return report(runs, windowSeconds);
  } finally {
    await moto.stop();
  }
}

async function createSecret(moto: MotoServer): Promise<string> {
  // The bench may run on a Node.js the SDK warns about; its children run on the Lambda runtime's.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const admin = new SecretsManagerClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
  try {
    const { ARN } = await admin.send(
      new CreateSecretCommand({
        Name: 'bench-outage-key',
        SecretString: JSON.stringify({ ...generatePlaybackKeyPair(), generation: 1 }),
      }),
    );
    return ARN!;
  } finally {
    admin.destroy();
  }
}

async function runScenario(
  node: LambdaNode,
  moto: MotoServer,
  secretId: string,
  scenario: Scenario,
  build: string,
  root: string,
  windowMs: number,
): Promise<OutageRun> {
  const endpoint = await SecretsManagerFaults.start(moto.endpoint);
  endpoint.modeFromRead(2, scenario.fault);
  try {
    const tokensModule = ['tokens.mjs', 'tokens.js']
      .map((name) => path.join(root, 'lib', name))
      .find((file) => fs.existsSync(file))!;
    const output = await runChild(node, {
      TOKENS_MODULE: tokensModule,
      SECRET_ID: secretId,
      SIGNER_OPTIONS: JSON.stringify(scenario.options),
      REFRESH_AFTER_SECONDS: String(REFRESH_AFTER_SECONDS),
      WINDOW_MS: String(windowMs),
      CALLS_PER_SECOND: String(CALLS_PER_SECOND),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const result = JSON.parse(output) as Omit<OutageRun, 'build' | 'scenario' | 'reads' | 'p99Ms'> & {
      latenciesMs: number[];
    };
    const readMs = scenario.fault === 'stall' ? DEFAULT_READ_TIMEOUT_SECONDS * 1000 : 0;
    return {
      build,
      scenario: scenario.name,
      calls: result.calls,
      signed: result.signed,
      failed: result.failed,
      unanswered: result.unanswered,
      reads: endpoint.reads - 1,
      ...(root === ROOT ? { maxReads: maxReadsWithin(windowMs, readMs) } : {}),
      p99Ms: percentile(result.latenciesMs, 0.99),
      errors: result.errors,
    };
  } finally {
    await endpoint.close();
  }
}

function runChild(node: LambdaNode, env: Record<string, string>): Promise<string> {
  const child: ChildProcess = spawn(node.binary, [CHILD], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`signer-outage-child.mjs exited with ${code}: ${stderr}`)),
    ),
  );
}

function percentile(samples: number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}

function report(runs: OutageRun[], windowSeconds: number): SignerOutage {
  const errors = (run: OutageRun) =>
    Object.entries(run.errors)
      .map(([kind, count]) => `${count}× ${kind}`)
      .join('; ') || '-';
  const lines = [
    `### Token signer through a Secrets Manager outage: ${CALLS_PER_SECOND} sign() calls a second for ${windowSeconds} s`,
    '',
    table(
      [
        'Secrets Manager, after the first read',
        'Build',
        'sign() calls',
        'Tokens signed',
        'sign() failures',
        'Unanswered at the end',
        'GetSecretValue requests (most the backoff allows)',
        'p99 answer time',
        'Failures, by their first clause',
      ],
      runs.map((run) => [
        run.scenario,
        run.build,
        run.calls,
        run.signed,
        run.failed,
        run.unanswered,
        run.maxReads === undefined ? String(run.reads) : `${run.reads} (≤ ${run.maxReads})`,
        Number.isNaN(run.p99Ms) ? '-' : ms(run.p99Ms),
        errors(run),
      ]),
    ),
    '',
    `The signer (\`refreshAfterSeconds: ${REFRESH_AFTER_SECONDS}\`, the SDK's default client) reads its key once, then ` +
      'its refresh falls due and the window starts; every later read stalls or is throttled ' +
      '(scripts/bench/signer-outage.ts, tools/stand-ins/secrets-manager-faults.ts in front of moto). "Most the backoff ' +
      `allows": every wait at its shortest, and a stalled read abandoned after readTimeoutSeconds (${DEFAULT_READ_TIMEOUT_SECONDS}).`,
    '',
  ];
  const ours = runs.filter((run) => run.build === 'this build');
  const unbounded = ours.filter((run) => !run.scenario.includes('maxKeyAgeSeconds'));
  const targets: [string, string, boolean][] = [
    [
      'Signer through a stalled and a throttled Secrets Manager: every sign() answered with a token',
      unbounded.map((run) => `${run.signed} / ${run.calls}`).join(', '),
      unbounded.every((run) => run.signed === run.calls),
    ],
    [
      'Signer through an outage: GetSecretValue requests within what the backoff allows',
      ours.map((run) => `${run.reads} ≤ ${run.maxReads}`).join(', '),
      ours.every((run) => run.reads <= run.maxReads!),
    ],
  ];
  return { report: lines, targets, figures: runs };
}
