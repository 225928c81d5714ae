// `npm run build`: jsii compiles lib/ in place (.js, .d.ts and the .jsii assembly, from tsconfig.jsii.json), esbuild
// writes the ES module build of ./tokens (scripts/build-tokens-esm.mjs) and bundles the handler into assets/
// (scripts/bundle-handler.mjs). On a Node.js older than engines allows, it runs on the handler's Node.js instead
// (scripts/tools.mjs), where jsii prints no unsupported-Node.js banner.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runOnSupportedNode } from './tools.mjs';

runOnSupportedNode();

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const steps = [
  [`${ROOT}node_modules/.bin/jsii`],
  [process.execPath, `${ROOT}scripts/build-tokens-esm.mjs`],
  [process.execPath, `${ROOT}scripts/bundle-handler.mjs`],
];
for (const [command, ...args] of steps) {
  const { status, error } = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (error) throw error;
  if (status !== 0) process.exit(status ?? 1);
}
