/**
 * `npm run bench`: measures, in one run, what the README quotes about the construct's cost, next to
 * aws-cdk-lib's alternatives, and prints markdown tables plus pass/fail against the targets.
 *
 *  1. Cold start, end to end: a fresh Node process per Lambda start loads a handler and answers one
 *     Create against the local IVS stand-in by PUTting to the event's ResponseURL; ours (the shipped
 *     bundle) next to AwsCustomResource's handler from aws-cdk-lib, samples interleaved. Time runs
 *     from "CloudFormation event in" (spawn) to "response PUT received" here. Each is one Lambda
 *     start per event: no Provider framework in front of either. The children run on the Node.js
 *     major of the handler's Lambda runtime (tools/node-versions), not on the Node.js running this.
 *  2. Per lifecycle event: the shipped handler, warm and in-process, driven through CloudFormation's
 *     event sequences; the IVS calls each event makes at the wire, next to the calls README's
 *     lifecycle table documents for its rule (the fewest the rule needs).
 *  3. The synthesized template for 1 and 3 key pairs, next to CfnPlaybackKeyPair and AwsCustomResource.
 *  4. `cdk synth` time of a stack with one key pair, as a ratio to one with CfnPlaybackKeyPair.
 *  5. A viewer-token backend bundled for Lambda with esbuild from `cdk-ivs-playback-key-pair/tokens`:
 *     its size next to the same backend written with jose directly, and a check from esbuild's
 *     metafile that no input comes from aws-cdk-lib or constructs. Its cold start and signing rate next to
 *     jose and raw node:crypto: scripts/bench/token-performance.ts.
 *
 * Run counts: BENCH_RUNS (cold starts per handler, default 21), BENCH_EVENT_RUNS (lifecycle
 * sequences, default 25), BENCH_SYNTH_RUNS (synth runs per stack and validation setting, default 5).
 * BENCH_JSON=<file> also writes the raw samples; BENCH_STRICT=1 exits with 1 when a target fails.
 * Needs `npm run build` first (the npm script does it). Timers: performance.now() only.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { NOTHING_IMPORTED_PHYSICAL_ID } from '../lib/shared/contract';
import { generatePlaybackKeyPair, verifyPlaybackToken } from '../lib/tokens';
import { SimulatedResource } from '../test/support/cloudformation';
import { IvsStandIn } from '../test/support/ivs-stand-in';
import type { OnEventHandler } from '../test/support/shipped-handler';
import { benchTokenPerformance } from './bench/token-performance';

const ROOT = path.resolve(__dirname, '..');
const OUR_HANDLER = path.join(ROOT, 'assets', 'playback-key-pair-handler', 'index.js');
// Not in aws-cdk-lib's "exports": found from the package root instead.
const THEIR_HANDLER = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json', { paths: [ROOT] })),
  'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
const COLD_START_CHILD = path.join(__dirname, 'bench', 'cold-start-child.cjs');
const SYNTH_CHILD = path.join(__dirname, 'bench', 'synth-child.cjs');

const RUNS = positiveInt('BENCH_RUNS', 21);
const EVENT_RUNS = positiveInt('BENCH_EVENT_RUNS', 25);
const SYNTH_RUNS = positiveInt('BENCH_SYNTH_RUNS', 5);
const WARMUP = 2;

const TARGETS = { coldStartRatio: 0.75, assetKb: 512, resourcesForOneKey: 5, resourcesPerExtraKey: 1, chainLength: 4, synthRatio: 1.1 };
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/BenchStack/5b6f1d2e-0c1a-11f0-9f3e-0a1b2c3d4e5f';

// ---------------------------------------------------------------- small helpers

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

interface Stats {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // Nearest rank.
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * n) - 1)];
  return { n, median, p90, min: sorted[0] };
}

const ms = (value: number) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);
const ratio = (value: number) => `${value.toFixed(2)}×`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const bytesAndKb = (bytes: number) => `${bytes.toLocaleString('en-US')} B (${kb(bytes)})`;
const passFail = (ok: boolean) => (ok ? '✅ pass' : '❌ FAIL');

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function p384Pem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Resource properties as CloudFormation delivers them: every scalar becomes a string. */
function asCloudFormationSends(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCloudFormationSends);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asCloudFormationSends(inner)]));
  }
  return value === undefined || value === null ? value : String(value);
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A child's environment: nothing inherited but PATH, so the host's NODE_OPTIONS, CA bundles or AWS profile do not leak in. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...extra };
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** The Node.js that Lambda runs the handler on: the runtime's major and the binary of that major here. */
interface LambdaNode {
  readonly major: number;
  readonly binary: string;
  /** What `node --version` prints, e.g. v24.22.3. */
  readonly version: string;
}

/**
 * Finds the Node.js binary of the handler's Lambda runtime major (lib/shared/contract.ts), installed
 * from the npm registry into tools/node-versions by `npm ci` (scripts/node-versions.mjs).
 */
async function lambdaNode(): Promise<LambdaNode> {
  const { handlerNodeMajor, nodeBinDir } = await import('./node-versions.mjs');
  const major = handlerNodeMajor();
  let binary: string;
  try {
    binary = path.join(nodeBinDir(major), 'node');
  } catch (error) {
    throw new Error(`The cold starts and the token backend run on Node.js ${major}, the major of the handler's Lambda runtime `
      + `(nodejs${major}.x). ${(error as Error).message}`);
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${path.relative(ROOT, binary)} is ${version}, not Node.js ${major}`);
  return { major, binary, version };
}

// ---------------------------------------------------------------- synth children

interface SynthResult {
  readonly variant: string;
  readonly count: number;
  readonly startMs: number;
  readonly cdkLoadMs: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly appMs: number;
  readonly appCpuMs: number;
  readonly resources: number;
  readonly types: Record<string, number>;
  /** The longest chain of resources created one after another, ending at the first key pair. */
  readonly chain: string[];
  readonly customResource?: { type: string; properties: Record<string, unknown> };
  /** Spawn to exit, measured here. */
  readonly processMs: number;
}

type Variant = 'ours' | 'cfn' | 'awscr';

/**
 * One app process. `validate: false` sets CDK_VALIDATION=false, which skips aws-cdk-lib's default
 * template validation (it changes no template, only the time).
 */
async function runSynthChild(variant: Variant, count: number, validate = true): Promise<SynthResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [SYNTH_CHILD, variant, String(count)], {
    cwd: ROOT,
    env: childEnv({ HOME: os.homedir(), ...(validate ? {} : { CDK_VALIDATION: 'false' }) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const code = await waitForExit(child);
  const processMs = performance.now() - started;
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    throw new Error(`synth child ${variant} ${count} failed (exit ${code}):\n${stderr}${stdout}`);
  }
  return { ...(JSON.parse(line) as Omit<SynthResult, 'processMs'>), processMs };
}

const CDK_CLI = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');

/** Wall and CPU time of one `cdk synth` command, in ms. */
interface CdkSynthSample {
  readonly wallMs: number;
  /** User + system time of the CLI and the app it runs, which other load on the machine barely moves. */
  readonly cpuMs: number;
}

/**
 * One `cdk synth` command, as a user types it: the CDK CLI starts, runs the app (the same synth
 * child) and reads the cloud assembly. Run outside the repository, so the CLI picks up no
 * cdk.json, and with a private HOME, so it reads no user settings. bash's `time` adds up the CPU
 * time of the CLI and of the app process it waits for.
 */
async function runCdkSynth(variant: 'ours' | 'cfn'): Promise<CdkSynthSample> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-cdk-synth-${variant}-`));
  const command = [process.execPath, CDK_CLI, 'synth', '--quiet', '--no-notices', '--output', path.join(workDir, 'cdk.out'),
    '--app', `"${process.execPath}" "${SYNTH_CHILD}" ${variant} 1`];
  const started = performance.now();
  const child = spawn('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time "$@" >/dev/null 2>&1', 'bash', ...command], {
    cwd: workDir,
    env: childEnv({ HOME: workDir }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const code = await waitForExit(child);
  const wallMs = performance.now() - started;
  fs.rmSync(workDir, { recursive: true, force: true });
  const [user, system] = stderr.trim().split('\n').pop()!.split(' ').map(Number);
  if (code !== 0 || Number.isNaN(user + system)) throw new Error(`cdk synth of ${variant} failed (exit ${code}):\n${stderr}`);
  return { wallMs, cpuMs: (user + system) * 1000 };
}

// ---------------------------------------------------------------- 1. cold start

interface ColdSample {
  /** Spawn to answer, wall clock, measured here. */
  readonly ms: number;
  /** CPU time (user + system) the child had used when it sent its answer. */
  readonly cpuMs: number;
  readonly modules: number;
  readonly moduleBytes: number;
}

type HandlerKind = 'ours' | 'theirs';

class ColdStartBench {
  private readonly pendingResponses = new Map<string, (body: string) => void>();

  private constructor(
    private readonly node: LambdaNode,
    private readonly standIn: IvsStandIn,
    private readonly responseServer: Server,
    private readonly ourProperties: Record<string, unknown>,
    private readonly theirProperties: Record<string, unknown>,
  ) {
    responseServer.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const id = new URL(req.url ?? '/', 'http://x').searchParams.get('sample') ?? '';
        const settle = this.pendingResponses.get(id);
        this.pendingResponses.delete(id);
        res.writeHead(200).end();
        settle?.(body);
      });
    });
  }

  static async start(node: LambdaNode, ourProperties: Record<string, unknown>, theirProperties: Record<string, unknown>): Promise<ColdStartBench> {
    const standIn = await IvsStandIn.start();
    const responseServer = createServer();
    await new Promise<void>((resolve) => responseServer.listen(0, '127.0.0.1', resolve));
    return new ColdStartBench(node, standIn, responseServer, ourProperties, theirProperties);
  }

  async stop(): Promise<void> {
    await this.standIn.stop();
    this.responseServer.closeAllConnections();
    await new Promise<void>((resolve) => this.responseServer.close(() => resolve()));
  }

  /** One fresh process, one Create with a fresh P-384 key; returns spawn-to-answer time. */
  async sample(kind: HandlerKind): Promise<ColdSample> {
    const sampleId = randomUUID();
    const pem = p384Pem();
    const event = kind === 'ours' ? this.ourEvent(pem, sampleId) : this.theirEvent(pem, sampleId);
    const env = childEnv({
      ...this.standIn.clientEnvironment(),
      BENCH_EVENT: JSON.stringify(event),
      BENCH_RESPONSE_PORT: String((this.responseServer.address() as AddressInfo).port),
    });
    const handlerFile = kind === 'ours' ? OUR_HANDLER : THEIR_HANDLER;

    let answered!: (at: number, answer: unknown) => void;
    const answer = new Promise<{ at: number; answer: unknown }>((resolve) => (answered = (at, value) => resolve({ at, answer: value })));
    this.pendingResponses.set(sampleId, (body) => answered(performance.now(), JSON.parse(body)));

    const started = performance.now();
    const child = spawn(this.node.binary, [COLD_START_CHILD, handlerFile], { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let fd3 = '';
    const lines: unknown[] = [];
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk) => {
      fd3 += chunk;
      let newline: number;
      while ((newline = fd3.indexOf('\n')) >= 0) {
        const line = JSON.parse(fd3.slice(0, newline)) as { kind: string };
        fd3 = fd3.slice(newline + 1);
        lines.push(line);
      }
    });
    const code = await waitForExit(child);
    const timeout = setTimeout(() => answered(Number.NaN, undefined), 1000);
    const result = await answer;
    clearTimeout(timeout);
    this.pendingResponses.delete(sampleId);

    const loaded = lines.find((line) => (line as { kind: string }).kind === 'loaded') as
      { modules: number; bytes: number; cpuMs: number; node: string } | undefined;
    this.checkAnswer(kind, code, result.answer, stderr);
    if (loaded?.node !== this.node.version) throw new Error(`${kind} cold start ran on Node.js ${loaded?.node}, not ${this.node.version}`);
    this.checkCallsAndReset(kind);
    return {
      ms: result.at - started,
      cpuMs: loaded?.cpuMs ?? Number.NaN,
      modules: loaded?.modules ?? Number.NaN,
      moduleBytes: loaded?.bytes ?? Number.NaN,
    };
  }

  /** The event CloudFormation sends our handler for the synthesized resource. */
  private ourEvent(pem: string, sampleId: string): object {
    return {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-IvsPlaybackKeyPairProviderHandler-AbCdEf',
      ResponseURL: `https://127.0.0.1/cfn-response?sample=${sampleId}`,
      StackId: STACK_ID,
      RequestId: sampleId,
      LogicalResourceId: 'Key0',
      ResourceType: 'Custom::IvsPlaybackKeyPair',
      ResourceProperties: asCloudFormationSends({
        ...this.ourProperties,
        ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-IvsPlaybackKeyPairProviderHandler-AbCdEf',
        PublicKeyMaterial: pem,
      }),
    };
  }

  /** The event CloudFormation sends AwsCustomResource's Lambda for the synthesized resource. */
  private theirEvent(pem: string, sampleId: string): object {
    const create = JSON.parse(String(this.theirProperties.Create)) as { parameters: Record<string, unknown> };
    create.parameters.publicKeyMaterial = pem;
    return {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-AWS679f53fac002430cb0da5b7982bd22-AbCdEf',
      ResponseURL: `https://127.0.0.1/cfn-response?sample=${sampleId}`,
      StackId: STACK_ID,
      RequestId: sampleId,
      LogicalResourceId: 'Key0',
      ResourceType: 'Custom::AWS',
      ResourceProperties: asCloudFormationSends({
        ...this.theirProperties,
        ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:BenchStack-AWS679f53fac002430cb0da5b7982bd22-AbCdEf',
        Create: JSON.stringify(create),
      }),
    };
  }

  private checkAnswer(kind: HandlerKind, code: number | null, answer: unknown, stderr: string): void {
    const arn = /^arn:aws:ivs:us-east-1:123456789012:playback-key\/[A-Za-z0-9]+$/;
    const body = answer as { Status?: string; PhysicalResourceId?: string } | undefined;
    const physicalId = body?.Status === 'SUCCESS' ? body.PhysicalResourceId : undefined;
    if (code !== 0 || !physicalId || !arn.test(physicalId)) {
      throw new Error(`${kind} cold start did not answer with a key pair ARN (exit ${code}): ${JSON.stringify(answer)}\n${stderr}`);
    }
  }

  /** Exactly one successful ImportPlaybackKeyPair, then an empty account for the next sample (3-key quota). */
  private checkCallsAndReset(kind: HandlerKind): void {
    const calls = this.standIn.calls.map((call) => `${call.operation} ${call.status}`);
    if (calls.length !== 1 || calls[0] !== 'ImportPlaybackKeyPair 200') {
      throw new Error(`${kind} cold start made unexpected IVS calls: ${calls.join(', ')}`);
    }
    for (const keyPair of this.standIn.keyPairs()) this.standIn.deleteBehindTheBack(keyPair.arn);
    this.standIn.resetCalls();
  }
}

interface ColdStartResult {
  readonly ours: ColdSample[];
  readonly theirs: ColdSample[];
}

async function benchColdStart(node: LambdaNode, ourProperties: Record<string, unknown>,
  theirProperties: Record<string, unknown>): Promise<ColdStartResult> {
  const bench = await ColdStartBench.start(node, ourProperties, theirProperties);
  try {
    for (let i = 0; i < WARMUP; i++) {
      await bench.sample('ours');
      await bench.sample('theirs');
    }
    const result: ColdStartResult = { ours: [], theirs: [] };
    for (let i = 0; i < RUNS; i++) {
      // Alternate the order so drift in machine load hits both alike.
      const order: HandlerKind[] = i % 2 ? ['theirs', 'ours'] : ['ours', 'theirs'];
      for (const kind of order) result[kind].push(await bench.sample(kind));
    }
    return result;
  } finally {
    await bench.stop();
  }
}

// ---------------------------------------------------------------- 2. lifecycle events

interface EventRule {
  readonly label: string;
  /** The row of README's lifecycle table that handles the event ("Delete" is the unnumbered row). */
  readonly rule: string;
  /** The IVS calls that row documents for this event: the fewest the event can be handled with, and which. */
  readonly minimum: number;
  readonly why: string;
}

const EVENT_RULES = [
  { label: 'Create', rule: '1', minimum: 1, why: 'Import' },
  { label: 'Update: tag added', rule: '2', minimum: 2, why: 'Get + Tag' },
  { label: 'Update: tag changed + tag removed', rule: '2', minimum: 3, why: 'Get + Tag + Untag' },
  { label: 'Update: key change', rule: '3', minimum: 2, why: 'Get (marker, owner tag; Tag only to heal it) + Import; the old key stays for a rollback' },
  { label: 'Rollback to the previous key (adopt)', rule: '4', minimum: 4,
    why: 'Get + Import 409 + List + Get (one more Get per key pair of this resource listed before it; + Tag for the event marker)' },
  { label: 'Delete: rollback cleanup', rule: 'Delete', minimum: 1, why: 'Delete' },
  { label: 'Update: rename', rule: '5', minimum: 2, why: 'Delete + Import' },
  { label: 'Delete: cleanup after rename (already gone)', rule: '7', minimum: 1, why: 'Delete (404)' },
  { label: 'Delete', rule: 'Delete', minimum: 1, why: 'Delete' },
  { label: 'Delete: id not an ARN, nothing left behind', rule: '8', minimum: 1, why: 'List' },
  { label: 'Delete: id not an ARN after a lost Create answer (1 key pair left behind)', rule: '8', minimum: 3,
    why: 'List + one Get (its key) and one Delete per key pair left behind with this owner tag and name' },
  { label: 'Delete: the nothing-imported id, after a failed Create', rule: '8', minimum: 0, why: 'none' },
  { label: 'Update: key change at the quota', rule: '6', minimum: 4, why: 'Get + Import 402 + Delete + Import' },
  { label: 'Delete: cleanup after the key change at the quota (already gone)', rule: '7', minimum: 1, why: 'Delete (404)' },
  { label: 'Rollback at the quota, the current key pair holds the key (IVS reports the quota first)', rule: '6', minimum: 3,
    why: 'Get + Import 402 + List (a key pair the failed update may have left behind)' },
] as const satisfies readonly EventRule[];

type EventLabel = (typeof EVENT_RULES)[number]['label'];

interface EventRecord {
  readonly ms: number;
  readonly calls: string[];
}

const SHORT_OPERATION: Record<string, string> = {
  ImportPlaybackKeyPair: 'Import',
  GetPlaybackKeyPair: 'Get',
  ListPlaybackKeyPairs: 'List',
  DeletePlaybackKeyPair: 'Delete',
  TagResource: 'Tag',
  UntagResource: 'Untag',
  ListTagsForResource: 'ListTags',
};

/** Loads the shipped bundle as a fresh Lambda container would, configured from the environment. */
function loadShippedHandler(standIn: IvsStandIn): OnEventHandler {
  Object.assign(process.env, standIn.clientEnvironment());
  delete process.env.AWS_PROFILE;
  delete require.cache[OUR_HANDLER];
  return (require(OUR_HANDLER) as { handler: OnEventHandler }).handler;
}

/**
 * Stands between the simulated CloudFormation and the shipped handler: each step of a sequence
 * names the events CloudFormation sends in it, in order, and each event's IVS calls (and time,
 * once `timing` is on) are recorded under that name. Unnamed events set a sequence up unmeasured.
 */
class LifecycleRecorder {
  readonly byLabel = new Map<EventLabel, EventRecord[]>(EVENT_RULES.map((rule) => [rule.label, []]));
  /** Off during the warm-up sequences: their calls are kept, their times dropped (SDK client, connection, JIT). */
  timing = false;
  private expected: (EventLabel | undefined)[] = [];

  constructor(private readonly standIn: IvsStandIn, private readonly handler: OnEventHandler) {}

  readonly invoke: OnEventHandler = async (event, context) => {
    if (this.expected.length === 0) throw new Error(`The bench did not expect this ${event.RequestType} event`);
    const label = this.expected.shift();
    this.standIn.resetCalls();
    const started = performance.now();
    try {
      return await this.handler(event, context);
    } finally {
      const elapsed = performance.now() - started;
      const calls = this.standIn.calls.map((call) => SHORT_OPERATION[call.operation] + (call.status === 200 ? '' : ` ${call.status}`));
      if (label) this.byLabel.get(label)!.push({ ms: this.timing ? elapsed : Number.NaN, calls });
    }
  };

  /** Runs `action`, which must make CloudFormation send exactly `events`, and succeed, or fail when `outcome` says so. */
  async step(events: (EventLabel | undefined)[], action: () => Promise<unknown>, outcome: 'succeeds' | 'fails' = 'succeeds'): Promise<void> {
    this.expected = [...events];
    const failure = await action().then(() => undefined, (error: unknown) => error);
    const missing = this.expected.length;
    this.expected = [];
    if (missing > 0) throw new Error(`Expected ${events.length} events (${events.join(', ')}), ${missing} did not come`);
    if ((failure !== undefined) !== (outcome === 'fails')) {
      throw new Error(`A step expected to ${outcome === 'fails' ? 'fail succeeded' : `succeed failed: ${String(failure)}`}`);
    }
  }
}

/** Create, two tag updates, a key change rolled back, a rename, Delete, and a Delete of an id that is not an ARN. */
async function everydaySequence(r: LifecycleRecorder, i: number): Promise<void> {
  const [key1, key2] = [p384Pem(), p384Pem()];
  const resource = new SimulatedResource(r.invoke, `BenchKey${i}`);
  const tags = { env: 'dev', team: 'video' };
  await r.step(['Create'], () => resource.create({ PublicKeyMaterial: key1, Name: 'bench-key', Tags: tags }));
  await r.step(['Update: tag added'], () => resource.update({ PublicKeyMaterial: key1, Name: 'bench-key', Tags: { ...tags, cost: '42' } }));
  await r.step([], () => resource.completeStackUpdate());
  const later = { env: 'prod', cost: '42' };
  await r.step(['Update: tag changed + tag removed'], () => resource.update({ PublicKeyMaterial: key1, Name: 'bench-key', Tags: later }));
  await r.step([], () => resource.completeStackUpdate());
  await r.step(['Update: key change'], () => resource.update({ PublicKeyMaterial: key2, Name: 'bench-key', Tags: later }));
  await r.step(['Rollback to the previous key (adopt)', 'Delete: rollback cleanup'], () => resource.rollback());
  await r.step(['Update: rename'], () => resource.update({ PublicKeyMaterial: key1, Name: 'bench-key-renamed', Tags: later }));
  await r.step(['Delete: cleanup after rename (already gone)'], () => resource.completeStackUpdate());
  await r.step(['Delete'], () => resource.delete());
  // The kind of id CloudFormation makes up when a Create's answer never came.
  await r.step(['Delete: id not an ARN, nothing left behind'], () => resource.delete(`BenchStack-BenchKey${i}-${randomId()}`));
}

/** A Create whose answer never reached CloudFormation: the Delete of the id CloudFormation made up removes its key pair. */
async function lostAnswerSequence(r: LifecycleRecorder, i: number): Promise<void> {
  const resource = new SimulatedResource(r.invoke, `BenchLostKey${i}`);
  await r.step([undefined, 'Delete: id not an ARN after a lost Create answer (1 key pair left behind)'],
    () => resource.createWithLostAnswer({ PublicKeyMaterial: p384Pem(), Name: 'bench-lost-key' }));
}

/** A Create at the quota (3 key pairs of someone else) fails with the nothing-imported id; CloudFormation's Delete of it calls nothing. */
async function failedCreateSequence(r: LifecycleRecorder, standIn: IvsStandIn, i: number): Promise<void> {
  const holders = [0, 1, 2].map((n) => standIn.importAsSomeoneElse(p384Pem(), `someone-else-${n}`));
  const resource = new SimulatedResource(r.invoke, `BenchTakenKey${i}`);
  await r.step([undefined], () => resource.create({ PublicKeyMaterial: p384Pem(), Name: 'bench-taken-key' }), 'fails');
  if (resource.physicalResourceId !== NOTHING_IMPORTED_PHYSICAL_ID) {
    throw new Error(`The failed Create answered ${resource.physicalResourceId}, not ${NOTHING_IMPORTED_PHYSICAL_ID}`);
  }
  await r.step(['Delete: the nothing-imported id, after a failed Create'], () => resource.delete());
  for (const holder of holders) standIn.deleteBehindTheBack(holder.arn);
}

/**
 * The region at its quota of 3 (two key pairs of someone else): a key change frees this resource's
 * own slot; then a key change that fails at its import rolls back to the key the current key pair
 * already holds, which is kept.
 */
async function quotaSequence(r: LifecycleRecorder, standIn: IvsStandIn, i: number): Promise<void> {
  const others = [standIn.importAsSomeoneElse(p384Pem(), 'other-team-a'), standIn.importAsSomeoneElse(p384Pem(), 'other-team-b')];
  const resource = new SimulatedResource(r.invoke, `BenchQuotaKey${i}`);
  const properties = (key: string) => ({ PublicKeyMaterial: key, Name: 'bench-quota-key', Tags: { env: 'prod' } });
  await r.step([undefined], () => resource.create(properties(p384Pem())));
  await r.step(['Update: key change at the quota'], () => resource.update(properties(p384Pem())));
  await r.step(['Delete: cleanup after the key change at the quota (already gone)'], () => resource.completeStackUpdate());
  // The next key change fails at its import, so the physical id still holds the current key.
  standIn.failNext('ImportPlaybackKeyPair', 'AccessDeniedException');
  await r.step([undefined], () => resource.update(properties(p384Pem())), 'fails');
  await r.step(['Rollback at the quota, the current key pair holds the key (IVS reports the quota first)'], () => resource.rollback());
  await r.step([undefined], () => resource.delete());
  for (const other of others) standIn.deleteBehindTheBack(other.arn);
}

function randomId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase();
}

async function benchLifecycle(): Promise<Map<EventLabel, EventRecord[]>> {
  // Which of the quota and the duplicate IVS checks first on import is undocumented. Quota first is
  // the order under which rule 6 can keep the current key pair; no other event here imports a key
  // IVS holds while the region is full, so the order changes nothing else.
  const standIn = await IvsStandIn.start({ quotaBeforeDuplicate: true });
  const recorder = new LifecycleRecorder(standIn, loadShippedHandler(standIn));
  // The handler logs one JSON line per event; keep them out of the tables (they are written to a
  // pipe in Lambda, which costs microseconds).
  const log = console.log;
  console.log = () => undefined;
  try {
    for (let i = 0; i < WARMUP + EVENT_RUNS; i++) {
      recorder.timing = i >= WARMUP;
      await everydaySequence(recorder, i);
      await lostAnswerSequence(recorder, i);
      await failedCreateSequence(recorder, standIn, i);
      await quotaSequence(recorder, standIn, i);
      if (standIn.keyPairs().length !== 0) throw new Error(`Sequence ${i} left ${standIn.keyPairs().length} key pairs behind`);
    }
  } finally {
    console.log = log;
    await standIn.stop();
  }
  return recorder.byLabel;
}

// ---------------------------------------------------------------- 3 + 4. templates and synth time

interface SynthBench {
  readonly templates: Record<Variant, Record<1 | 3, SynthResult>>;
  /** One key pair, with aws-cdk-lib's default template validation (what `cdk synth` runs) and without. */
  readonly timed: Record<'validated' | 'unvalidated', Record<'ours' | 'cfn', SynthResult[]>>;
  /** Whole `cdk synth` commands (CLI, app, assembly), one key pair. */
  readonly cli: Record<'ours' | 'cfn', CdkSynthSample[]>;
}

/**
 * Times `SYNTH_RUNS` fresh app processes per stack (one key pair) and validation setting, interleaved,
 * after one untimed run of each that warms the OS file cache. The templates come from runs without
 * validation, which give the same templates sooner.
 */
async function benchSynth(first: { ours: SynthResult; awscr: SynthResult }): Promise<SynthBench> {
  const cfnFirst = await runSynthChild('cfn', 1, false);
  await runSynthChild('ours', 1);
  await runSynthChild('cfn', 1);
  await runCdkSynth('ours');
  await runCdkSynth('cfn');
  const timed: SynthBench['timed'] = { validated: { ours: [], cfn: [] }, unvalidated: { ours: [], cfn: [] } };
  const cli: SynthBench['cli'] = { ours: [], cfn: [] };
  for (let i = 0; i < SYNTH_RUNS; i++) {
    const order: ('ours' | 'cfn')[] = i % 2 ? ['cfn', 'ours'] : ['ours', 'cfn'];
    for (const variant of order) cli[variant].push(await runCdkSynth(variant));
    for (const variant of order) timed.validated[variant].push(await runSynthChild(variant, 1));
    for (const variant of order) timed.unvalidated[variant].push(await runSynthChild(variant, 1, false));
    progress(`synth round ${i + 1}/${SYNTH_RUNS}`);
  }
  const templates = {
    ours: { 1: first.ours, 3: await runSynthChild('ours', 3, false) },
    cfn: { 1: cfnFirst, 3: await runSynthChild('cfn', 3, false) },
    awscr: { 1: first.awscr, 3: await runSynthChild('awscr', 3, false) },
  };
  return { templates, timed, cli };
}

// ---------------------------------------------------------------- 5. viewer-token backend bundle

/** Two backends that sign and verify one viewer token: with this package's CDK-free entry point, and with jose directly. */
const TOKEN_BACKENDS = {
  ours: path.join(__dirname, 'bench', 'token-backend.mjs'),
  jose: path.join(__dirname, 'bench', 'token-backend-jose.mjs'),
} as const;
type TokenBackend = keyof typeof TOKEN_BACKENDS;
const TOKEN_BACKEND_CHILD = path.join(__dirname, 'bench', 'token-backend-child.cjs');
const JOSE_DIR = path.dirname(require.resolve('jose/package.json', { paths: [ROOT] }));
const BENCH_CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEfGhIjKl';

interface TokenBundle {
  readonly bytes: number;
  /**
   * Input files by origin (this package's lib/, a package in node_modules, or the backend itself):
   * how many, their bytes, and the bytes esbuild kept of them in the minified bundle.
   */
  readonly inputsByOrigin: Record<string, { files: number; bytes: number; bytesInBundle: number }>;
  /** Inputs from aws-cdk-lib or constructs: a backend must not carry the CDK. */
  readonly cdkInputs: string[];
}

/**
 * A throwaway backend project: the two backend sources, with this package and jose linked into its
 * node_modules as an install would put them, so esbuild resolves `cdk-ivs-playback-key-pair/tokens`
 * through the package's "exports" map like in a user's project.
 */
function tokenBackendProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-token-backend-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'cdk-ivs-playback-key-pair'), 'dir');
  fs.symlinkSync(JOSE_DIR, path.join(dir, 'node_modules', 'jose'), 'dir');
  for (const [backend, source] of Object.entries(TOKEN_BACKENDS)) fs.copyFileSync(source, path.join(dir, `${backend}.mjs`));
  return dir;
}

/** Where an input of the bundle comes from, by its real path. */
function inputOrigin(file: string): string {
  if (file.startsWith(path.join(ROOT, 'lib') + path.sep)) return 'cdk-ivs-playback-key-pair lib/';
  const packages = [...file.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)];
  return packages.length ? packages[packages.length - 1][1] : 'backend source';
}

/** Bundles one backend as a user would for Lambda: esbuild, platform node, the runtime's Node.js as target, minified. */
async function bundleTokenBackend(dir: string, backend: TokenBackend, node: LambdaNode): Promise<{ file: string; bundle: TokenBundle }> {
  const file = path.join(dir, 'dist', backend, 'index.js');
  const { metafile } = await build({
    absWorkingDir: dir,
    entryPoints: [`${backend}.mjs`],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: `node${node.major}`,
    format: 'cjs',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const kept = Object.values(metafile.outputs)[0].inputs;
  const inputs = Object.entries(metafile.inputs).map(([input, { bytes }]) =>
    ({ file: fs.realpathSync(path.resolve(dir, input)), bytes, bytesInBundle: kept[input]?.bytesInOutput ?? 0 }));
  if (backend === 'ours' && !inputs.some((input) => input.file === path.join(ROOT, 'lib', 'tokens.mjs'))) {
    throw new Error('The token backend bundle does not hold lib/tokens.mjs: "cdk-ivs-playback-key-pair/tokens" no longer resolves there');
  }
  const inputsByOrigin: TokenBundle['inputsByOrigin'] = {};
  for (const input of inputs) {
    const origin = (inputsByOrigin[inputOrigin(input.file)] ??= { files: 0, bytes: 0, bytesInBundle: 0 });
    origin.files++;
    origin.bytes += input.bytes;
    origin.bytesInBundle += input.bytesInBundle;
  }
  const cdkInputs = inputs.map((input) => input.file).filter((input) => /node_modules\/(aws-cdk-lib|constructs)\//.test(input));
  return { file, bundle: { bytes: fs.statSync(file).size, inputsByOrigin, cdkInputs } };
}

/** Runs a bundle once on the Lambda runtime's Node.js and checks its token as IVS would (verifyPlaybackToken). */
async function checkTokenBackend(backend: TokenBackend, file: string, node: LambdaNode): Promise<void> {
  const keys = generatePlaybackKeyPair();
  const output = execFileSync(node.binary, [TOKEN_BACKEND_CHILD, file], {
    encoding: 'utf8',
    env: childEnv({ PLAYBACK_PRIVATE_KEY: keys.privateKeyPem, PLAYBACK_PUBLIC_KEY: keys.publicKeyPem, BENCH_CHANNEL_ARN }),
  });
  const { token } = JSON.parse(output) as { token: string };
  const verified = await verifyPlaybackToken(token, keys.publicKeyPem);
  if (verified.channelArn !== BENCH_CHANNEL_ARN) throw new Error(`The ${backend} token backend signed a token for ${verified.channelArn}`);
}

async function benchTokenBundles(node: LambdaNode): Promise<Record<TokenBackend, TokenBundle>> {
  const dir = tokenBackendProject();
  try {
    const bundles = {} as Record<TokenBackend, TokenBundle>;
    for (const backend of Object.keys(TOKEN_BACKENDS) as TokenBackend[]) {
      const { file, bundle } = await bundleTokenBackend(dir, backend, node);
      await checkTokenBackend(backend, file, node);
      bundles[backend] = bundle;
    }
    return bundles;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const keptOf = (bundle: TokenBundle, origin: string) => bundle.inputsByOrigin[origin]?.bytesInBundle ?? 0;

/** The CDK files a token bundle holds, a few named. */
function cdkInputsFound(bundle: TokenBundle): string {
  const { cdkInputs } = bundle;
  if (cdkInputs.length === 0) return 'none';
  const named = cdkInputs.slice(0, 3).map((file) => `\`${path.relative(ROOT, file)}\``).join(', ');
  return `${cdkInputs.length} files: ${named}${cdkInputs.length > 3 ? ', …' : ''}`;
}

function tokenBundleReport(bundles: Record<TokenBackend, TokenBundle>, node: LambdaNode): string[] {
  // Largest origins first, a few of them: a bundle that pulled in the CDK has dozens.
  const origins = (bundle: TokenBundle) => {
    const sorted = Object.entries(bundle.inputsByOrigin).sort(([, a], [, b]) => b.bytes - a.bytes);
    const shown = sorted.slice(0, 4).map(([origin, { files, bytes, bytesInBundle }]) =>
      `${origin}: ${files} ${files === 1 ? 'file' : 'files'}, ${kb(bytes)} → ${kb(bytesInBundle)}`);
    return [...shown, ...(sorted.length > shown.length ? [`and ${sorted.length - shown.length} more`] : [])].join('; ');
  };
  const cdk = (bundle: TokenBundle) => (bundle.cdkInputs.length ? `❌ ${bundle.cdkInputs.length} files` : '0');
  const row = (name: string, bundle: TokenBundle) => [name, bytesAndKb(bundle.bytes), origins(bundle), cdk(bundle), 'yes'];
  return [
    `### Viewer-token backend for Lambda: esbuild bundle (platform node, target node${node.major}, CommonJS, minified)`, '',
    table(['Backend: signs one token and verifies it', 'Bundle', 'Inputs by origin: files, bytes → bytes kept in the bundle', 'Inputs from aws-cdk-lib or constructs',
      `Runs on Node.js ${node.version}, token passes \`verifyPlaybackToken\``], [
      row('`signPlaybackToken` + `verifyPlaybackToken` from `cdk-ivs-playback-key-pair/tokens`', bundles.ours),
      row(`\`jose\` ${packageVersion('jose')} directly, header and claims written by hand`, bundles.jose),
      ['**Ratio ours / jose directly**', `**${ratio(bundles.ours.bytes / bundles.jose.bytes)}**`, '', '', ''],
    ]),
    '', 'Both backends (scripts/bench/token-backend*.mjs) are bundled in a scratch project whose node_modules links this '
      + 'package and jose, so `cdk-ivs-playback-key-pair/tokens` resolves through the package\'s "exports" map, as in a '
      + 'user\'s project. Inputs are read from esbuild\'s metafile; each bundle is then run once and its token checked. '
      + `The backend's \`import\` gets the package's ES module build, which signs and verifies with node:crypto: it holds `
      + `${kb(keptOf(bundles.ours, 'jose'))} of jose (the direct backend ${kb(keptOf(bundles.jose, 'jose'))}).`, '',
  ];
}

async function main(): Promise<void> {
  if (!fs.existsSync(OUR_HANDLER) || !fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
    throw new Error('Run "npm run build" first: the bench measures the shipped bundle and the compiled lib/.');
  }
  // Before anything slow: a missing Node.js binary should fail the bench at once.
  const node = await lambdaNode();
  const startedAt = performance.now();
  const loadBefore = os.loadavg();
  const assetBytes = fs.statSync(OUR_HANDLER).size;
  const theirHandlerBytes = fs.statSync(THEIR_HANDLER).size;

  progress('templates: the custom resources whose events the cold starts replay');
  const ourTemplate = await runSynthChild('ours', 1, false);
  const theirTemplate = await runSynthChild('awscr', 1, false);

  progress(`cold start on Node.js ${node.version}: ${WARMUP} warm-up + ${RUNS} fresh processes per handler, interleaved`);
  const cold = await benchColdStart(node, ourTemplate.customResource!.properties, theirTemplate.customResource!.properties);

  progress('viewer-token backend: bundled with esbuild, run once each');
  const tokenBundles = await benchTokenBundles(node);
  progress('viewer-token backend: cold starts and signing rate next to jose and raw node:crypto');
  const tokenPerformance = await benchTokenPerformance(node);

  progress(`lifecycle: ${WARMUP} warm-up + ${EVENT_RUNS} CloudFormation sequences against the stand-in`);
  const lifecycle = await benchLifecycle();

  progress(`synth: ${SYNTH_RUNS} fresh processes per stack, with and without template validation, plus the 3-key-pair templates`);
  const synth = await benchSynth({ ours: ourTemplate, awscr: theirTemplate });
  const loadAfter = os.loadavg();

  const out: string[] = [];

  // 1. cold start
  const ourCold = stats(cold.ours.map((s) => s.ms));
  const theirCold = stats(cold.theirs.map((s) => s.ms));
  const ourCpu = stats(cold.ours.map((s) => s.cpuMs));
  const theirCpu = stats(cold.theirs.map((s) => s.cpuMs));
  const coldRatio = ourCold.median / theirCold.median;
  const coldRatioP90 = ourCold.p90 / theirCold.p90;
  const theirModules = cold.theirs[0];
  const ourModules = cold.ours[0];
  out.push(`### Cold start end to end on Node.js ${node.version} (Lambda runtime nodejs${node.major}.x): CloudFormation event in → `
    + `response PUT received, one Create (${RUNS} runs each, interleaved)`, '');
  out.push(table(['Handler', 'Lambda starts per event', 'Code Lambda loads', 'JS files / bytes loaded', 'Median', 'p90', 'Min', 'CPU time to answer, median'], [
    ['`PlaybackKeyPair` (this package)', '1', `asset \`index.js\`: ${bytesAndKb(assetBytes)}`,
      `${ourModules.modules} / ${kb(ourModules.moduleBytes)}`, ms(ourCold.median), ms(ourCold.p90), ms(ourCold.min), ms(ourCpu.median)],
    ['`AwsCustomResource` (aws-cdk-lib)', '1', `handler \`index.js\`: ${bytesAndKb(theirHandlerBytes)} + \`@aws-sdk/client-ivs\` from the runtime`,
      `${theirModules.modules} / ${kb(theirModules.moduleBytes)}`, ms(theirCold.median), ms(theirCold.p90), ms(theirCold.min), ms(theirCpu.median)],
    ['**Ratio ours / AwsCustomResource**', '', '', '', `**${ratio(coldRatio)}**`, ratio(coldRatioP90), ratio(ourCold.min / theirCold.min),
      ratio(ourCpu.median / theirCpu.median)],
  ]));
  out.push('', 'Spawn to answer, wall clock, timed in the parent when the PUT to the ResponseURL arrives, for both: '
    + 'each answers CloudFormation itself from its one Lambda function. Each sample is a Create against '
    + 'the local IVS stand-in with a fresh P-384 key and made exactly one ImportPlaybackKeyPair. CPU time is the '
    + 'child\'s own (user + system, Node start-up included), which other load on the machine barely moves.', '');

  // 5. viewer-token backend (printed after the cold start: both are about what a Lambda function loads)
  out.push(...tokenBundleReport(tokenBundles, node));
  out.push(...tokenPerformance.report);

  // 2. lifecycle
  const eventRows: (string | number)[][] = [];
  let eventsAtMinimum = 0;
  for (const rule of EVENT_RULES) {
    const records = lifecycle.get(rule.label)!;
    const sequences = [...new Set(records.map((record) => record.calls.join(' + ') || '—'))];
    const counts = [...new Set(records.map((record) => record.calls.length))];
    const atMinimum = counts.length === 1 && counts[0] === rule.minimum;
    if (atMinimum) eventsAtMinimum++;
    const timing = stats(records.filter((record) => !Number.isNaN(record.ms)).map((record) => record.ms));
    eventRows.push([rule.label, rule.rule, sequences.join(' / '), counts.join(', '), `${rule.minimum}: ${rule.why}`,
      passFail(atMinimum), ms(timing.median), ms(timing.p90)]);
  }
  out.push(`### Per lifecycle event: shipped handler, warm, in-process, against the IVS stand-in (${EVENT_RUNS} rounds of sequences)`, '');
  out.push(table(['Event', 'Rule', 'IVS calls at the wire', 'Calls', 'Minimum (README\'s lifecycle table)', 'Calls = minimum', 'Median', 'p90'],
    eventRows));
  out.push('', 'Events come from CloudFormation\'s sequences (test/support/cloudformation.ts), four per round: create, tag '
    + 'updates, a key change rolled back, a rename and its cleanup, delete, the Delete of an id that is not an ARN; a Create '
    + 'whose answer was lost and the Delete that follows; a Create at the quota (3 key pairs of someone else), failing with the '
    + 'nothing-imported id, and its Delete; at the quota of 3, a key change, and a failed key change rolled back. The '
    + 'stand-in checks the quota before the duplicate on import (IVS does not document its order). Every call that reaches '
    + 'the stand-in counts, an SDK retry too (the stand-in throttles nothing here); times include the local HTTP round trips and the response PUT.', '');

  // 3. templates
  const t = synth.templates;
  const perExtra = (variant: Variant) => (t[variant][3].resources - t[variant][1].resources) / 2;
  const lambdas = (result: SynthResult) => result.types['AWS::Lambda::Function'] ?? 0;
  const templateRow = (name: string, variant: Variant) => [name, t[variant][1].resources, t[variant][3].resources,
    perExtra(variant), t[variant][1].chain.length, `${lambdas(t[variant][1])} / ${lambdas(t[variant][3])}`,
    Object.entries(t[variant][1].types).map(([type, n]) => `${n}× ${type.replace(/^AWS::/, '')}`).join(', ')];
  out.push('### Synthesized template', '');
  out.push(table(['Stack', 'Resources, 1 key pair', 'Resources, 3 key pairs', 'Added per extra key pair', 'Longest chain to the key pair',
    'Lambda functions (1 / 3)', 'Resources for 1 key pair'], [
    templateRow('`PlaybackKeyPair` (this package)', 'ours'),
    templateRow('`aws_ivs.CfnPlaybackKeyPair`', 'cfn'),
    templateRow('`AwsCustomResource` Import/Delete', 'awscr'),
  ]));
  out.push('');

  // 4. synth time
  type SynthField = 'appMs' | 'appCpuMs' | 'synthMs' | 'processMs';
  const synthStats = (setting: 'validated' | 'unvalidated', variant: 'ours' | 'cfn', field: SynthField) =>
    stats(synth.timed[setting][variant].map((result) => result[field]));
  const synthRows: (string | number)[][] = [];
  const synthRatios: Record<'validated' | 'unvalidated', number> = { validated: Number.NaN, unvalidated: Number.NaN };
  for (const setting of ['validated', 'unvalidated'] as const) {
    const setLabel = setting === 'validated' ? 'default (template validation on)' : '`CDK_VALIDATION=false`';
    const row = (name: string, variant: 'ours' | 'cfn') => {
      const app = synthStats(setting, variant, 'appMs');
      return [`${name}, ${setLabel}`, ms(app.median), ms(app.p90), ms(synthStats(setting, variant, 'synthMs').median),
        ms(synthStats(setting, variant, 'appCpuMs').median), ms(synthStats(setting, variant, 'processMs').median)];
    };
    const r = (field: SynthField, which: 'median' | 'p90' = 'median') =>
      synthStats(setting, 'ours', field)[which] / synthStats(setting, 'cfn', field)[which];
    synthRatios[setting] = r('appMs');
    synthRows.push(row('`PlaybackKeyPair` (this package)', 'ours'), row('`aws_ivs.CfnPlaybackKeyPair`', 'cfn'),
      [`**Ratio**, ${setLabel}`, `**${ratio(r('appMs'))}**`, ratio(r('appMs', 'p90')), ratio(r('synthMs')), ratio(r('appCpuMs')),
        ratio(r('processMs'))]);
  }
  const cliStats = (variant: 'ours' | 'cfn', field: keyof CdkSynthSample) => stats(synth.cli[variant].map((sample) => sample[field]));
  const [cliOurs, cliCfn] = [cliStats('ours', 'wallMs'), cliStats('cfn', 'wallMs')];
  const [cliOursCpu, cliCfnCpu] = [cliStats('ours', 'cpuMs'), cliStats('cfn', 'cpuMs')];
  const synthRatio = cliOurs.median / cliCfn.median;
  const synthCpuRatio = cliOursCpu.median / cliCfnCpu.median;
  out.push(`### \`cdk synth\` command, one key pair (${SYNTH_RUNS} runs each, interleaved)`, '');
  out.push(table(['Stack', 'Wall, median', 'p90', 'Min', 'CPU time, median'], [
    ['`PlaybackKeyPair` (this package)', ms(cliOurs.median), ms(cliOurs.p90), ms(cliOurs.min), ms(cliOursCpu.median)],
    ['`aws_ivs.CfnPlaybackKeyPair`', ms(cliCfn.median), ms(cliCfn.p90), ms(cliCfn.min), ms(cliCfnCpu.median)],
    ['**Ratio**', `**${ratio(synthRatio)}**`, ratio(cliOurs.p90 / cliCfn.p90), ratio(cliOurs.min / cliCfn.min), `**${ratio(synthCpuRatio)}**`],
  ]));
  out.push('', 'The whole `cdk synth --app ...` command as a user runs it (the CDK CLI of this repository, the app, its '
    + 'template validation and the cloud assembly), spawn to exit. The table below takes it apart.', '');
  out.push(`### Inside the app: construction and \`app.synth()\`, one key pair (${SYNTH_RUNS} fresh processes each, interleaved)`, '');
  out.push(table(['Stack', 'Construction + `app.synth()`, median', 'p90', 'of which `app.synth()`', 'CPU time of construction + synth, median',
    'Whole app process (spawn → exit), median'], synthRows));
  out.push('', 'Construction + synth is timed inside the app process from after `require(\'aws-cdk-lib\')` (the same for '
    + 'both) and includes loading this package. The default is what `cdk synth` runs: aws-cdk-lib validates the templates '
    + 'in `app.synth()`, a fixed cost plus a cost per resource type; `CDK_VALIDATION=false` shows the construct\'s own cost.', '');

  // targets
  const allAtMinimum = eventsAtMinimum === EVENT_RULES.length;
  const targets: [string, string, boolean][] = [
    [`Cold start ratio ours / AwsCustomResource ≤ ${TARGETS.coldStartRatio.toFixed(2)} (median)`, ratio(coldRatio), coldRatio <= TARGETS.coldStartRatio],
    [`Handler asset ≤ ${TARGETS.assetKb} KB`, kb(assetBytes), assetBytes <= TARGETS.assetKb * 1024],
    [`At most ${TARGETS.resourcesForOneKey} resources for one key pair (CDK metadata aside)`, String(t.ours[1].resources),
      t.ours[1].resources <= TARGETS.resourcesForOneKey],
    [`One resource per additional key pair`, String(perExtra('ours')), perExtra('ours') === TARGETS.resourcesPerExtraKey],
    [`Longest dependency chain ending at the key pair ≤ ${TARGETS.chainLength}`, t.ours[1].chain.join(' → '),
      t.ours[1].chain.length <= TARGETS.chainLength],
    ['Viewer-token backend bundle holds no input from aws-cdk-lib or constructs', cdkInputsFound(tokenBundles.ours),
      tokenBundles.ours.cdkInputs.length === 0],
    ['IVS calls = minimum for every event', `${eventsAtMinimum} / ${EVENT_RULES.length} events`, allAtMinimum],
    [`\`cdk synth\` ratio ours / CfnPlaybackKeyPair ≤ ${TARGETS.synthRatio} (median of the whole command, wall clock)`,
      ratio(synthRatio), synthRatio <= TARGETS.synthRatio],
    [`\`cdk synth\` ratio ours / CfnPlaybackKeyPair ≤ ${TARGETS.synthRatio} (median of the whole command, CPU time)`,
      ratio(synthCpuRatio), synthCpuRatio <= TARGETS.synthRatio],
  ];
  targets.push(...tokenPerformance.targets);
  out.push('### Targets', '');
  out.push(table(['Target', 'Measured', 'Result'], targets.map(([name, measured, ok]) => [name, measured, passFail(ok)])));
  out.push('', `Cold starts on Node.js ${node.version} (${path.relative(ROOT, node.binary)}, the major of the handler's Lambda `
    + `runtime nodejs${node.major}.x); everything else on Node.js ${process.version}. ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), aws-cdk-lib `
    + `${packageVersion('aws-cdk-lib')}, @aws-sdk/client-ivs ${packageVersion('@aws-sdk/client-ivs')}; load average `
    + `${loadBefore[0].toFixed(2)} → ${loadAfter[0].toFixed(2)}; bench took ${((performance.now() - startedAt) / 1000).toFixed(0)} s.`);

  process.stdout.write(`${out.join('\n')}\n`);

  if (process.env.BENCH_JSON) {
    fs.writeFileSync(process.env.BENCH_JSON, `${JSON.stringify({
      coldStartNode: node.version, benchNode: process.version, assetBytes, theirHandlerBytes, cold, tokenBundles, tokenPerformance: tokenPerformance.figures, lifecycle: Object.fromEntries(lifecycle), synth, loadBefore, loadAfter,
    }, undefined, 2)}\n`);
  }
  if (process.env.BENCH_STRICT === '1' && targets.some(([, , ok]) => !ok)) process.exitCode = 1;
}

main().then(
  () => process.exit(),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
