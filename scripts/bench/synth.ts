// The synthesized templates for 1 and 3 key pairs next to CfnPlaybackKeyPair and AwsCustomResource, and the time of
// `cdk synth` of a one-key stack against CfnPlaybackKeyPair (the app runs in scripts/bench/synth-child.cjs).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { childEnv, ms, progress, ratio, ROOT, stats, SYNTH_RUNS, table, waitForExit } from './common';

const SYNTH_CHILD = path.join(__dirname, 'synth-child.cjs');

export interface SynthResult {
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

export type Variant = 'ours' | 'cfn' | 'awscr';

/**
 * One app process. `validate: false` sets CDK_VALIDATION=false, which skips aws-cdk-lib's default
 * template validation (it changes no template, only the time).
 */
export async function runSynthChild(variant: Variant, count: number, validate = true): Promise<SynthResult> {
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
export interface CdkSynthSample {
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
  const command = [
    process.execPath,
    CDK_CLI,
    'synth',
    '--quiet',
    '--no-notices',
    '--output',
    path.join(workDir, 'cdk.out'),
    '--app',
    `"${process.execPath}" "${SYNTH_CHILD}" ${variant} 1`,
  ];
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
  if (code !== 0 || Number.isNaN(user + system))
    throw new Error(`cdk synth of ${variant} failed (exit ${code}):\n${stderr}`);
  return { wallMs, cpuMs: (user + system) * 1000 };
}

export interface SynthBench {
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
export async function benchSynth(first: { ours: SynthResult; awscr: SynthResult }): Promise<SynthBench> {
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

/** Resources each key pair after the first adds, from the templates with 1 and 3 key pairs. */
export function perExtraKeyPair(synth: SynthBench, variant: Variant): number {
  return (synth.templates[variant][3].resources - synth.templates[variant][1].resources) / 2;
}

export function templatesReport(synth: SynthBench): string[] {
  const out: string[] = [];
  // 3. templates
  const t = synth.templates;
  const perExtra = (variant: Variant) => perExtraKeyPair(synth, variant);
  const lambdas = (result: SynthResult) => result.types['AWS::Lambda::Function'] ?? 0;
  const templateRow = (name: string, variant: Variant) => [
    name,
    t[variant][1].resources,
    t[variant][3].resources,
    perExtra(variant),
    t[variant][1].chain.length,
    `${lambdas(t[variant][1])} / ${lambdas(t[variant][3])}`,
    Object.entries(t[variant][1].types)
      .map(([type, n]) => `${n}× ${type.replace(/^AWS::/, '')}`)
      .join(', '),
  ];
  out.push('### Synthesized template', '');
  out.push(
    table(
      [
        'Stack',
        'Resources, 1 key pair',
        'Resources, 3 key pairs',
        'Added per extra key pair',
        'Longest chain to the key pair',
        'Lambda functions (1 / 3)',
        'Resources for 1 key pair',
      ],
      [
        templateRow('`PlaybackKeyPair` (this package)', 'ours'),
        templateRow('`aws_ivs.CfnPlaybackKeyPair`', 'cfn'),
        templateRow('`AwsCustomResource` Import/Delete', 'awscr'),
      ],
    ),
  );
  out.push('');

  return out;
}

/** The `cdk synth` tables, and the ratios the targets read (median of the whole command, wall clock and CPU time). */
export function synthTimeReport(synth: SynthBench): { lines: string[]; synthRatio: number; synthCpuRatio: number } {
  const out: string[] = [];
  // 4. synth time
  type SynthField = 'appMs' | 'appCpuMs' | 'synthMs' | 'processMs';
  const synthStats = (setting: 'validated' | 'unvalidated', variant: 'ours' | 'cfn', field: SynthField) =>
    stats(synth.timed[setting][variant].map((result) => result[field]));
  const synthRows: (string | number)[][] = [];
  for (const setting of ['validated', 'unvalidated'] as const) {
    const setLabel = setting === 'validated' ? 'default (template validation on)' : '`CDK_VALIDATION=false`';
    const row = (name: string, variant: 'ours' | 'cfn') => {
      const app = synthStats(setting, variant, 'appMs');
      return [
        `${name}, ${setLabel}`,
        ms(app.median),
        ms(app.p90),
        ms(synthStats(setting, variant, 'synthMs').median),
        ms(synthStats(setting, variant, 'appCpuMs').median),
        ms(synthStats(setting, variant, 'processMs').median),
      ];
    };
    const r = (field: SynthField, which: 'median' | 'p90' = 'median') =>
      synthStats(setting, 'ours', field)[which] / synthStats(setting, 'cfn', field)[which];
    synthRows.push(row('`PlaybackKeyPair` (this package)', 'ours'), row('`aws_ivs.CfnPlaybackKeyPair`', 'cfn'), [
      `**Ratio**, ${setLabel}`,
      `**${ratio(r('appMs'))}**`,
      ratio(r('appMs', 'p90')),
      ratio(r('synthMs')),
      ratio(r('appCpuMs')),
      ratio(r('processMs')),
    ]);
  }
  const cliStats = (variant: 'ours' | 'cfn', field: keyof CdkSynthSample) =>
    stats(synth.cli[variant].map((sample) => sample[field]));
  const [cliOurs, cliCfn] = [cliStats('ours', 'wallMs'), cliStats('cfn', 'wallMs')];
  const [cliOursCpu, cliCfnCpu] = [cliStats('ours', 'cpuMs'), cliStats('cfn', 'cpuMs')];
  const synthRatio = cliOurs.median / cliCfn.median;
  const synthCpuRatio = cliOursCpu.median / cliCfnCpu.median;
  out.push(`### \`cdk synth\` command, one key pair (${SYNTH_RUNS} runs each, interleaved)`, '');
  out.push(
    table(
      ['Stack', 'Wall, median', 'p90', 'Min', 'CPU time, median'],
      [
        [
          '`PlaybackKeyPair` (this package)',
          ms(cliOurs.median),
          ms(cliOurs.p90),
          ms(cliOurs.min),
          ms(cliOursCpu.median),
        ],
        ['`aws_ivs.CfnPlaybackKeyPair`', ms(cliCfn.median), ms(cliCfn.p90), ms(cliCfn.min), ms(cliCfnCpu.median)],
        [
          '**Ratio**',
          `**${ratio(synthRatio)}**`,
          ratio(cliOurs.p90 / cliCfn.p90),
          ratio(cliOurs.min / cliCfn.min),
          `**${ratio(synthCpuRatio)}**`,
        ],
      ],
    ),
  );
  out.push(
    '',
    'The whole `cdk synth --app ...` command as a user runs it (the CDK CLI of this repository, the app, its ' +
      'template validation and the cloud assembly), spawn to exit. The table below takes it apart.',
    '',
  );
  out.push(
    `### Inside the app: construction and \`app.synth()\`, one key pair (${SYNTH_RUNS} fresh processes each, interleaved)`,
    '',
  );
  out.push(
    table(
      [
        'Stack',
        'Construction + `app.synth()`, median',
        'p90',
        'of which `app.synth()`',
        'CPU time of construction + synth, median',
        'Whole app process (spawn → exit), median',
      ],
      synthRows,
    ),
  );
  out.push(
    '',
    "Construction + synth is timed inside the app process from after `require('aws-cdk-lib')` (the same for " +
      'both) and includes loading this package. The default is what `cdk synth` runs: aws-cdk-lib validates the templates ' +
      "in `app.synth()`, a fixed cost plus a cost per resource type; `CDK_VALIDATION=false` shows the construct's own cost.",
    '',
  );
  return { lines: out, synthRatio, synthCpuRatio };
}
