/**
 * No module of lib/ or lambda/ reaches itself through its relative imports. A cycle makes load order matter (a
 * module sees the other's exports undefined while both load), and it says two modules are one job split badly.
 *
 * Type-only imports count: they tie the modules together for a reader as much as a value import does, and the
 * cycle this test was written for (claim-checks.ts and playback-token.ts) was one. The repository's TypeScript 7
 * has no JavaScript API (`ts.preProcessFile`), so the imports are read with patterns anchored at the start of a
 * statement, over the source with its comments removed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const SCANNED = ['lib', 'lambda'];

/** `import ... from './x'`, `export ... from './x'`, `import './x'`, across lines; `import type` included. */
const STATIC_IMPORT = /(?:^|;)[ \t]*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE_IMPORT = /(?:^|;)[ \t]*import\s*['"]([^'"]+)['"]/gm;
const CALL_IMPORT = /\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Removes block and line comments, leaving strings (which may hold `//`, as URLs do) as they are. */
function withoutComments(source: string): string {
  return source.replace(
    /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (match, text) => (text === undefined ? match.replace(/[^\n]/g, ' ') : text),
  );
}

/** The relative import specifiers of a TypeScript source. */
export function relativeImports(source: string): string[] {
  const code = withoutComments(source);
  const specifiers = [STATIC_IMPORT, BARE_IMPORT, CALL_IMPORT].flatMap((pattern) =>
    [...code.matchAll(pattern)].map((match) => match[1]),
  );
  return [...new Set(specifiers.filter((specifier) => specifier.startsWith('.')))];
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(file);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [file] : [];
  });
}

/** The file a relative specifier names: `./x` is `./x.ts` or `./x/index.ts`; a `.js` suffix names its `.ts`. */
function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier.replace(/\.(?:m|c)?js$/, ''));
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => {
    try {
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

type Graph = Map<string, string[]>;

function importGraph(files: string[]): Graph {
  return new Map(
    files.map((file) => [
      file,
      relativeImports(readFileSync(file, 'utf8'))
        .map((specifier) => resolve(file, specifier))
        .filter((target): target is string => target !== undefined),
    ]),
  );
}

/** Every cycle, once each, as the path that closes it (`a -> b -> a`), found by depth-first search. */
export function cyclesOf(graph: Graph): string[][] {
  const cycles = new Map<string, string[]>();
  const done = new Set<string>();
  const visit = (node: string, trail: string[]): void => {
    const at = trail.indexOf(node);
    if (at >= 0) {
      const cycle = trail.slice(at);
      // One key per cycle, whichever module the search entered it by.
      const start = cycle.indexOf([...cycle].sort()[0]);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.set(rotated.join(' -> '), [...rotated, rotated[0]]);
      return;
    }
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node, []);
  return [...cycles.values()];
}

describe('relative imports', () => {
  test('are read in every form a module imports by, and not from comments or strings', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from './b';",
      'import {',
      '  c,',
      '  d,',
      "} from '../c';",
      "export { e } from './e';",
      "export * from './f';",
      "import './g';",
      "const h = await import('./h');",
      "const i = require('./i');",
      "import { sdk } from '@aws-sdk/client-ivs';",
      "// import { x } from './commented';",
      "/* import { y } from './block-commented'; */",
      "const url = 'https://example.com'; import { z } from './after-a-url';",
      'const text = "import { w } from \'./in-a-string\'";',
    ].join('\n');

    expect(relativeImports(source).sort()).toEqual(
      ['../c', './a', './after-a-url', './b', './e', './f', './g', './h', './i'].sort(),
    );
  });

  test('a cycle is found and named, however long', () => {
    const graph: Graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);

    expect(cyclesOf(graph)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['e', 'e'],
    ]);
  });

  test('no module of lib/ or lambda/ imports itself through others', () => {
    const files = SCANNED.flatMap((folder) => sourceFiles(path.join(ROOT, folder)));
    const graph = importGraph(files);
    // The walk reached the modules it should: a broken pattern would find no imports, hence no cycle.
    expect(graph.get(path.join(ROOT, 'lib/backend/playback-token.ts'))).toContain(
      path.join(ROOT, 'lib/backend/claim-checks.ts'),
    );

    const cycles = cyclesOf(graph).map((cycle) => cycle.map((file) => path.relative(ROOT, file)).join(' -> '));

    expect(cycles).toEqual([]);
  });
});
