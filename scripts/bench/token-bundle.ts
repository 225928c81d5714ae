// A viewer-token backend bundled for Lambda with esbuild from `cdk-ivs-playback-key-pair/tokens` (resolved through the
// package's "exports" map): its size next to the same backend written with jose directly, each bundle run once on the
// Lambda runtime's Node.js and its token verified, and a check from esbuild's metafile that no input comes from
// aws-cdk-lib or constructs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { generatePlaybackKeyPair, verifyPlaybackToken } from '../../lib/tokens';
import { bytesAndKb, childEnv, kb, packageVersion, ratio, ROOT, table } from './common';
import type { LambdaNode } from './lambda-node';

/** Two backends that sign and verify one viewer token: with this package's CDK-free entry point, and with jose directly. */
const TOKEN_BACKENDS = {
  ours: path.join(__dirname, 'token-backend.mjs'),
  jose: path.join(__dirname, 'token-backend-jose.mjs'),
} as const;
export type TokenBackend = keyof typeof TOKEN_BACKENDS;
const TOKEN_BACKEND_CHILD = path.join(__dirname, 'token-backend-child.cjs');
const JOSE_DIR = path.dirname(require.resolve('jose/package.json', { paths: [ROOT] }));
const BENCH_CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEfGhIjKl';

export interface TokenBundle {
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
  for (const [backend, source] of Object.entries(TOKEN_BACKENDS))
    fs.copyFileSync(source, path.join(dir, `${backend}.mjs`));
  return dir;
}

/** Where an input of the bundle comes from, by its real path. */
function inputOrigin(file: string): string {
  if (file.startsWith(path.join(ROOT, 'lib') + path.sep)) return 'cdk-ivs-playback-key-pair lib/';
  const packages = [...file.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)];
  return packages.length ? packages[packages.length - 1][1] : 'backend source';
}

/** Bundles one backend as a user would for Lambda: esbuild, platform node, the runtime's Node.js as target, minified. */
async function bundleTokenBackend(
  dir: string,
  backend: TokenBackend,
  node: LambdaNode,
): Promise<{ file: string; bundle: TokenBundle }> {
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
  const inputs = Object.entries(metafile.inputs).map(([input, { bytes }]) => ({
    file: fs.realpathSync(path.resolve(dir, input)),
    bytes,
    bytesInBundle: kept[input]?.bytesInOutput ?? 0,
  }));
  if (backend === 'ours' && !inputs.some((input) => input.file === path.join(ROOT, 'lib', 'tokens.mjs'))) {
    throw new Error(
      'The token backend bundle does not hold lib/tokens.mjs: "cdk-ivs-playback-key-pair/tokens" no longer resolves there',
    );
  }
  const inputsByOrigin: TokenBundle['inputsByOrigin'] = {};
  for (const input of inputs) {
    const origin = (inputsByOrigin[inputOrigin(input.file)] ??= { files: 0, bytes: 0, bytesInBundle: 0 });
    origin.files++;
    origin.bytes += input.bytes;
    origin.bytesInBundle += input.bytesInBundle;
  }
  const cdkInputs = inputs
    .map((input) => input.file)
    .filter((input) => /node_modules\/(aws-cdk-lib|constructs)\//.test(input));
  return { file, bundle: { bytes: fs.statSync(file).size, inputsByOrigin, cdkInputs } };
}

/** Runs a bundle once on the Lambda runtime's Node.js and checks its token as IVS would (verifyPlaybackToken). */
async function checkTokenBackend(backend: TokenBackend, file: string, node: LambdaNode): Promise<void> {
  const keys = generatePlaybackKeyPair();
  const output = execFileSync(node.binary, [TOKEN_BACKEND_CHILD, file], {
    encoding: 'utf8',
    env: childEnv({
      PLAYBACK_PRIVATE_KEY: keys.privateKeyPem,
      PLAYBACK_PUBLIC_KEY: keys.publicKeyPem,
      BENCH_CHANNEL_ARN,
    }),
  });
  const { token } = JSON.parse(output) as { token: string };
  const verified = await verifyPlaybackToken(token, keys.publicKeyPem);
  if (verified.channelArn !== BENCH_CHANNEL_ARN)
    throw new Error(`The ${backend} token backend signed a token for ${verified.channelArn}`);
}

export async function benchTokenBundles(node: LambdaNode): Promise<Record<TokenBackend, TokenBundle>> {
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

const keptOf = (bundle: TokenBundle, origin: string) => bundle.inputsByOrigin[origin]?.bytesInBundle ?? 0;

/** The CDK files a token bundle holds, a few named. */
export function cdkInputsFound(bundle: TokenBundle): string {
  const { cdkInputs } = bundle;
  if (cdkInputs.length === 0) return 'none';
  const named = cdkInputs
    .slice(0, 3)
    .map((file) => `\`${path.relative(ROOT, file)}\``)
    .join(', ');
  return `${cdkInputs.length} files: ${named}${cdkInputs.length > 3 ? ', …' : ''}`;
}

export function tokenBundleReport(bundles: Record<TokenBackend, TokenBundle>, node: LambdaNode): string[] {
  // Largest origins first, a few of them: a bundle that pulled in the CDK has dozens.
  const origins = (bundle: TokenBundle) => {
    const sorted = Object.entries(bundle.inputsByOrigin).sort(([, a], [, b]) => b.bytes - a.bytes);
    const shown = sorted
      .slice(0, 4)
      .map(
        ([origin, { files, bytes, bytesInBundle }]) =>
          `${origin}: ${files} ${files === 1 ? 'file' : 'files'}, ${kb(bytes)} → ${kb(bytesInBundle)}`,
      );
    return [...shown, ...(sorted.length > shown.length ? [`and ${sorted.length - shown.length} more`] : [])].join('; ');
  };
  const cdk = (bundle: TokenBundle) => (bundle.cdkInputs.length ? `❌ ${bundle.cdkInputs.length} files` : '0');
  const row = (name: string, bundle: TokenBundle) => [
    name,
    bytesAndKb(bundle.bytes),
    origins(bundle),
    cdk(bundle),
    'yes',
  ];
  return [
    `### Viewer-token backend for Lambda: esbuild bundle (platform node, target node${node.major}, CommonJS, minified)`,
    '',
    table(
      [
        'Backend: signs one token and verifies it',
        'Bundle',
        'Inputs by origin: files, bytes → bytes kept in the bundle',
        'Inputs from aws-cdk-lib or constructs',
        `Runs on Node.js ${node.version}, token passes \`verifyPlaybackToken\``,
      ],
      [
        row('`signPlaybackToken` + `verifyPlaybackToken` from `cdk-ivs-playback-key-pair/tokens`', bundles.ours),
        row(`\`jose\` ${packageVersion('jose')} directly, header and claims written by hand`, bundles.jose),
        ['**Ratio ours / jose directly**', `**${ratio(bundles.ours.bytes / bundles.jose.bytes)}**`, '', '', ''],
      ],
    ),
    '',
    'Both backends (scripts/bench/token-backend*.mjs) are bundled in a scratch project whose node_modules links this ' +
      'package and jose, so `cdk-ivs-playback-key-pair/tokens` resolves through the package\'s "exports" map, as in a ' +
      "user's project. Inputs are read from esbuild's metafile; each bundle is then run once and its token checked. " +
      `The backend's \`import\` gets the package's ES module build, which signs and verifies with node:crypto: it holds ` +
      `${kb(keptOf(bundles.ours, 'jose'))} of jose (the direct backend ${kb(keptOf(bundles.jose, 'jose'))}).`,
    '',
  ];
}
