// `npm run package`: compiles the README's TypeScript examples with jsii-rosetta in strict mode (as
// Construct Hub does) into a tablet of translations, then jsii-pacmak writes the npm tarball
// (dist/js), the Python wheel and sdist (dist/python), a Maven repository (dist/java) and the Go
// module (dist/go) from the .jsii assembly that `npm run build` left, each README translated.
// .NET needs the .NET SDK; where `dotnet` is missing the NuGet package is skipped with one line.
import { execFileSync, spawnSync } from 'node:child_process';
import { runOnSupportedNode } from './tools.mjs';

// jsii's tools print an unsupported-Node.js banner on a Node.js older than engines allows: run on a supported one.
runOnSupportedNode();

const TABLET = '.jsii.tabl.json';
const run = (command, ...args) => execFileSync(`node_modules/.bin/${command}`, args, { stdio: 'inherit' });

run('jsii-rosetta', 'extract', '--strict', '--cache-to', TABLET);
const hasDotnet = spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status === 0;
const targets = ['js', 'python', 'java', 'go', ...(hasDotnet ? ['dotnet'] : [])];
if (!hasDotnet) {
  console.log('.NET: skipped, no .NET SDK (`dotnet`) on this machine; dist/dotnet is built where one is installed.');
}
// One target at a time: the build machines have 2 cores. --no-npmignore: package.json's `files` says what ships, and
// jsii-pacmak would otherwise leave an untracked .npmignore in the clone.
run('jsii-pacmak', '--targets', targets.join(','), '--parallel', 'false', '--no-npmignore', '--rosetta-tablet', TABLET);
