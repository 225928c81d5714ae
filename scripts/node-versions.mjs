// The Node.js releases this project runs on: the major of the handler's Lambda runtime, from the contract
// (lib/shared/contract.ts), the majors the package supports, from package.json's engines, and where
// tools/node-versions/ keeps the official binaries of each (one package per major, installed on demand by
// scripts/tools.mjs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contract } from './contract.mjs';

const NODE_VERSIONS = fileURLToPath(new URL('../tools/node-versions/', import.meta.url));

/** The handler's Lambda runtime major: HANDLER_NODE_MAJOR of the contract. */
export function handlerNodeMajor() {
  return contract().HANDLER_NODE_MAJOR;
}

/** The Node.js majors package.json's engines names ("22.x || 24.x" gives [22, 24]), oldest first. */
export function supportedNodeMajors() {
  const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return [...engines.node.matchAll(/(\d+)\.x/g)].map(([, major]) => Number(major)).sort((a, b) => a - b);
}

/** The package of tools/node-versions that pins Node.js `major`, e.g. tools/node-versions/24/. */
export function nodeVersionDir(major) {
  return `${NODE_VERSIONS}${major}/`;
}

/** Where Node.js `major`'s bin directory is once its package is installed (`node` is in it). */
export function nodeBinPath(major) {
  return `${nodeVersionDir(major)}node_modules/node-${major}/bin`;
}
