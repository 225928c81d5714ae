// Bundles the custom-resource handler into assets/, which ships in the package, so that
// consumers synthesize without esbuild or Docker. Deterministic output keeps the asset hash stable.
//
// `--if-stale` (cdk.json's app, before each `npx cdk synth` of the example): bundles only when a source the bundle is
// built from (lambda/, lib/shared/, the lockfile, this script) is newer than the bundle, so a contributor who edits
// lambda/ synthesizes the new handler, and everyone else does not pay for esbuild on every synth.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUTFILE = 'assets/ivs-key-handler/index.js';

/** Whether the bundle is missing or older than any file it is built from. */
function bundleIsStale() {
  const mtime = (file) => statSync(`${root}${file}`, { throwIfNoEntry: false })?.mtimeMs;
  const built = mtime(OUTFILE);
  if (built === undefined) return true;
  const sources = ['lambda', 'lib/shared'].flatMap((dir) =>
    readdirSync(`${root}${dir}`, { recursive: true }).map((file) => `${dir}/${file}`),
  );
  return [
    ...sources,
    'package-lock.json',
    'scripts/bundle-handler.mjs',
    'scripts/node-versions.mjs',
    'scripts/contract.mjs',
  ].some((file) => (mtime(file) ?? 0) > built);
}

if (process.argv.includes('--if-stale') && !bundleIsStale()) process.exit(0);

const { build } = await import('esbuild');
const { handlerNodeMajor } = await import('./node-versions.mjs');
await build({
  absWorkingDir: root,
  entryPoints: ['lambda/ivs-key-handler/index.ts'],
  outfile: OUTFILE,
  bundle: true,
  platform: 'node',
  target: `node${handlerNodeMajor()}`,
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // Independent of any tsconfig.json around the checkout, so every checkout bundles the same bytes.
  tsconfigRaw: {},
  banner: { js: '"use strict";' },
  // Prefer the SDK's ES module builds: they tree-shake to the commands the handler imports.
  mainFields: ['module', 'main'],
  // The SDK's lazy `import("node:http")` becomes a require(): the same at run time in Lambda, and
  // loadable by test runners that evaluate the bundle in a VM context.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
});
