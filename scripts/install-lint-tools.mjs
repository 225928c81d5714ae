// `npm run install:lint-tools` (run by `prepare`, so by `npm ci`): installs the lint tools.
// - tools/lint/node_modules: ESLint, typescript-eslint, Prettier, pinned by tools/lint/package-lock.json. A package of
//   its own because typescript-eslint needs TypeScript's JS API (typescript < 6.1), which the repository's
//   TypeScript 7 no longer has.
// - tools/lint/bin/actionlint: built from the Go module tools/lint/go.mod pins (go.sum holds its checksums), skipped
//   when the binary there already is that version. Without Go this says so; `npm run lint` then fails naming it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ACTIONLINT, ACTIONLINT_MODULE, LINT_DIR, pinnedActionlintVersion } from './lint-tools.mjs';

execFileSync('npm', ['ci', '--prefix', LINT_DIR, '--no-audit', '--no-fund', '--ignore-scripts'], { stdio: 'inherit' });

const version = pinnedActionlintVersion();
const installed = existsSync(ACTIONLINT)
  ? execFileSync(ACTIONLINT, ['--version'], { encoding: 'utf8' }).split('\n')[0]
  : '';
if (installed === version) {
  console.log(`install:lint-tools: actionlint ${version} is up to date.`);
} else {
  try {
    execFileSync('go', ['build', '-o', 'bin/actionlint', `${ACTIONLINT_MODULE}/cmd/actionlint`], {
      cwd: LINT_DIR,
      stdio: 'inherit',
    });
    console.log(`install:lint-tools: built actionlint ${version} into tools/lint/bin.`);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    console.log(
      `install:lint-tools: actionlint not built: it needs Go 1.25 or later on PATH (npm run lint checks the workflows with it).`,
    );
  }
}
