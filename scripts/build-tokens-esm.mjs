// Builds the ES module of `cdk-ivs-playback-key-pair/tokens` (lib/tokens.mjs) next to jsii's
// CommonJS build (lib/tokens.js), for the "import" condition of package.json's "exports".
//
// One file from the TypeScript sources, not a wrapper around the CommonJS build: a bundler can
// then tree-shake it to what a backend calls (a CommonJS module is kept whole). Packages stay
// imports (node:crypto; the Secrets Manager client, loaded by the signer with import()), nothing
// is minified (the user's bundler does that), and lib/tokens.d.mts gives `import` the same types.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { engines } = (await import('../package.json', { with: { type: 'json' } })).default;
// The oldest Node.js the package supports (engines "22.x || ..."): the ES module runs on all of them.
const oldestNodeMajor = Math.min(...engines.node.match(/\d+/g).map(Number));

await build({
  absWorkingDir: root,
  entryPoints: ['lib/tokens.ts'],
  outfile: 'lib/tokens.mjs',
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: `node${oldestNodeMajor}`,
  format: 'esm',
  minify: false,
  sourcemap: false,
  // Independent of any tsconfig.json around the checkout, so every checkout builds the same bytes.
  tsconfigRaw: {},
  banner: {
    js: '// cdk-ivs-playback-key-pair/tokens as an ES module, built from lib/tokens.ts by scripts/build-tokens-esm.mjs.',
  },
  logLevel: 'warning',
});

// The declarations jsii wrote for lib/tokens.js, as an ES module's: the API is the same.
writeFileSync(`${root}lib/tokens.d.mts`, "export * from './tokens.js';\n");
