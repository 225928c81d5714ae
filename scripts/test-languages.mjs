// `npm run test:languages`: packages the library for every language (scripts/package.mjs), then synthesizes the example
// app in Python, Java and Go against dist/ (jest.languages.config.js). On a Node.js older than engines allows, it runs
// on the handler's Node.js (scripts/tools.mjs): the language apps start the jsii runtime on the `node` of PATH.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runOnSupportedNode } from './tools.mjs';

runOnSupportedNode();

const ROOT = fileURLToPath(new URL('..', import.meta.url));
for (const [command, ...args] of [
  [process.execPath, `${ROOT}scripts/package.mjs`],
  [`${ROOT}node_modules/.bin/jest`, '-c', 'jest.languages.config.js'],
]) {
  const { status, error } = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (error) throw error;
  if (status !== 0) process.exit(status ?? 1);
}
