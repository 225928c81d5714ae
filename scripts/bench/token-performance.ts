/**
 * What a viewer-token backend pays for `cdk-ivs-playback-key-pair/tokens`, next to the same backend
 * written with jose directly, on the Lambda runtime's Node.js; called by scripts/bench.ts, which
 * prints the returned tables and adds the targets to its own.
 *
 *  - Bundle: both backends (token-backend*.mjs) bundled as for Lambda (esbuild, platform node,
 *    minified), this package resolved through its "exports" map, as in a user's project.
 *  - Cold start: a fresh Node.js process per sample loads the bundle, signs one token and verifies it
 *    (token-backend-child.cjs); spawn to exit, samples of the two interleaved; plus the child's CPU time.
 *  - Throughput: N tokens per round signed four ways in one process, rounds interleaved
 *    (token-throughput-child.mjs): signPlaybackToken, the Secrets Manager signer (cache warm, reading
 *    moto's Secrets Manager), jose directly, and raw node:crypto (the floor); each way's ratio to the
 *    floor is taken per round, then the median.
 *  - Participant tokens (IVS Real-Time), in the same rounds: signParticipantToken, the participant token
 *    signer (key warm, endpoints passed), and their own floor, raw node:crypto over the same header (with
 *    kid) and claims; tokens per second on one core, against CreateParticipantToken's 50 a second per account.
 *
 * Counts: BENCH_TOKEN_COLD_RUNS (cold starts per backend, default 41), BENCH_TOKENS (tokens per way
 * and round, default 500), BENCH_TOKEN_ROUNDS (default 7). BENCH_TOKENS_PACKAGE_ROOT measures another
 * build of the package (e.g. an older checkout, built) in place of this one.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { build } from 'esbuild';
import { generatePlaybackKeyPair, verifyPlaybackToken } from '../../lib/tokens';
import { startMotoServer } from '../../tools/stand-ins/moto-server';

/** The Node.js the children run on: the major of the handler's Lambda runtime. */
export interface ChildNode {
  readonly major: number;
  readonly binary: string;
  readonly version: string;
}

/** What scripts/bench.ts prints: markdown lines, and targets as [name, measured, ok]. */
export interface TokenPerformance {
  readonly report: string[];
  readonly targets: [string, string, boolean][];
  /** The raw figures, for BENCH_JSON. */
  readonly figures: Record<string, unknown>;
}

export const TOKEN_TARGETS = { bundleRatio: 1.1, coldStartRatio: 1.05, signingRatio: 0.9 } as const;

const REPO = path.resolve(__dirname, '..', '..');
const PACKAGE_ROOT = path.resolve(process.env.BENCH_TOKENS_PACKAGE_ROOT || REPO);
const BACKENDS = { ours: 'token-backend.mjs', jose: 'token-backend-jose.mjs' } as const;
type Backend = keyof typeof BACKENDS;
const BACKEND_CHILD = path.join(__dirname, 'token-backend-child.cjs');
const THROUGHPUT_CHILD = path.join(__dirname, 'token-throughput-child.mjs');
const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEfGhIjKl';
const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGhIjKl';
const PUBLIC_KEY_ARN = 'arn:aws:ivs:us-east-1:123456789012:public-key/AbCdEfGhIjKl';
/** `CreateParticipantToken`'s rate per account, not adjustable (IVS Real-Time service quotas). */
export const CREATE_PARTICIPANT_TOKEN_TPS = 50;
const WARMUP = 2;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const ratio = (value: number) => `${value.toFixed(2)}×`;
const bytes = (value: number) => `${value.toLocaleString('en-US')} B`;
const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

/** The environment of a child: nothing inherited but PATH, as in scripts/bench.ts. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** Bundles both backends in a scratch project whose node_modules links the package and jose. */
async function bundleBackends(dir: string, node: ChildNode): Promise<Record<Backend, { file: string; bytes: number }>> {
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(PACKAGE_ROOT, path.join(dir, 'node_modules', 'cdk-ivs-playback-key-pair'), 'dir');
  fs.symlinkSync(
    path.dirname(require.resolve('jose/package.json', { paths: [REPO] })),
    path.join(dir, 'node_modules', 'jose'),
    'dir',
  );
  const bundles = {} as Record<Backend, { file: string; bytes: number }>;
  for (const [backend, source] of Object.entries(BACKENDS) as [Backend, string][]) {
    fs.copyFileSync(path.join(__dirname, source), path.join(dir, source));
    const file = path.join(dir, 'dist', backend, 'index.js');
    await build({
      absWorkingDir: dir,
      entryPoints: [source],
      outfile: file,
      bundle: true,
      platform: 'node',
      target: `node${node.major}`,
      format: 'cjs',
      minify: true,
      logLevel: 'silent',
    });
    bundles[backend] = { file, bytes: fs.statSync(file).size };
  }
  return bundles;
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** One cold start: spawn, load the bundle, sign and verify one token, exit. */
async function coldStart(
  node: ChildNode,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; cpuMs: number; token: string }> {
  const started = performance.now();
  const child = spawn(node.binary, [BACKEND_CHILD, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const code = await waitForExit(child);
  const elapsed = performance.now() - started;
  if (code !== 0) throw new Error(`The token backend ${file} exited with ${code}: ${stderr}`);
  const { cpuMs, token } = JSON.parse(stdout) as { cpuMs: number; token: string };
  return { ms: elapsed, cpuMs, token };
}

async function benchColdStarts(node: ChildNode, bundles: Record<Backend, { file: string }>, runs: number) {
  const keys = generatePlaybackKeyPair();
  const env = childEnv({
    PLAYBACK_PRIVATE_KEY: keys.privateKeyPem,
    PLAYBACK_PUBLIC_KEY: keys.publicKeyPem,
    BENCH_CHANNEL_ARN: CHANNEL_ARN,
  });
  const samples: Record<Backend, { ms: number; cpuMs: number }[]> = { ours: [], jose: [] };
  for (let i = 0; i < WARMUP + runs; i++) {
    // Alternate which goes first, so neither always follows the other.
    for (const backend of (i % 2 ? ['jose', 'ours'] : ['ours', 'jose']) as Backend[]) {
      const sample = await coldStart(node, bundles[backend].file, env);
      if (i === 0) {
        const verified = await verifyPlaybackToken(sample.token, keys.publicKeyPem);
        if (verified.channelArn !== CHANNEL_ARN)
          throw new Error(`The ${backend} backend signed a token for ${verified.channelArn}`);
      }
      if (i >= WARMUP) samples[backend].push(sample);
    }
  }
  return samples;
}

interface Throughput {
  node: string;
  tokensPerRound: number;
  rates: Record<string, number[]>;
  secretReads: number;
}

async function benchThroughput(node: ChildNode, tokensPerRound: number, rounds: number): Promise<Throughput> {
  const keys = generatePlaybackKeyPair();
  const moto = await startMotoServer();
  try {
    // The bench itself may run on a Node.js the SDK warns about; its children run on the Lambda runtime's.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const admin = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    await admin.send(
      new CreateSecretCommand({ Name: 'bench-playback-key', SecretString: JSON.stringify({ ...keys, generation: 1 }) }),
    );
    await admin.send(
      new CreateSecretCommand({
        Name: 'bench-stage-key',
        SecretString: JSON.stringify({ ...keys, generation: 1, publicKeyArn: PUBLIC_KEY_ARN }),
      }),
    );
    admin.destroy();
    const tokensModule = ['tokens.mjs', 'tokens.js']
      .map((name) => path.join(PACKAGE_ROOT, 'lib', name))
      .find((file) => fs.existsSync(file))!;
    const output = execFileSync(node.binary, [THROUGHPUT_CHILD], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env: childEnv({
        TOKENS_MODULE: tokensModule,
        PLAYBACK_PRIVATE_KEY: keys.privateKeyPem,
        PLAYBACK_PUBLIC_KEY: keys.publicKeyPem,
        BENCH_CHANNEL_ARN: CHANNEL_ARN,
        BENCH_TOKENS: String(tokensPerRound),
        BENCH_ROUNDS: String(rounds),
        SECRETS_ENDPOINT: moto.endpoint,
        SECRET_ID: 'bench-playback-key',
        PARTICIPANT_SECRET_ID: 'bench-stage-key',
        BENCH_STAGE_ARN: STAGE_ARN,
        BENCH_PUBLIC_KEY_ARN: PUBLIC_KEY_ARN,
      }),
    });
    return JSON.parse(output) as Throughput;
  } finally {
    await moto.stop();
  }
}

/** Bundles, cold-starts and signs; returns the tables and the targets. */
export async function benchTokenPerformance(node: ChildNode): Promise<TokenPerformance> {
  const coldRuns = positiveInt('BENCH_TOKEN_COLD_RUNS', 41);
  const tokensPerRound = positiveInt('BENCH_TOKENS', 500);
  const rounds = positiveInt('BENCH_TOKEN_ROUNDS', 7);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-token-performance-'));
  try {
    const bundles = await bundleBackends(dir, node);
    const cold = await benchColdStarts(node, bundles, coldRuns);
    const throughput = await benchThroughput(node, tokensPerRound, rounds);
    return report(node, bundles, cold, throughput, coldRuns);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(
  node: ChildNode,
  bundles: Record<Backend, { bytes: number }>,
  cold: Record<Backend, { ms: number; cpuMs: number }[]>,
  throughput: Throughput,
  coldRuns: number,
): TokenPerformance {
  const bundleRatio = bundles.ours.bytes / bundles.jose.bytes;
  const coldMedian = (backend: Backend, field: 'ms' | 'cpuMs') => median(cold[backend].map((sample) => sample[field]));
  const coldRatio = coldMedian('ours', 'ms') / coldMedian('jose', 'ms');
  const cpuRatio = coldMedian('ours', 'cpuMs') / coldMedian('jose', 'cpuMs');
  const { rates } = throughput;
  // Paired per round: both ways ran back to back, under the same load.
  const ratioToFloor = (way: string) => median(rates[way].map((rate, round) => rate / rates.floor[round]));
  const WAYS: Record<string, string> = {
    signPlaybackToken: '`signPlaybackToken(privateKeyPem, claims)`',
    signer: '`createPlaybackTokenSigner(...).sign(claims)`, key cached',
    jose: '`jose` directly: `SignJWT`, key imported once',
    floor:
      "raw `node:crypto`: `crypto.sign('sha384', …, {dsaEncoding: 'ieee-p1363'})`, KeyObject parsed once (the floor)",
  };
  const ways = Object.keys(WAYS).filter((way) => rates[way]);
  const report = [
    `### Viewer-token backend: bundle, cold start and signing rate on Node.js ${node.version}`,
    '',
    table(
      [
        'Backend (scripts/bench/token-backend*.mjs)',
        'Bundle (esbuild, minified)',
        `Cold start, median of ${coldRuns}: wall`,
        'CPU',
      ],
      [
        [
          '`cdk-ivs-playback-key-pair/tokens`',
          bytes(bundles.ours.bytes),
          ms(coldMedian('ours', 'ms')),
          ms(coldMedian('ours', 'cpuMs')),
        ],
        ['`jose` directly', bytes(bundles.jose.bytes), ms(coldMedian('jose', 'ms')), ms(coldMedian('jose', 'cpuMs'))],
        ['**Ratio**', `**${ratio(bundleRatio)}**`, `**${ratio(coldRatio)}**`, ratio(cpuRatio)],
      ],
    ),
    '',
    'A cold start is one fresh Node.js process: load the bundle, sign one token, verify it, exit (spawn to exit, timed here; ' +
      "CPU is the child's user + system time, Node.js start-up included).",
    '',
    table(
      [
        `Signing one token (${throughput.tokensPerRound} per round, ${rates.floor.length} rounds, interleaved)`,
        'Tokens per second, median',
        'Ratio to the floor, median per round',
      ],
      ways.map((way) => [WAYS[way], perSecond(median(rates[way])), ratio(ratioToFloor(way))]),
    ),
    '',
    ...(rates.signer
      ? [
          `The signer read the secret (moto's Secrets Manager) ${throughput.secretReads === 1 ? 'once, before the timing' : `${throughput.secretReads} times`}.`,
          '',
        ]
      : []),
    ...participantReport(throughput),
  ];
  const targets: [string, string, boolean][] = [
    [
      `Token backend bundle ≤ ${TOKEN_TARGETS.bundleRatio}× the same backend with jose directly`,
      `${bytes(bundles.ours.bytes)} / ${bytes(bundles.jose.bytes)} = ${ratio(bundleRatio)}`,
      bundleRatio <= TOKEN_TARGETS.bundleRatio,
    ],
    [
      `Token backend cold start ≤ ${TOKEN_TARGETS.coldStartRatio}× jose directly (median, wall)`,
      ratio(coldRatio),
      coldRatio <= TOKEN_TARGETS.coldStartRatio,
    ],
    ...[
      ['signPlaybackToken', '`signPlaybackToken`'],
      ['signer', 'The warm Secrets Manager signer'],
    ]
      .filter(([way]) => rates[way])
      .map(([way, name]): [string, string, boolean] => [
        `${name} signs ≥ ${TOKEN_TARGETS.signingRatio}× the tokens/s of raw node:crypto (median per round)`,
        ratio(ratioToFloor(way)),
        ratioToFloor(way) >= TOKEN_TARGETS.signingRatio,
      ]),
  ];
  if (rates.participantFloor) {
    const participantRatio = participantRatioToFloor(rates, 'signParticipantToken');
    targets.push([
      `\`signParticipantToken\` signs ≥ ${TOKEN_TARGETS.signingRatio}× the tokens/s of raw node:crypto over the same header and claims (median per round)`,
      ratio(participantRatio),
      participantRatio >= TOKEN_TARGETS.signingRatio,
    ]);
  }
  return { report, targets, figures: { bundles, cold, throughput } };
}

function participantRatioToFloor(rates: Record<string, number[]>, way: string): number {
  return median(rates[way].map((rate, round) => rate / rates.participantFloor[round]));
}

/** The participant tokens' table: each way against its own floor, and one core against CreateParticipantToken. */
function participantReport({ rates, tokensPerRound }: Throughput): string[] {
  if (!rates.participantFloor) return [];
  const WAYS: Record<string, string> = {
    signParticipantToken: '`signParticipantToken(privateKeyPem, claims)`',
    participantSigner: '`createParticipantTokenSigner(...).sign(claims)`, key cached, endpoints passed',
    participantFloor: 'raw `node:crypto` over the same header (with `kid`) and claims (the floor)',
  };
  const perCore = median(rates.signParticipantToken);
  return [
    `Participant tokens (IVS Real-Time), in the same rounds (${tokensPerRound} per way and round), on one core:`,
    '',
    table(
      [
        'Signing one participant token',
        'Tokens per second, median',
        'Ratio to the floor, median per round',
        `× CreateParticipantToken's ${CREATE_PARTICIPANT_TOKEN_TPS}/s`,
      ],
      Object.keys(WAYS).map((way) => [
        WAYS[way],
        perSecond(median(rates[way])),
        ratio(participantRatioToFloor(rates, way)),
        `${Math.round(median(rates[way]) / CREATE_PARTICIPANT_TOKEN_TPS)}×`,
      ]),
    ),
    '',
    `One core signs ${perSecond(perCore)} participant tokens with \`signParticipantToken\`, ` +
      `${Math.round(perCore / CREATE_PARTICIPANT_TOKEN_TPS)} times the ${CREATE_PARTICIPANT_TOKEN_TPS} a second ` +
      'CreateParticipantToken allows an account (not adjustable).',
    '',
  ];
}
