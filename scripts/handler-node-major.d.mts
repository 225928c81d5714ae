// Types of handler-node-major.mjs, for the TypeScript scripts that import it (scripts/bench.ts).
/** The Node.js major of the handler's Lambda runtime (`nodejs<major>.x`), read from lib/handler-runtime.ts. */
export function handlerNodeMajor(): number;
