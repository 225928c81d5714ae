// The public API's committed records, and the check that the build matches them (`npm run build` first):
// - API.md and docs/api/API.<language>.md: the construct's reference (jsii-docgen; API.md is the
//   page Construct Hub shows), generated from the assembly's types and TSDoc (scripts/api-pages.mjs);
// - etc/jsii-baseline/.jsii: the assembly those pages were generated from, which jsii-diff compares
//   the build with, so that a breaking change of the construct's API fails the build;
// - etc/cdk-ivs-playback-key-pair-tokens.api.md: api-extractor's report of the
//   `cdk-ivs-playback-key-pair/tokens` entry point, which jsii does not see.
// The check also compiles the README's TypeScript examples with jsii-rosetta in strict mode (as
// `npm run package` and Construct Hub do), so that a README change that breaks one fails at once.
//
// `node scripts/api.mjs check` (in `npm test`) fails on a breaking change, on any change of the
// API or its TSDoc that the records do not have yet, and when a reference page differs from what
// `npm run docs` would write. `node scripts/api.mjs update` (`npm run docs`)
// rewrites the records; it refuses a breaking change unless given --allow-breaking.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_PAGES, generatedApiPages } from './api-pages.mjs';
import { runOnSupportedNode } from './tools.mjs';

// jsii's tools print an unsupported-Node.js banner on a Node.js older than engines allows: run on a supported one.
runOnSupportedNode();

const [mode, flag] = process.argv.slice(2);
if (mode !== 'check' && mode !== 'update') {
  console.error('usage: node scripts/api.mjs check | update [--allow-breaking]');
  process.exit(2);
}
const BASELINE_DIR = 'etc/jsii-baseline';
const TABLET = '.jsii.tabl.json';
const bin = (command) => `node_modules/.bin/${command}`;
const run = (command, ...args) => execFileSync(bin(command), args, { stdio: 'inherit' });

/** The assembly's types with their TSDoc, without source line numbers (which any edit of lib/ moves). */
function typesOf(assemblyFile) {
  const { types } = JSON.parse(readFileSync(assemblyFile, 'utf8'));
  return JSON.stringify(types, (key, value) => (key === 'locationInModule' ? undefined : value));
}

/** The committed reference pages that differ from those jsii-docgen writes for the build in `generatedDir`. */
function stalePages(generatedDir) {
  const text = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  return Object.keys(API_PAGES).filter((page) => text(page) !== text(join(generatedDir, page)));
}

function breakingChanges() {
  const diff = spawnSync(bin('jsii-diff'), ['--error-on', 'all', BASELINE_DIR, '.'], { stdio: 'inherit' });
  return diff.status !== 0;
}

if (mode === 'check') {
  if (breakingChanges()) {
    console.error(
      "jsii-diff found breaking changes of the construct's API (above). If they are intended, run " +
        '"npm run docs -- --allow-breaking" and say so in the CHANGELOG.',
    );
    process.exit(1);
  }
  if (typesOf('.jsii') !== typesOf(join(BASELINE_DIR, '.jsii'))) {
    console.error(
      'The construct\'s API or its TSDoc changed, and API.md does not show it yet: run "npm run docs" and commit the result.',
    );
    process.exit(1);
  }
  run('api-extractor', 'run');
  // Also writes the examples' translations, which the reference pages are made with.
  run('jsii-rosetta', 'extract', '--strict', '--cache-to', TABLET);
  const stale = stalePages(await generatedApiPages());
  if (stale.length) {
    console.error(
      `${stale.join(', ')} differ${stale.length === 1 ? 's' : ''} from what "npm run docs" writes for this build: ` +
        'run "npm run docs" and commit the result.',
    );
    process.exit(1);
  }
} else {
  if (breakingChanges() && flag !== '--allow-breaking') {
    console.error(
      "Not updating the API records: the change breaks the construct's API (above). Pass --allow-breaking if that is intended.",
    );
    process.exit(1);
  }
  run('jsii-rosetta', 'extract', '--strict', '--cache-to', TABLET);
  const generatedDir = await generatedApiPages();
  for (const page of Object.keys(API_PAGES)) copyFileSync(join(generatedDir, page), page);
  copyFileSync('.jsii', join(BASELINE_DIR, '.jsii'));
  run('api-extractor', 'run', '--local');
}
