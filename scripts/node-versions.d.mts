// Types of node-versions.mjs, for the TypeScript scripts that import it (scripts/bench.ts).
/** The Node.js major of the handler's Lambda runtime (`nodejs<major>.x`), read from lib/shared/contract.ts. */
export function handlerNodeMajor(): number;
/** The bin directory of Node.js `major` from tools/node-versions; throws, saying how to get it, when missing. */
export function nodeBinDir(major: number): string;
