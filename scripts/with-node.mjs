// Runs a command on a given Node.js major, from the official binaries that tools/node-versions/<major>/ pins (installed
// from the npm registry on first use, scripts/tools.mjs):
//   node scripts/with-node.mjs 22 npm test
//   node scripts/with-node.mjs lambda jest -c jest.handler.config.js   (the Lambda runtime's major)
// The version's bin directory goes first on PATH, so `node`, `npm` and every `#!/usr/bin/env node`
// script the command starts run on it. Prints the version it used.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { handlerNodeMajor } from './node-versions.mjs';
import { ensureNodeVersion, envWithPath } from './tools.mjs';

const [wanted, command, ...args] = process.argv.slice(2);
if (!wanted || !command) {
  console.error('usage: node scripts/with-node.mjs <major>|lambda <command> [args...]');
  process.exit(2);
}
const major = wanted === 'lambda' ? handlerNodeMajor() : Number(wanted);
let bin;
try {
  bin = ensureNodeVersion(major);
} catch (error) {
  console.error(`with-node: ${error.message}`);
  process.exit(1);
}
const version = spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(
  `with-node: ${[command, ...args].join(' ')} on Node.js ${version}${wanted === 'lambda' ? ` (the handler's Lambda runtime, nodejs${major}.x)` : ''}`,
);
const result = spawnSync(command, args, { cwd: process.cwd(), stdio: 'inherit', env: envWithPath(bin) });
if (result.error) {
  console.error(`with-node: could not run ${command}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
