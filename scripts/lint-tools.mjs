// Where the lint tools live (tools/lint/, installed by scripts/install-lint-tools.mjs from `prepare`),
// for the install and for `npm run lint` / `npm run format` (scripts/lint.mjs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LINT_DIR = fileURLToPath(new URL('../tools/lint/', import.meta.url));
export const ESLINT = `${LINT_DIR}node_modules/.bin/eslint`;
export const PRETTIER = `${LINT_DIR}node_modules/.bin/prettier`;
export const ACTIONLINT = `${LINT_DIR}bin/actionlint`;
export const ACTIONLINT_MODULE = 'github.com/rhysd/actionlint';

/** The actionlint version tools/lint/go.mod pins, e.g. v1.7.12. */
export function pinnedActionlintVersion() {
  const goMod = readFileSync(`${LINT_DIR}go.mod`, 'utf8');
  const version = goMod.match(/^\s*github\.com\/rhysd\/actionlint (v\S+)/m)?.[1];
  if (!version) throw new Error(`tools/lint/go.mod does not require ${ACTIONLINT_MODULE}`);
  return version;
}
