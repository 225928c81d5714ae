// Types of node-versions.mjs, for the TypeScript scripts that import it.
/** The Node.js major of the handler's Lambda runtime (`nodejs<major>.x`), read from lib/shared/contract.ts. */
export function handlerNodeMajor(): number;
/** The Node.js majors package.json's engines names, oldest first. */
export function supportedNodeMajors(): number[];
/** The package of tools/node-versions that pins Node.js `major`. */
export function nodeVersionDir(major: number): string;
/** Where Node.js `major`'s bin directory is once its package is installed. */
export function nodeBinPath(major: number): string;
