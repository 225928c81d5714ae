// `npm test`: sets up what it needs (scripts/tools.mjs: the handler's Node.js, the Python tools, the lint tools, each
// only when missing or changed), builds, then runs two lanes at once and fails if any step fails. On a Node.js older
// than engines allows, it runs on the handler's Node.js instead (the library is tested on the Node.js that runs this).
// - The fast lane, one step after another: `tsc` over the whole repository, `npm run lint`, the API records check
//   (`npm run api:check`) and the fast jest suite (`jest`). It keeps a core busy.
// - The handler lane: `npm run test:handler`, the handler's tests on the Lambda runtime's Node.js. They spend most of
//   their time waiting (the SDK's retry backoff, deadlines, local HTTP), so beside the fast lane they cost little.
//   Their output is held and printed after the fast lane's, so the two never interleave.
import { spawn } from 'node:child_process';
import { ensureTestTools, runOnSupportedNode } from './tools.mjs';

runOnSupportedNode();
ensureTestTools();

/** Runs a command; with `hold`, collects its output instead of printing it. Resolves to its exit code and output. */
function run(command, args, { hold = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', hold ? 'pipe' : 'inherit', hold ? 'pipe' : 'inherit'] });
    const output = [];
    if (hold) {
      child.stdout.on('data', (chunk) => output.push(chunk));
      child.stderr.on('data', (chunk) => output.push(chunk));
    }
    child.on('error', (error) => output.push(Buffer.from(`${command}: ${error.message}\n`)));
    child.on('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(output) }));
  });
}

/** Runs the steps one after another, stopping at the first that fails; resolves to the name of that step. */
async function lane(steps) {
  for (const [command, ...args] of steps) {
    const { code } = await run(command, args);
    if (code !== 0) return [command, ...args].join(' ');
  }
  return undefined;
}

// npm puts node_modules/.bin on PATH for its scripts, so `tsc` and `jest` are the project's.
const build = await run('npm', ['run', 'build']);
if (build.code !== 0) process.exit(build.code);

const handlerLane = run('npm', ['run', 'test:handler'], { hold: true });
const fastFailure = await lane([
  ['tsc', '-p', 'tsconfig.json'],
  ['npm', 'run', 'lint'],
  ['npm', 'run', 'api:check'],
  ['jest'],
]);
const handler = await handlerLane;
process.stdout.write(handler.output);

const failed = [fastFailure, handler.code !== 0 ? 'npm run test:handler' : undefined].filter(Boolean);
if (failed.length) {
  console.error(`npm test: ${failed.join(' and ')} failed.`);
  process.exit(1);
}
