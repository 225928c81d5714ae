// The construct–handler contract (lib/shared/contract.ts) for the build scripts, read from its
// TypeScript source through esbuild's transform, so scripts need no prior build (a fresh checkout
// bundles the handler before jsii has compiled lib/). The contract imports nothing, which keeps
// this a plain evaluation of its constants.
import { transformSync } from 'esbuild';
import { readFileSync } from 'node:fs';

const SOURCE = new URL('../lib/shared/contract.ts', import.meta.url);

/** The contract's exports, e.g. `contract().HANDLER_NODE_MAJOR`. */
export function contract() {
  const { code } = transformSync(readFileSync(SOURCE, 'utf8'), { loader: 'ts', format: 'cjs' });
  const module = { exports: {} };
  new Function('module', 'exports', code)(module, module.exports);
  return module.exports;
}
