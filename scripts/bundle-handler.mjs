// Bundles the custom-resource handler into assets/, which ships in the package, so that
// consumers synthesize without esbuild or Docker. Deterministic output keeps the asset hash stable.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { handlerNodeMajor } from './node-versions.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['lambda/playback-key-pair-handler/index.ts'],
  outfile: 'assets/playback-key-pair-handler/index.js',
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
