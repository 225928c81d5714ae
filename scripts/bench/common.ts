// Shared by the bench's measurements (scripts/bench/*.ts): paths, run counts, statistics, formatting and child
// processes.
import { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const OUR_HANDLER = path.join(ROOT, 'assets', 'ivs-key-handler', 'index.js');

export const RUNS = positiveInt('BENCH_RUNS', 21);
export const EVENT_RUNS = positiveInt('BENCH_EVENT_RUNS', 25);
export const SYNTH_RUNS = positiveInt('BENCH_SYNTH_RUNS', 5);
export const WARMUP = 2;

export const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/BenchStack/5b6f1d2e-0c1a-11f0-9f3e-0a1b2c3d4e5f';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export interface Stats {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // Nearest rank.
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * n) - 1)];
  return { n, median, p90, min: sorted[0] };
}

export const ms = (value: number) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);
export const ratio = (value: number) => `${value.toFixed(2)}×`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const bytesAndKb = (bytes: number) => `${bytes.toLocaleString('en-US')} B (${kb(bytes)})`;
export const passFail = (ok: boolean) => (ok ? '✅ pass' : '❌ FAIL');

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function p384Pem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}

/** Resource properties as CloudFormation delivers them: every scalar becomes a string. */
export function asCloudFormationSends(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCloudFormationSends);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asCloudFormationSends(inner)]));
  }
  return value === undefined || value === null ? value : String(value);
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A child's environment: nothing inherited but PATH, so the host's NODE_OPTIONS, CA bundles or AWS profile do not leak in. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...extra };
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

export function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}
