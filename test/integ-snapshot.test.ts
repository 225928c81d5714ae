/**
 * The committed snapshot of test/integ.playback-key-pair.ts must match a fresh synth, so that a
 * change to the construct, the handler bundle or the integ test cannot land with a stale snapshot
 * (the integ test itself needs an AWS account and is not run by CI).
 *
 * The snapshot is written the way integ-runner writes one (same feature flags and toolkit
 * settings, same directory), because integ-runner 2.197 cannot read the cloud assemblies of
 * aws-cdk-lib 2.276 (schema 55) and so cannot write it itself. To regenerate it:
 *
 *   npm run build && UPDATE_INTEG_SNAPSHOT=1 npx jest test/integ-snapshot.test.ts
 *
 * Everything is compared, asset bundles included (the handler bundle is deterministic), except
 * what legitimately changes on every synth: integ-tests-alpha gives each assertion a `salt` (the
 * time of synth) so that it runs again on every deploy, which changes the assertion stack's
 * template and so that template's asset hash. Salts and template asset hashes are masked; the
 * templates themselves are still compared in full.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';

jest.setTimeout(120_000);

const INTEG_APP = path.join(__dirname, 'integ.playback-key-pair.ts');
const SNAPSHOT_DIR = `${INTEG_APP}.snapshot`;
const REGENERATE = 'npm run build && UPDATE_INTEG_SNAPSHOT=1 npx jest test/integ-snapshot.test.ts';

/**
 * The context integ-runner synthesizes with: its recommended feature flags and the settings its
 * toolkit engine passes (no version reporting, bundle every stack). Creation stack traces are off
 * as well, or this machine's paths would end up in the snapshot's metadata.
 */
function integRunnerContext(): Record<string, unknown> {
  const flags = JSON.parse(
    fs.readFileSync(require.resolve('@aws-cdk/integ-runner/lib/recommended-feature-flags.json'), 'utf8'),
  );
  return {
    ...flags,
    'aws:cdk:disable-version-reporting': true,
    'aws:cdk:bundling-stacks': ['**'],
    'aws:cdk:disable-creation-stack-traces': true,
  };
}

/** Synthesizes the integ app, as integ-runner would, into a temporary directory. */
function synthesizeIntegApp(): string {
  const previous = { ...process.env };
  process.env.CDK_CONTEXT_JSON = JSON.stringify(integRunnerContext());
  // The integ App takes its output directory from the environment, like under the CDK CLI; the caller removes it.
  process.env.CDK_OUTDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-playback-key-pair-'));
  // integ-runner leaves aws-cdk-lib's built-in template validation on, which writes validation-report.json.
  delete process.env.CDK_VALIDATION;
  try {
    let app: App | undefined;
    jest.isolateModules(() => {
      app = require(INTEG_APP).app;
    });
    const directory = app!.synth().directory;
    removeTraces(directory);
    return directory;
  } finally {
    process.env = previous;
  }
}

/**
 * Drops the stack traces of metadata entries (warnings carry one), as integ-runner does when it
 * writes a snapshot: they hold this machine's paths.
 */
function removeTraces(directory: string): void {
  type Metadata = Record<string, Array<{ trace?: string[] }>>;
  const clean = (metadata: Metadata | undefined) =>
    Object.values(metadata ?? {})
      .flat()
      .forEach((entry) => delete entry.trace);
  for (const file of filesUnder(directory).filter(
    (name) => name === 'manifest.json' || name.endsWith('.metadata.json'),
  )) {
    const json = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));
    if (file === 'manifest.json') {
      Object.values<{ metadata?: Metadata }>(json.artifacts ?? {}).forEach((artifact) => clean(artifact.metadata));
    } else {
      clean(json);
    }
    fs.writeFileSync(path.join(directory, file), `${JSON.stringify(json, undefined, 2)}\n`);
  }
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .sort();
}

/**
 * The hashes under which the assembly publishes its stack templates, and the ids of their
 * destinations (derived from the hash), with the masks that replace them.
 */
function templateAssetHashes(dir: string): Map<string, string> {
  const masks = new Map<string, string>();
  for (const file of filesUnder(dir).filter((name) => name.endsWith('.assets.json'))) {
    const { files = {} } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const [hash, asset] of Object.entries<{ source: { path: string }; destinations: object }>(files)) {
      if (!asset.source.path.endsWith('.template.json')) continue;
      masks.set(hash, `<hash of ${asset.source.path}>`);
      for (const destination of Object.keys(asset.destinations))
        masks.set(destination, `<destination of ${asset.source.path}>`);
    }
  }
  return masks;
}

/**
 * JSON files as parsed objects (salts and template hashes masked), for readable diffs; anything
 * else (asset code) as a SHA-256.
 */
function contentsOf(dir: string): Record<string, unknown> {
  const templateHashes = templateAssetHashes(dir);
  return Object.fromEntries(
    filesUnder(dir).map((file) => {
      const content = fs.readFileSync(path.join(dir, file));
      if (!file.endsWith('.json')) {
        return [file, `sha256:${createHash('sha256').update(content).digest('hex')}`];
      }
      let text = content.toString('utf8').replace(/"salt":\s*"\d+"/g, '"salt": "<salt>"');
      for (const [hash, mask] of templateHashes) text = text.replaceAll(hash, mask);
      return [file, JSON.parse(text)];
    }),
  );
}

if (process.env.UPDATE_INTEG_SNAPSHOT === '1') {
  test('writes the snapshot', () => {
    const assembly = synthesizeIntegApp();
    fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
    fs.cpSync(assembly, SNAPSHOT_DIR, { recursive: true });
    fs.rmSync(assembly, { recursive: true, force: true });
  });
} else {
  test('the committed snapshot matches a fresh synth of the integ app', checkSnapshot);
}

function checkSnapshot(): void {
  if (!fs.existsSync(SNAPSHOT_DIR)) {
    throw new Error(`${SNAPSHOT_DIR} is missing: run "${REGENERATE}" and commit the result`);
  }
  const assembly = synthesizeIntegApp();
  const fresh = contentsOf(assembly);
  fs.rmSync(assembly, { recursive: true, force: true });
  const committed = contentsOf(SNAPSHOT_DIR);
  const compare = (what: string, check: () => void) => {
    try {
      check();
    } catch (error) {
      throw new Error(
        `The integ snapshot is out of date (${what}): run "${REGENERATE}" and commit the result. ` +
          '(Files missing from a clean checkout? .gitignore must let test/*.snapshot/** in.)' +
          `\n\n${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  // The file list first: a new or renamed asset shows up here by name.
  compare('its files differ', () => expect(Object.keys(committed)).toEqual(Object.keys(fresh)));
  for (const file of Object.keys(fresh)) {
    compare(`${file} differs`, () => expect(committed[file]).toEqual(fresh[file]));
  }
}
