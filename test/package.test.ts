/**
 * What the published package holds, and that it works where it will be used: installed from its
 * tarball into a plain JavaScript CDK app that has only aws-cdk-lib and constructs (no esbuild,
 * no TypeScript, no Docker), it synthesizes with the pre-bundled handler.
 *
 * Runs offline: the consumer app installs from the npm cache that `npm ci` filled (see
 * `installConsumerApp`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '..');
const PACKAGE_NAME = 'cdk-ivs-playback-key-pair';
const HANDLER_ASSET = 'assets/ivs-key-handler/index.js';

interface PackResult {
  filename: string;
  integrity: string;
  files: Array<{ path: string }>;
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
}

let workDir: string;
let packed: PackResult;
let tarball: string;
let consumerApp: string;
let backendApp: string;
let assemblyDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-key-package-'));
  if (!fs.existsSync(path.join(REPO, 'lib', 'index.js')) || !fs.existsSync(path.join(REPO, HANDLER_ASSET))) {
    run('npm', ['run', 'build'], REPO);
  }
  // --ignore-scripts: the package has no lifecycle script; should one come back, packing must not run it here.
  const packDir = path.join(workDir, 'pack');
  fs.mkdirSync(packDir);
  [packed] = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], REPO),
  ) as PackResult[];
  tarball = path.join(packDir, packed.filename);

  consumerApp = path.join(workDir, 'consumer-app');
  fs.mkdirSync(consumerApp);
  installConsumerApp(consumerApp, tarball, packed.integrity);

  fs.writeFileSync(path.join(consumerApp, 'app.js'), CONSUMER_APP);
  backendApp = path.join(workDir, 'backend');
  fs.mkdirSync(backendApp);
  installConsumerApp(backendApp, tarball, packed.integrity, { omitPeers: true });

  assemblyDir = path.join(workDir, 'cdk.out');
  // CDK_VALIDATION=false skips aws-cdk-lib's built-in CloudFormation schema validation (WebAssembly,
  // several seconds); what this test checks is the packaging, and the template is tested elsewhere.
  run('node', ['app.js', assemblyDir], consumerApp, { CDK_VALIDATION: 'false' });
});

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('the tarball', () => {
  const files = (): string[] => packed.files.map((file) => file.path).sort();

  test('holds exactly the compiled library (CommonJS, and the ES module of ./tokens), the jsii assembly, the handler bundle, API.md and the README/CHANGELOG/LICENSE', () => {
    const expected = [
      'package.json',
      HANDLER_ASSET,
      ...['README.md', 'CHANGELOG.md', 'LICENSE'].filter((file) => fs.existsSync(path.join(REPO, file))),
      '.jsii',
      'API.md',
      ...filesUnder('lib').filter((file) => file.endsWith('.js') || file.endsWith('.d.ts')),
      'lib/tokens.mjs',
      'lib/tokens.d.mts',
    ].sort();
    expect(files()).toEqual(expected);
  });

  test('ships no build output whose TypeScript source is gone', () => {
    const orphans = files()
      .filter((file) => file.startsWith('lib/'))
      .filter((file) => !fs.existsSync(path.join(REPO, file.replace(/(\.d\.ts|\.js)$/, '.ts'))));
    expect(orphans).toEqual([]);
  });

  test('has the entry points, the handler bundle and the README', () => {
    expect(files()).toEqual(
      expect.arrayContaining([
        'lib/index.js',
        'lib/index.d.ts',
        HANDLER_ASSET,
        'README.md',
        'CHANGELOG.md',
        'package.json',
      ]),
    );
  });

  test('has no TypeScript sources, tests, handler sources, examples or scripts', () => {
    const unwanted = files().filter(
      (file) =>
        (file.endsWith('.ts') && !file.endsWith('.d.ts')) ||
        /^(test|lambda|bin|scripts|etc|rosetta|dist|cdk\.out)\//.test(file) ||
        file.startsWith('node_modules/') ||
        /(^|\/)(tsconfig[^/]*\.json|jest\.config\.js|api-extractor\.json|cdk\.json|package-lock\.json)$/.test(file) ||
        file.endsWith('.map') ||
        file.endsWith('.tgz'),
    );
    expect(unwanted).toEqual([]);
  });

  test('main, types, every export, every bin and typesVersions point at files it ships', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values<string>(manifest.bin ?? {});
    const targets = (target: unknown): string[] =>
      typeof target === 'string' ? [target] : Object.values(target as object).flatMap(targets);
    const exported = targets(manifest.exports);
    expect(exported).toEqual(
      expect.arrayContaining([
        './lib/index.js',
        './lib/tokens.js',
        './lib/tokens.d.ts',
        './lib/tokens.mjs',
        './lib/tokens.d.mts',
      ]),
    );
    expect(manifest.exports['./tokens']).toEqual({
      import: { types: './lib/tokens.d.mts', default: './lib/tokens.mjs' },
      require: { types: './lib/tokens.d.ts', default: './lib/tokens.js' },
    });
    // For moduleResolution node10, which reads no "exports": ./tokens' types, and nothing else mapped.
    expect(manifest.typesVersions).toEqual({ '*': { tokens: ['lib/tokens.d.ts'] } });
    const typesVersionsTargets = Object.values<string[]>(manifest.typesVersions['*']).flat();
    for (const entry of [manifest.main, manifest.types, ...bins, ...exported, ...typesVersionsTargets]) {
      expect(files()).toContain(path.posix.normalize(entry));
    }
  });
});

describe('npm install of the tarball', () => {
  test('runs no lifecycle script and prints no install-script warning (npm 11 warns of any not in allowScripts)', () => {
    const app = path.join(workDir, 'npm-install');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.0', private: true }));

    // As `npm install <tarball>` would, scripts allowed; --legacy-peer-deps only keeps npm from resolving the peers,
    // which it cannot offline (see installConsumerApp).
    const { status, output } = runWithOutput(
      'npm',
      ['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund', tarball],
      app,
    );

    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('added 1 package') });
    // npm 11 names a package with an unapproved lifecycle script here; an older npm says nothing either way, and the
    // manifest below tells.
    expect(output).not.toMatch(/install.?scripts?|allowScripts/i);
    const { scripts = {} } = JSON.parse(
      fs.readFileSync(path.join(app, 'node_modules', PACKAGE_NAME, 'package.json'), 'utf8'),
    );
    expect(Object.keys(scripts).filter((name) => /^(pre|post)?(install|prepare)$/.test(name))).toEqual([]);
  });
});

describe('a JavaScript CDK app with only aws-cdk-lib and constructs', () => {
  test('has neither esbuild nor TypeScript to fall back on', () => {
    expect(() => require.resolve('esbuild', { paths: [consumerApp] })).toThrow();
    // The same with Node's own resolver, as the app sees it (jest's require has its own).
    const probe = 'for (const m of ["esbuild", "typescript"]) { try { require.resolve(m); console.log(m); } catch {} }';
    expect(run('node', ['-e', probe], consumerApp).trim()).toBe('');
    const resolved = run('node', ['-p', `require.resolve(${JSON.stringify(PACKAGE_NAME)})`], consumerApp).trim();
    expect(resolved).toBe(path.join(fs.realpathSync(consumerApp), 'node_modules', PACKAGE_NAME, 'lib', 'index.js'));
  });

  test('synthesizes two key pairs with one shared handler from the shipped bundle', () => {
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'ConsumerStack.template.json'), 'utf8'));
    const resources = Object.values<CfnResource>(template.Resources);
    expect(resources.filter((resource) => resource.Type === 'Custom::IvsPlaybackKeyPair')).toHaveLength(2);

    // The handler asset is the bundle the package shipped, staged into the cloud assembly.
    const shipped = fs.readFileSync(path.join(consumerApp, 'node_modules', PACKAGE_NAME, HANDLER_ASSET));
    const assets = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'ConsumerStack.assets.json'), 'utf8'));
    const handlerAssets = Object.entries<any>(assets.files).filter(([, asset]) => {
      const index = path.join(assemblyDir, asset.source.path, 'index.js');
      return asset.source.packaging === 'zip' && fs.existsSync(index) && fs.readFileSync(index).equals(shipped);
    });
    expect(handlerAssets).toHaveLength(1);
    const [[assetHash, handlerAsset]] = handlerAssets;
    expect(fs.readdirSync(path.join(assemblyDir, handlerAsset.source.path))).toEqual(['index.js']);

    const handlers = resources.filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Code?.S3Key === `${assetHash}.zip`,
    );
    expect(handlers).toHaveLength(1);
    expect(handlers[0].Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
  });
});

describe('a backend that installed the package with --omit=peer', () => {
  test('has neither aws-cdk-lib nor constructs, nor the Secrets Manager client or jose', () => {
    const probe =
      'for (const m of ["aws-cdk-lib", "constructs", "@aws-sdk/client-secrets-manager", "jose"]) { try { require.resolve(m); console.log(m); } catch {} }';
    expect(run('node', ['-e', probe], backendApp).trim()).toBe('');
  });

  test('signs a viewer token with cdk-ivs-playback-key-pair/tokens and verifies it', () => {
    const output = run('node', ['-e', BACKEND_SCRIPT], backendApp);
    expect(JSON.parse(output)).toEqual({
      channelArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234',
      viewerId: 'viewer-1',
      fingerprintMatches: true,
      wrongKeyRejected: 'PlaybackTokenError',
    });
  });

  test('import gets the ES module build, which signs and verifies too', () => {
    const output = run('node', ['--input-type=module', '-e', ESM_BACKEND_SCRIPT], backendApp);
    expect(JSON.parse(output)).toEqual({
      resolved: path.join(fs.realpathSync(backendApp), 'node_modules', PACKAGE_NAME, 'lib', 'tokens.mjs'),
      channelArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234',
    });
  });

  test.each([
    ['require', [], `const { createPlaybackTokenSigner } = require('${PACKAGE_NAME}/tokens');`],
    ['import', ['--input-type=module'], `import { createPlaybackTokenSigner } from '${PACKAGE_NAME}/tokens';`],
  ])('the token signer (%s) fails with an error that names the package to install', (_, flags, load) => {
    const { name, message } = JSON.parse(run('node', [...flags, '-e', `${load}\n${SIGNER_SCRIPT}`], backendApp));
    expect(name).toBe('PlaybackTokenSignerError');
    expect(message).toMatch(
      /^createPlaybackTokenSigner reads the key with the AWS SDK's Secrets Manager client, which is not installed: run "npm install @aws-sdk\/client-secrets-manager"/,
    );
  });

  test.each([
    ['import first, then require', ['--input-type=module'], () => MIXED_IMPORT_FIRST],
    ['require first, then import', [], () => MIXED_REQUIRE_FIRST],
  ])(
    'one program that mixes import and require (%s) gets one class per error and one key cache',
    (_, flags, loader) => {
      const load = loader();
      const output = JSON.parse(run('node', [...flags, '-e', `${load}\n${MIXED_BUILDS_SCRIPT}`], backendApp));
      expect(output).toEqual({
        builds: ['lib/tokens.js', 'lib/tokens.mjs'],
        sameClass: {
          PlaybackTokenError: true,
          PlaybackKeyPairValidationError: true,
          PlaybackTokenSignerError: true,
          ParticipantTokenError: true,
          ParticipantTokenSignerError: true,
        },
        errorsOfEachBuildAreInstancesOfTheOther: {
          PlaybackTokenError: [true, true],
          PlaybackKeyPairValidationError: [true, true],
          PlaybackTokenSignerError: [true, true],
          ParticipantTokenError: [true, true],
          ParticipantTokenSignerError: [true, true],
        },
        // One key cache: the PEM is parsed once, by whichever build signs first.
        privateKeyParses: 1,
      });
    },
  );

  test('the CLI works too', () => {
    const keysDir = path.join(workDir, 'backend-keys');
    run(path.join(backendApp, 'node_modules', '.bin', PACKAGE_NAME), ['keygen', '--out', keysDir], backendApp);
    expect(
      run(
        path.join(backendApp, 'node_modules', '.bin', PACKAGE_NAME),
        ['fingerprint', path.join(keysDir, 'private.pem')],
        backendApp,
      ),
    ).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}\n$/);
  });

  test('the construct entry point says what is missing', () => {
    expect(() => run('node', ['-e', `require(${JSON.stringify(PACKAGE_NAME)})`], backendApp)).toThrow(
      "Cannot find module 'aws-cdk-lib'",
    );
  });
});

/**
 * The compilers the TypeScript backends below use: the project's TypeScript 7, and the TypeScript 6 that tools/lint
 * pins, the last major with `moduleResolution: node10` (TypeScript 7 removed it; apps on TypeScript 5 resolve the
 * same way as 6).
 */
const COMPILERS = {
  'TypeScript 7': path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'),
  'TypeScript 6': path.join(REPO, 'tools', 'lint', 'node_modules', 'typescript', 'bin', 'tsc'),
};

/** One scratch project per module resolution: its compiler options and the files that import ./tokens. */
const RESOLUTIONS = {
  // `module: commonjs` without moduleResolution, as older CDK apps have it, means node10.
  node10: { options: { module: 'commonjs', moduleResolution: 'node10' }, files: ['index.ts'] },
  // A .cts file gets the "require" condition (lib/tokens.d.ts), a .mts file the "import" one (lib/tokens.d.mts).
  node16: { options: { module: 'node16', moduleResolution: 'node16' }, files: ['require.cts', 'import.mts'] },
  nodenext: { options: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['require.cts', 'import.mts'] },
  bundler: { options: { module: 'preserve', moduleResolution: 'bundler' }, files: ['index.ts'] },
};

describe('a TypeScript backend that installed the package with --omit=peer and checks library types', () => {
  // One compiler per resolution: TypeScript 7 where it has it (TypeScript 6 takes about 4 s a project here, 7 under
  // 1 s); node10 on TypeScript 6, which also proves the declarations parse with the TypeScript older apps compile with.
  test.each([
    ['TypeScript 6', 'node10'],
    ['TypeScript 7', 'node16'],
    ['TypeScript 7', 'nodenext'],
    ['TypeScript 7', 'bundler'],
  ] as const)('type-checks ./tokens under %s, moduleResolution %s, strict, skipLibCheck false', (compiler, mode) => {
    const { options, files } = RESOLUTIONS[mode];
    // Inside the backend, so that the package resolves from its node_modules as the backend's own code would.
    const project = fs.mkdtempSync(path.join(backendApp, `types-${mode}-`));
    const tsconfig = {
      compilerOptions: {
        ...options,
        ...(compiler === 'TypeScript 6' ? { ignoreDeprecations: '6.0' } : {}),
        target: 'es2022',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        // A backend in TypeScript has Node's types; the package's declarations use node:crypto's.
        types: ['node'],
        typeRoots: [path.join(REPO, 'node_modules', '@types')],
      },
      files,
    };
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    for (const file of files) fs.writeFileSync(path.join(project, file), TYPED_BACKEND);

    expect(run(process.execPath, [COMPILERS[compiler], '-p', project], project)).toBe('');
  });
});

/**
 * A backend's use of ./tokens, every name typed, and one mistake the types must catch: if the package resolved to
 * `any`, the @ts-expect-error would be unused, which is an error too.
 */
const TYPED_BACKEND = `
import {
  createPlaybackTokenSigner,
  playbackUrlWithToken,
  signPlaybackToken,
  verifyPlaybackToken,
  PlaybackTokenError,
  type PlaybackTokenClaims,
  type SecretsManagerClientLike,
  createParticipantTokenSigner,
  verifyParticipantToken,
  type IvsRealTimeClientLike,
  type ParticipantTokenSignerClaims,
} from '${PACKAGE_NAME}/tokens';

const claims: PlaybackTokenClaims = { channelArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234', expiresIn: 300 };
// Any client with send() will do: the SDK's SecretsManagerClient is one, and this backend did not install the SDK.
const client: SecretsManagerClientLike = { send: async () => ({ SecretString: '{}' }) };
export const signer = createPlaybackTokenSigner({ secretId: 'viewer-key', client, refreshAfterSeconds: 60 });

export async function playbackUrl(privateKeyPem: string, publicKeyPem: string, url: string): Promise<string> {
  const token: string = await signPlaybackToken(privateKeyPem, claims);
  const verified: { channelArn: string; expiresAt: Date } = await verifyPlaybackToken(token, publicKeyPem);
  return verified.channelArn === claims.channelArn ? playbackUrlWithToken(url, token) : url;
}

// The participant signer's clients are structural too: neither SDK is installed here.
const ivsRealTimeClient: IvsRealTimeClientLike = { send: async () => ({ stage: { endpoints: {} } }) };
export const participants = createParticipantTokenSigner({ secretId: 'stage-key', client, ivsRealTimeClient });
export async function participantToken(stageArn: string, publicKeyPem: string): Promise<string> {
  const request: ParticipantTokenSignerClaims = { stageArn, userId: 'u-1', capabilities: { publish: false } };
  const token = await participants.sign(request);
  const { participantId }: { participantId: string } = await verifyParticipantToken(token, publicKeyPem, { stageArn });
  return participantId;
}

export function isTokenError(error: unknown): error is PlaybackTokenError {
  return error instanceof PlaybackTokenError;
}

// @ts-expect-error expiresIn is a number of seconds
export const wrong: PlaybackTokenClaims = { channelArn: claims.channelArn, expiresIn: '300' };
`;

/** A backend: plain CommonJS that signs a token, checks it and refuses another key's token. */
const BACKEND_SCRIPT = `
const tokens = require('${PACKAGE_NAME}/tokens');
(async () => {
  const key = tokens.generatePlaybackKeyPair();
  const channelArn = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
  const token = await tokens.signPlaybackToken(key.privateKeyPem, { channelArn, expiresIn: 300, viewerId: 'viewer-1' });
  const verified = await tokens.verifyPlaybackToken(token, key.publicKeyPem);
  const other = tokens.generatePlaybackKeyPair();
  const wrongKeyRejected = await tokens.verifyPlaybackToken(token, other.publicKeyPem).then(() => 'accepted', (error) => error.name);
  console.log(JSON.stringify({
    channelArn: verified.channelArn,
    viewerId: verified.viewerId,
    fingerprintMatches: tokens.playbackKeyFingerprint(key.privateKeyPem) === key.fingerprint,
    wrongKeyRejected,
  }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** The same backend as an ES module, through the "import" condition of the package's exports. */
const ESM_BACKEND_SCRIPT = `
import { generatePlaybackKeyPair, signPlaybackToken, verifyPlaybackToken } from '${PACKAGE_NAME}/tokens';
const key = generatePlaybackKeyPair();
const token = await signPlaybackToken(key.privateKeyPem, { channelArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234', expiresIn: 300 });
const { channelArn } = await verifyPlaybackToken(token, key.publicKeyPem);
console.log(JSON.stringify({ resolved: new URL(import.meta.resolve('${PACKAGE_NAME}/tokens')).pathname, channelArn }));
`;

/** Both builds in one ES module program, `import` first; `syncBuiltinESMExports` lets the count reach both. */
const MIXED_IMPORT_FIRST = `
import * as esm from '${PACKAGE_NAME}/tokens';
import { createRequire, syncBuiltinESMExports } from 'node:module';
const require = createRequire(import.meta.url);
const cjs = require('${PACKAGE_NAME}/tokens');
const countParses = () => { countPrivateKeyParses(require('node:crypto')); syncBuiltinESMExports(); };
const builds = [require.resolve('${PACKAGE_NAME}/tokens'), new URL(import.meta.resolve('${PACKAGE_NAME}/tokens')).pathname];
`;

/** Both builds in one CommonJS program, `require` first. */
const MIXED_REQUIRE_FIRST = `
const cjs = require('${PACKAGE_NAME}/tokens');
const { syncBuiltinESMExports } = require('node:module');
const countParses = () => { countPrivateKeyParses(require('node:crypto')); syncBuiltinESMExports(); };
const builds = [require.resolve('${PACKAGE_NAME}/tokens'), require.resolve('${PACKAGE_NAME}/tokens').replace(/js$/, 'mjs')];
`;

/**
 * Given \`cjs\`, \`countParses\` and \`builds\` (and \`esm\`, or imports it): throws each error class from each
 * build and compares them, signs with one PEM through both builds and counts the PEM's parses.
 */
const MIXED_BUILDS_SCRIPT = `
let privateKeyParses = 0;
function countPrivateKeyParses(crypto) {
  const parse = crypto.createPrivateKey;
  crypto.createPrivateKey = (...args) => { privateKeyParses++; return parse(...args); };
}
(async () => {
  const esmBuild = typeof esm === 'undefined' ? await import('${PACKAGE_NAME}/tokens') : esm;
  const channelArn = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
  const p256 = require('node:crypto').generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' });
  const thrown = async (build, name) => {
    try {
      if (name === 'PlaybackTokenError') await build.verifyPlaybackToken('not-a-token', build.generatePlaybackKeyPair().publicKeyPem);
      if (name === 'PlaybackKeyPairValidationError') await build.signPlaybackToken(p256, { channelArn, expiresIn: 60 });
      if (name === 'PlaybackTokenSignerError') build.createPlaybackTokenSigner({ secretId: '' });
      if (name === 'ParticipantTokenSignerError') build.createParticipantTokenSigner({ secretId: '' });
      if (name === 'ParticipantTokenError') await build.verifyParticipantToken('not-a-token', build.generatePlaybackKeyPair().publicKeyPem);
    } catch (error) {
      return error;
    }
    throw new Error(name + ' was not thrown');
  };
  const names = ['PlaybackTokenError', 'PlaybackKeyPairValidationError', 'PlaybackTokenSignerError', 'ParticipantTokenError', 'ParticipantTokenSignerError'];
  const sameClass = {};
  const errorsOfEachBuildAreInstancesOfTheOther = {};
  for (const name of names) {
    sameClass[name] = esmBuild[name] === cjs[name];
    errorsOfEachBuildAreInstancesOfTheOther[name] = [
      (await thrown(cjs, name)) instanceof esmBuild[name],
      (await thrown(esmBuild, name)) instanceof cjs[name],
    ];
  }
  const key = cjs.generatePlaybackKeyPair();
  countParses();
  await esmBuild.signPlaybackToken(key.privateKeyPem, { channelArn, expiresIn: 60 });
  await cjs.signPlaybackToken(key.privateKeyPem, { channelArn, expiresIn: 60 });
  await esmBuild.signPlaybackToken(key.privateKeyPem, { channelArn, expiresIn: 60 });
  console.log(JSON.stringify({
    builds: builds.map((file) => file.slice(file.lastIndexOf('/lib/') + 1)).sort(),
    sameClass,
    errorsOfEachBuildAreInstancesOfTheOther,
    privateKeyParses,
  }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** The token signer where @aws-sdk/client-secrets-manager is not installed: prints the error it fails with. */
const SIGNER_SCRIPT = `
createPlaybackTokenSigner({ secretId: 'viewer-key' })
  .sign({ channelArn: 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234', expiresIn: 300 })
  .then(() => { console.error('signed without the SDK'); process.exit(1); },
    (error) => console.log(JSON.stringify({ name: error.name, message: error.message })));
`;

/** The consumer: plain CommonJS, as `cdk init app --language javascript` would write it. */
const CONSUMER_APP = `
const { generateKeyPairSync } = require('node:crypto');
const { App, Stack } = require('aws-cdk-lib');
const { PlaybackKeyPair } = require('${PACKAGE_NAME}');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'ConsumerStack');
for (const id of ['FirstKey', 'SecondKey']) {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  new PlaybackKeyPair(stack, id, publicKey.export({ type: 'spki', format: 'pem' }));
}
app.synth();
`;

/**
 * Installs the tarball, aws-cdk-lib and constructs (at the versions installed here) into `app`,
 * offline; with `omitPeers`, installs the tarball alone, as `npm install --omit=peer` does for a
 * backend that only signs tokens.
 *
 * `npm install --offline <tarball> aws-cdk-lib@x constructs@y` would work only where an earlier
 * `npm install` left full packuments in the cache: resolving new specs reads full packuments,
 * while `npm ci` caches only the abbreviated ones (on a machine that has only run `npm ci`, it
 * fails with "ERESOLVE ... Found: aws-cdk-lib@undefined"), and npm resolves peers even when it
 * omits them. So the app gets a lockfile cut from this repository's package-lock.json (the
 * closure of aws-cdk-lib and constructs, marked as peers when they are to be omitted), plus the
 * tarball with its bundled dependencies, and `npm ci --offline` installs exactly that from the cache.
 */
function installConsumerApp(app: string, tarballPath: string, integrity: string, { omitPeers = false } = {}): void {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const tarballSpec = `file:${path.relative(app, tarballPath)}`;
  const peers = ['aws-cdk-lib', 'constructs'];
  const dependencies: Record<string, string> = {
    [PACKAGE_NAME]: tarballSpec,
    ...(omitPeers
      ? {}
      : Object.fromEntries(peers.map((name) => [name, String(lock.packages[`node_modules/${name}`].version)]))),
  };
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer-app', version: '0.0.0', dependencies },
    [`node_modules/${PACKAGE_NAME}`]: {
      version: manifest.version,
      resolved: tarballSpec,
      integrity,
      license: manifest.license,
      bundleDependencies: manifest.bundledDependencies,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
      ...(manifest.bin ? { bin: manifest.bin } : {}),
    },
  };
  // The tarball carries its runtime dependencies (jsii requires them bundled).
  for (const name of manifest.bundledDependencies ?? []) {
    const { version, license } = lock.packages[`node_modules/${name}`];
    packages[`node_modules/${PACKAGE_NAME}/node_modules/${name}`] = { version, license, inBundle: true };
  }
  const wanted: Array<[from: string, name: string]> = peers.map((name): [string, string] => ['', name]);
  while (wanted.length > 0) {
    const [from, name] = wanted.shift()!;
    const location = lockLocation(lock.packages, from, name);
    if (packages[location]) continue;
    // The repository installs these as dev dependencies; the app depends on them for real.
    const { dev, devOptional, peer, ...entry } = lock.packages[location];
    // With `resolved` (this repository's lockfile leaves it out), npm takes the tarball from the
    // cache by its integrity and needs no packument, which `npm ci` may not have cached.
    const resolved =
      entry.inBundle || entry.resolved
        ? entry
        : { ...entry, resolved: registryTarballUrl(location, String(entry.version)) };
    packages[location] = omitPeers ? { ...resolved, peer: true } : resolved;
    for (const dependency of Object.keys(entry.dependencies ?? {})) wanted.push([location, dependency]);
  }
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'consumer-app', version: '0.0.0', private: true, dependencies }, null, 2),
  );
  fs.writeFileSync(
    path.join(app, 'package-lock.json'),
    JSON.stringify({ name: 'consumer-app', version: '0.0.0', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  try {
    run(
      'npm',
      ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...(omitPeers ? ['--omit=peer'] : [])],
      app,
    );
  } catch (error) {
    throw new Error(
      `Installing the tarball offline failed; is the npm cache filled (run "npm ci" here)?\n${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The registry's tarball URL for the package installed at `location`. */
function registryTarballUrl(location: string, version: string): string {
  const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
}

/** Where Node would find `name` required from the package at `from` ('' for the root), in a lockfile. */
function lockLocation(packages: Record<string, LockEntry>, from: string, name: string): string {
  for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
    const location = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[location]) return location;
    if (!dir) throw new Error(`${name}, needed by ${from || 'the app'}, is not in package-lock.json`);
  }
}

function filesUnder(dir: string): string[] {
  const root = path.join(REPO, dir);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(REPO, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** Runs a command; returns its exit code and its stdout and stderr together, as a terminal shows them. */
function runWithOutput(command: string, args: string[], cwd: string): { status: number | null; output: string } {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync(command, args, { cwd, env: cleanEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Runs a command and returns its stdout; on failure, the error carries its stderr. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  // Drop the npm_* variables `npm test` sets, so the nested npm and node see only their own config.
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  try {
    return execFileSync(command, args, {
      cwd,
      env: { ...cleanEnv, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stderr || ''}${stdout || ''}`, { cause: error });
  }
}
