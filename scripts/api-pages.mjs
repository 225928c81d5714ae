// The construct's reference pages, as jsii-docgen writes them from the build's assembly: API.md (TypeScript, the
// page Construct Hub shows) and docs/api/API.<language>.md. `scripts/api.mjs` writes them (`npm run docs`) and checks
// that the committed ones are what it would write (`npm run api:check`, in `npm test`).
//
// Why not the `jsii-docgen` command in the repository: it documents the last `.jsii` of the package's name that it
// finds under its working directory, and it searches all of it (node_modules, tools/, etc/jsii-baseline/). There, the
// last one found was the jsii-diff baseline, not the build, so `npm run docs` wrote the pages of the previous API.
// Here jsii-docgen sees one directory holding only the build's assembly, its translated examples
// (`.jsii.tabl.json`, which `jsii-rosetta extract` writes, so nothing is compiled again) and its dependencies'
// assemblies.
//
// Generating the five pages takes 10 to 20 s (jsii-docgen reads aws-cdk-lib's assembly twice per language), so the
// pages made for a build are kept in node_modules/.cache, under a hash of everything they are made from.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'cdk-ivs-playback-key-pair-api-pages');

/** Each page and the language it documents, by its path in the repository. */
export const API_PAGES = {
  'API.md': 'typescript',
  'docs/api/API.python.md': 'python',
  'docs/api/API.java.md': 'java',
  'docs/api/API.go.md': 'go',
  'docs/api/API.csharp.md': 'csharp',
};

/**
 * A directory for jsii-docgen: `package/` holds the build's assembly, package.json and examples' tablet, `deps/`
 * copies of its dependency closure's assemblies (copies: jsii-reflect refuses a symlinked `.jsii` whose redirect to
 * `.jsii.gz` resolves elsewhere). It sits under node_modules so that jsii-rosetta resolves the package's
 * dependencies from `package/` as it would from the repository.
 */
function assembliesDirectory() {
  const dir = mkdtempSync(join(CACHE, 'assemblies-'));
  const packageDir = join(dir, 'package');
  mkdirSync(packageDir);
  for (const file of ['.jsii', 'package.json', '.jsii.tabl.json']) {
    if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(packageDir, file));
  }
  const { dependencyClosure = {} } = JSON.parse(readFileSync(join(ROOT, '.jsii'), 'utf8'));
  for (const name of Object.keys(dependencyClosure)) {
    const from = join(ROOT, 'node_modules', name);
    const to = join(dir, 'deps', name);
    mkdirSync(to, { recursive: true });
    // A large assembly's .jsii only points at its compressed .jsii.gz.
    for (const file of ['.jsii', '.jsii.gz']) {
      if (existsSync(join(from, file))) cpSync(join(from, file), join(to, file));
    }
  }
  return dir;
}

/** Writes every page of API_PAGES, under its repository path, below `outDir`. */
async function writeApiPages(outDir) {
  const { Documentation, Language } = await import('jsii-docgen'); // loaded only when the pages are made
  const dir = assembliesDirectory();
  try {
    const { name } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const docs = await Documentation.forAssembly(name, dir);
    for (const [page, language] of Object.entries(API_PAGES)) {
      // The options `jsii-docgen --output <file> --language <language>` passes.
      const markdown = await docs.toMarkdown({ language: Language.fromString(language), allSubmodules: true });
      mkdirSync(join(outDir, page, '..'), { recursive: true });
      writeFileSync(join(outDir, page), markdown.render());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A hash of what the pages are made from: the build's assembly (but its README, which the pages do not show, and the
 * fingerprint that covers it), the locked tool versions, and this script.
 */
function inputsHash() {
  const { readme, fingerprint, ...assembly } = JSON.parse(readFileSync(join(ROOT, '.jsii'), 'utf8'));
  const hash = createHash('sha256').update(JSON.stringify(assembly));
  for (const file of ['package-lock.json', 'scripts/api-pages.mjs']) hash.update(readFileSync(join(ROOT, file)));
  return hash.digest('hex');
}

/**
 * The directory holding the pages jsii-docgen writes for the current build (`npm run build` first), under their
 * repository paths: made once per build, then reused.
 */
export async function generatedApiPages() {
  const dir = join(CACHE, inputsHash());
  if (!existsSync(dir)) {
    rmSync(CACHE, { recursive: true, force: true }); // the pages of earlier builds
    mkdirSync(CACHE, { recursive: true });
    const partial = mkdtempSync(join(CACHE, 'partial-'));
    await writeApiPages(partial);
    renameSync(partial, dir); // only complete page sets are ever found
  }
  return dir;
}
