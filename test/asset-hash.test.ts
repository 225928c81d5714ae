/**
 * The handler bundle, and so the Lambda asset hash, depends only on the sources: bundling in
 * another checkout (another path) gives the same bytes and the same hash as the bundle in this
 * repository, which is the one the package ships. Otherwise every release, or every machine
 * that runs `npm run build`, would update every consumer's handler Lambda on their next deploy.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, FileSystem, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as repoLibrary from '../lib';
import { p384 } from './support/keys';

jest.setTimeout(120_000);

// Skip aws-cdk-lib's built-in CloudFormation validation (seconds of WebAssembly per synth): this
// file compares asset hashes, not templates. (jest gives each test file its own process.env.)
process.env.CDK_VALIDATION = 'false';

const REPO = path.resolve(__dirname, '..');
const HANDLER_DIR = path.join('assets', 'ivs-key-handler');

/**
 * What scripts/bundle-handler.mjs reads besides node_modules: the handler, the lib/ sources it
 * imports (all of them, so a new import does not break this test), the scripts and package.json
 * (esbuild reads its `type` and `sideEffects`). Not tsconfig.json: the script tells esbuild to
 * ignore it, so a checkout with a different one (or none) still bundles the same bytes.
 */
const BUNDLE_INPUTS = [
  'lambda',
  'lib',
  'scripts/bundle-handler.mjs',
  'scripts/node-versions.mjs',
  'scripts/contract.mjs',
  'package.json',
];

type Library = typeof repoLibrary;

let scratch: string;
let checkouts: string[];

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO, HANDLER_DIR, 'index.js'))) {
    throw new Error(`${HANDLER_DIR}/index.js is missing: run "npm run build" first`);
  }
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-key-asset-hash-'));
  // Two checkouts at paths of different lengths and depths, neither under the repository.
  checkouts = [
    path.join(scratch, 'checkout'),
    path.join(scratch, 'a', 'much', 'deeper', 'path', 'to', 'another-clone'),
  ].map((checkout) => {
    copyBundleInputs(checkout);
    execFileSync(process.execPath, ['scripts/bundle-handler.mjs'], {
      cwd: checkout,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return checkout;
  });
});

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test("bundling in another checkout gives the bytes of the repository's bundle", () => {
  const shipped = sha256(path.join(REPO, HANDLER_DIR, 'index.js'));
  const rebuilt = checkouts.map((checkout) => sha256(path.join(checkout, HANDLER_DIR, 'index.js')));
  if (rebuilt.every((hash) => hash === rebuilt[0]) && rebuilt[0] !== shipped) {
    throw new Error(
      `Both checkouts bundle to ${rebuilt[0]} but ${HANDLER_DIR}/index.js is ${shipped}: ` +
        'the repository\'s bundle is stale (run "npm run build"), or the bundle depends on something outside BUNDLE_INPUTS',
    );
  }
  expect(rebuilt).toEqual([shipped, shipped]);
  // Nothing but the bundle: a stray file in the asset directory would change the hash.
  for (const checkout of checkouts) {
    expect(fs.readdirSync(path.join(checkout, HANDLER_DIR))).toEqual(['index.js']);
  }
});

test('the CDK fingerprint of the asset directory is the same', () => {
  const fingerprints = [REPO, ...checkouts].map((root) => FileSystem.fingerprint(path.join(root, HANDLER_DIR)));
  expect(new Set(fingerprints).size).toBe(1);
});

test("a stack synthesized from each checkout's own library has the same handler S3Key", () => {
  const repoKey = handlerS3Key(repoLibrary);
  for (const checkout of checkouts) {
    // The checkout's lib/ resolves its HANDLER_ASSET_DIR from its own location.
    const library = require(path.join(checkout, 'lib', 'index.ts')) as Library;
    expect(library.PlaybackKeyPair).not.toBe(repoLibrary.PlaybackKeyPair);
    expect(handlerS3Key(library)).toBe(repoKey);
  }
  expect(repoKey).toBe(`${FileSystem.fingerprint(path.join(REPO, HANDLER_DIR))}.zip`);
});

function copyBundleInputs(checkout: string): void {
  for (const input of BUNDLE_INPUTS) {
    fs.cpSync(path.join(REPO, input), path.join(checkout, input), {
      recursive: true,
      // From lib/ only the TypeScript sources, not the build output.
      filter: (source) =>
        !source.startsWith(path.join(REPO, 'lib') + path.sep) ||
        fs.statSync(source).isDirectory() ||
        (source.endsWith('.ts') && !source.endsWith('.d.ts')),
    });
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(checkout, 'node_modules'), 'dir');
}

function handlerS3Key(library: Library): string {
  const stack = new Stack(new App(), 'AssetHash');
  new library.PlaybackKeyPair(stack, 'Key', p384().publicKeyPem);
  const handlers = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Handler: 'index.handler', Runtime: 'nodejs24.x' },
    }),
  );
  expect(handlers).toHaveLength(1);
  return handlers[0].Properties.Code.S3Key;
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
