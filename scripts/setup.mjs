// `npm run setup`: installs what `npm test` needs besides node_modules (the handler's Node.js, the Python tools, the
// lint tools; see scripts/tools.mjs), each only when missing or changed. `npm test` does the same by itself; this is
// for running single test files (`npx jest test/x.test.ts`) or the bench first. `--node <major>` adds a Node.js major
// of tools/node-versions (scripts/with-node.mjs installs the one it is asked for anyway).
import { parseArgs } from 'node:util';
import { ensureNodeVersion, ensureTestTools } from './tools.mjs';

const { values } = parseArgs({ options: { node: { type: 'string', multiple: true, default: [] } } });
ensureTestTools();
for (const major of values.node) ensureNodeVersion(Number(major));
console.log('setup: done.');
