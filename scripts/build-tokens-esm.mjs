// Builds the ES module of `cdk-ivs-playback-key-pair/tokens` (lib/tokens.mjs) next to jsii's
// CommonJS build (lib/tokens.js), for the "import" condition of package.json's "exports".
//
// One file from the TypeScript sources, not a wrapper around the CommonJS build: a bundler can
// then tree-shake it to what a backend calls (a CommonJS module is kept whole). Packages stay
// imports (node:crypto; the Secrets Manager client, loaded by the signer with import()), nothing
// is minified (the user's bundler does that), and lib/tokens.d.mts gives `import` the same types.
//
// Except what must exist once per process: the error classes and the store of parsed keys. Those
// modules import nothing, and the ES module imports jsii's CommonJS build of each (SHARED_WITH_COMMONJS)
// instead of bundling a copy, so a program that both imports and requires `./tokens` gets one
// PlaybackTokenError class, not two that fail each other's instanceof, and one key cache.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lib = path.join(root, 'lib');
const { engines } = (await import('../package.json', { with: { type: 'json' } })).default;
// The oldest Node.js the package supports (engines "22.x || ..."): the ES module runs on all of them.
const oldestNodeMajor = Math.min(...engines.node.match(/\d+/g).map(Number));

/** Sources whose one instance per process both builds use; each must import nothing at run time. */
const SHARED_WITH_COMMONJS = [
  'backend/playback-token-error.ts',
  'backend/participant-token-error.ts',
  'backend/token-signer-error.ts',
  'backend/participant-token-signer-error.ts',
  'backend/key-store.ts',
  'shared/validation-error.ts',
].map((file) => path.join(lib, file));

/** Resolves an import of a shared source to jsii's CommonJS file beside it, left as an import of lib/tokens.mjs. */
const sharedWithCommonJs = {
  name: 'shared-with-commonjs',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, ({ path: specifier, resolveDir }) => {
      const source = `${path.resolve(resolveDir, specifier)}.ts`;
      if (!SHARED_WITH_COMMONJS.includes(source)) return undefined;
      return { path: `./${path.relative(lib, source).replace(/\.ts$/, '.js')}`, external: true };
    });
  },
};

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
  plugins: [sharedWithCommonJs],
  // Independent of any tsconfig.json around the checkout, so every checkout builds the same bytes.
  tsconfigRaw: {},
  banner: {
    js: '// cdk-ivs-playback-key-pair/tokens as an ES module, built from lib/tokens.ts by scripts/build-tokens-esm.mjs.',
  },
  logLevel: 'warning',
});

// The declarations jsii wrote for lib/tokens.js, as an ES module's: the API is the same.
writeFileSync(`${root}lib/tokens.d.mts`, "export * from './tokens.js';\n");
