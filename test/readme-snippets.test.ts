/**
 * Every TypeScript and JavaScript snippet of the README and of docs/ compiles under `strict`:
 * - `ts` blocks are the constructs': jsii-rosetta compiles the README's in strict mode in `npm run api:check` (the
 *   stack fixture of rosetta/default.ts-fixture) and translates them for the other languages. This test checks that
 *   none of them is a backend snippet, which rosetta could not compile, and that docs/, which rosetta does not see,
 *   has none.
 * - `js` blocks are the backends' (`cdk-ivs-playback-key-pair/tokens`, JavaScript only): each is type-checked here
 *   as the ES module a backend would write, with TypeScript's `checkJs` under `strict`, against the built package
 *   (`npm run build`) resolved through its `exports` as an installed dependency would be.
 * The Python snippets run in `npm run test:languages` (the CDK ones need aws-cdk-lib from PyPI and the built wheel)
 * and in test/readme-python-signer.test.ts (the boto3 signer, against moto's Secrets Manager).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..');
const PACKAGE_NAME = 'cdk-ivs-playback-key-pair';

const PAGES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

interface Snippet {
  readonly page: string;
  readonly language: string;
  readonly line: number;
  readonly code: string;
}

/** A page's fenced code blocks, their list-item indentation removed. */
function snippetsOf(page: string): Snippet[] {
  const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
  return [...text.matchAll(/^( *)```(\w+)[^\n]*\n([\s\S]*?)^ *```/gm)].map((match) => {
    const [, indent, language, code] = match;
    return {
      page,
      language,
      line: text.slice(0, match.index).split('\n').length,
      code: code
        .split('\n')
        .map((line) => line.slice(indent.length))
        .join('\n'),
    };
  });
}

const snippets = PAGES.flatMap(snippetsOf);
const javascript = snippets.filter((snippet) => ['js', 'javascript'].includes(snippet.language));
const typescript = snippets.filter((snippet) => ['ts', 'typescript'].includes(snippet.language));
const where = (snippet: Snippet) => `${snippet.page}:${snippet.line}`;

test('the construct snippets (ts, compiled by jsii-rosetta) are in the README and never import the backend entry point', () => {
  expect(typescript.length).toBeGreaterThan(0);
  const notCompiled = typescript.filter(
    (snippet) => snippet.page !== 'README.md' || snippet.code.includes(`${PACKAGE_NAME}/tokens`),
  );
  expect(notCompiled.map(where)).toEqual([]);
});

test('every JavaScript snippet type-checks under strict against the built package', () => {
  expect(javascript.map((snippet) => snippet.page)).toContain('README.md');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippets-'));
  try {
    // The package as a dependency of the backend, resolved through its package.json `exports`.
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PACKAGE_NAME), 'dir');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'backend', type: 'module' }));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          allowJs: true,
          checkJs: true,
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        },
        include: ['*.mjs'],
      }),
    );
    for (const snippet of javascript) {
      fs.writeFileSync(path.join(dir, `${where(snippet).replace(/[/.:]/g, '-')}.mjs`), snippet.code);
    }

    const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' });
    // File names carry each snippet's page and line, so a failure points at it.
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
