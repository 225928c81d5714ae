/**
 * The example app's stack written in Python, Java and Go, each against the binding that
 * `npm run package` built into dist/ and the aws-cdk-lib release package-lock.json pins, taken
 * from that language's own registry. Each must synthesize the template the TypeScript app does,
 * and each must get the TypeScript API's message for a key the construct refuses.
 *
 * Run with `npm run test:languages` (it packages first). Minutes on a fresh machine: the
 * toolchains download aws-cdk-lib once. A missing toolchain fails the test; it never skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { GeneratedKeyStack } from '../../bin/generated-key-stack';
import { PrivateChannelStack } from '../../bin/private-channel-stack';
import { RealTimeStack } from '../../bin/real-time-stack';
import { StagePublicKey } from '../../lib';
import { generatePlaybackKeyPair, PlaybackTokenError, verifyPlaybackToken } from '../../lib/tokens';
import { wrongKeys } from '../support/keys';
import { startMotoServer } from '../../tools/stand-ins/moto-server';

jest.setTimeout(30 * 60_000);

const ROOT = path.join(__dirname, '..', '..');
const HERE = __dirname;
const STACK = 'IvsPrivateChannelExample';
const DEMO_KEY = path.join(ROOT, 'bin', 'demo-public-key.pem');
const libraryVersion: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const lockedVersion = (name: string): string =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages[`node_modules/${name}`].version;
const cdkVersion = lockedVersion('aws-cdk-lib');
const constructsVersion = lockedVersion('constructs');

/** How to build and run one language's app: `run` synthesizes into `outdir`, or fails. */
interface LanguageApp {
  /** Installs what the app needs; runs once. */
  prepare(): void;
  run(publicKeyFile: string, outdir: string): { status: number | null; stderr: string };
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-languages-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function command(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(file, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(`${file} could not run (${result.error.message}); the language tests need it installed`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mustSucceed(file: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): void {
  const result = command(file, args, cwd, env);
  if (result.status !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} failed with status ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
}

function onlyFile(dir: string, pattern: RegExp): string {
  const matches = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => pattern.test(name)) : [];
  if (matches.length !== 1) {
    throw new Error(`expected one ${pattern} in ${dir}, found ${matches.length}: run "npm run package" first`);
  }
  return path.join(dir, matches[0]);
}

/** Runs `install` the first time only: the venv serves the Python app and the backend snippet. */
function once(install: () => void): () => void {
  let installed = false;
  return () => {
    if (!installed) install();
    installed = true;
  };
}

const python: LanguageApp = {
  prepare: once(() => {
    const wheel = onlyFile(path.join(ROOT, 'dist', 'python'), /\.whl$/);
    const venv = path.join(scratch, 'venv');
    mustSucceed('python3', ['-m', 'venv', venv], HERE);
    mustSucceed(
      path.join(venv, 'bin', 'pip'),
      [
        'install',
        '--quiet',
        '--disable-pip-version-check',
        wheel,
        `aws-cdk-lib==${cdkVersion}`,
        `constructs==${constructsVersion}`,
        '-r',
        path.join(HERE, 'python', 'requirements.txt'),
      ],
      HERE,
    );
  }),
  run(publicKeyFile, outdir) {
    return command(
      path.join(scratch, 'venv', 'bin', 'python'),
      [path.join(HERE, 'python', 'app.py'), publicKeyFile],
      HERE,
      { CDK_OUTDIR: outdir },
    );
  },
};

const mavenArgs = () => [
  '--batch-mode',
  '--quiet',
  `-Dlibrary.version=${libraryVersion}`,
  `-Dcdk.version=${cdkVersion}`,
];
const java: LanguageApp = {
  prepare() {
    onlyFile(
      path.join(ROOT, 'dist', 'java', 'io', 'github', 'cdkivsplaybackkeypair', 'cdk-ivs-playback-key-pair'),
      /^\d/,
    );
    // The binding was just rebuilt under the same version: refresh Maven's copy of it.
    fs.rmSync(path.join(os.homedir(), '.m2', 'repository', 'io', 'github', 'cdkivsplaybackkeypair'), {
      recursive: true,
      force: true,
    });
    mustSucceed('mvn', [...mavenArgs(), 'compile'], path.join(HERE, 'java'));
  },
  run(publicKeyFile, outdir) {
    return command('mvn', [...mavenArgs(), 'exec:java', `-Dexec.args=${publicKeyFile}`], path.join(HERE, 'java'), {
      CDK_OUTDIR: outdir,
    });
  },
};

const go: LanguageApp = {
  prepare() {
    onlyFile(path.join(ROOT, 'dist', 'go', 'cdkivsplaybackkeypair'), /^go\.mod$/);
    mustSucceed('go', ['build', '-o', path.join(scratch, 'go-app'), '.'], path.join(HERE, 'go'));
  },
  run(publicKeyFile, outdir) {
    return command(path.join(scratch, 'go-app'), [publicKeyFile], path.join(HERE, 'go'), { CDK_OUTDIR: outdir });
  },
};

/** The code of a fenced block inside a Markdown list item, without the item's indentation. */
function dedent(code: string): string {
  const lines = code.split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

/** The Python blocks of the README and of docs/, each with the page it is on. */
function pythonSnippets(): { page: string; code: string }[] {
  const pages = [
    'README.md',
    ...fs
      .readdirSync(path.join(ROOT, 'docs'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ];
  return pages.flatMap((page) =>
    [...fs.readFileSync(path.join(ROOT, page), 'utf8').matchAll(/```python\n([\s\S]*?)```/g)].map(([, code]) => ({
      page,
      code: dedent(code),
    })),
  );
}

/** The template without what differs by construction: the CDKMetadata resource names the language. */
function comparable(template: any) {
  const { CDKMetadata, ...resources } = template.Resources;
  const { CDKMetadataAvailable, ...conditions } = template.Conditions ?? {};
  return { ...template, Resources: resources, Conditions: conditions };
}

function typescriptTemplate(publicKeyMaterial: string) {
  const app = new App({ outdir: path.join(scratch, 'typescript') });
  new PrivateChannelStack(app, STACK, { publicKeyMaterial });
  return app.synth().getStackByName(STACK).template;
}

function typescriptError(publicKeyMaterial: string): string {
  try {
    new PrivateChannelStack(new App(), STACK, { publicKeyMaterial });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the TypeScript API to refuse the key');
}

const p256File = path.join(scratch, 'p256.pem');
fs.writeFileSync(p256File, wrongKeys.p256());

describe.each([
  ['Python', python],
  ['Java', java],
  ['Go', go],
] as const)('%s', (_language, language) => {
  beforeAll(() => language.prepare());

  test('synthesizes the template the TypeScript app synthesizes', () => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'out-'));
    const { status, stderr } = language.run(DEMO_KEY, outdir);
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf8'));

    const expected = comparable(typescriptTemplate(fs.readFileSync(DEMO_KEY, 'utf8')));
    expect(Object.keys(expected.Resources).length).toBeGreaterThanOrEqual(5);
    expect(comparable(template)).toEqual(expected);
    // The same handler bundle: the binding runs the package's JavaScript, asset included.
    expect(fs.readdirSync(outdir).filter((name) => name.startsWith('asset.'))).toEqual(
      fs.readdirSync(path.join(scratch, 'typescript')).filter((name) => name.startsWith('asset.')),
    );
  });

  test('synthesizes the generated-key stack the TypeScript app synthesizes', () => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'out-'));
    const { status, stderr } = language.run(DEMO_KEY, outdir);
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'IvsGeneratedKeyExample.template.json'), 'utf8'));
    const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'typescript-generated-')) });
    new GeneratedKeyStack(app, 'IvsGeneratedKeyExample', { generation: 2 });
    const expected = comparable(app.synth().getStackByName('IvsGeneratedKeyExample').template);
    expect(Object.values(expected.Resources).map((resource: any) => resource.Type)).toEqual(
      expect.arrayContaining(['Custom::IvsGeneratedPlaybackKeyPair', 'AWS::SecretsManager::RotationSchedule']),
    );
    expect(comparable(template)).toEqual(expected);
  });

  test('synthesizes the real-time stack the TypeScript app synthesizes (a scheduled GeneratedStagePublicKey)', () => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'out-'));
    const { status, stderr } = language.run(DEMO_KEY, outdir);
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'IvsRealTimeExample.template.json'), 'utf8'));
    const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'typescript-real-time-')) });
    new RealTimeStack(app, 'IvsRealTimeExample');
    const expected = comparable(app.synth().getStackByName('IvsRealTimeExample').template);
    expect(Object.values(expected.Resources).map((resource: any) => resource.Type)).toEqual(
      expect.arrayContaining([
        'Custom::IvsGeneratedStagePublicKey',
        'AWS::SecretsManager::RotationSchedule',
        'AWS::IVS::Stage',
      ]),
    );
    expect(comparable(template)).toEqual(expected);
  });

  test('synthesizes a StagePublicKey as the TypeScript API does', () => {
    const outdir = fs.mkdtempSync(path.join(scratch, 'out-'));
    const { status, stderr } = language.run(DEMO_KEY, outdir);
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'IvsStagePublicKeyExample.template.json'), 'utf8'));
    const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'typescript-stage-key-')) });
    const stack = new Stack(app, 'IvsStagePublicKeyExample');
    const key = new StagePublicKey(stack, 'StageKey', fs.readFileSync(DEMO_KEY, 'utf8'), {
      publicKeyName: 'stage-key',
      tags: { team: 'rt' },
    });
    new CfnOutput(stack, 'PublicKeyArn', { value: key.publicKeyArn });
    new CfnOutput(stack, 'PublicKeyFingerprint', { value: key.publicKeyFingerprint });
    const expected = comparable(app.synth().getStackByName('IvsStagePublicKeyExample').template);
    expect(Object.values(expected.Resources).map((resource: any) => resource.Type)).toContain(
      'Custom::IvsStagePublicKey',
    );
    expect(comparable(template)).toEqual(expected);
  });

  test('refuses a P-256 key at synth time with the TypeScript message', () => {
    const expected = typescriptError(fs.readFileSync(p256File, 'utf8'));
    expect(expected).toContain('prime256v1 (P-256)');
    const { status, stderr } = language.run(p256File, fs.mkdtempSync(path.join(scratch, 'out-')));
    expect(status).toBe(3);
    expect(stderr).toContain(expected);
  });
});

describe("the README's Python snippets", () => {
  beforeAll(() => python.prepare());

  // The boto3 signer needs Secrets Manager: test/readme-python-signer.test.ts runs it against moto.
  test.each(pythonSnippets().filter(({ code }) => !code.includes('boto3')))(
    'the snippet of $page that calls no AWS runs as written in a fresh venv',
    ({ code }) => {
      const dir = fs.mkdtempSync(path.join(scratch, 'snippet-'));
      fs.mkdirSync(path.join(dir, 'keys'));
      fs.copyFileSync(DEMO_KEY, path.join(dir, 'keys', 'public.pem')); // what the walkthrough's keygen writes
      fs.writeFileSync(path.join(dir, 'snippet.py'), code);
      const outdir = path.join(dir, 'cdk.out');
      const { status, stderr } = command(path.join(scratch, 'venv', 'bin', 'python'), ['snippet.py'], dir, {
        CDK_OUTDIR: outdir,
      });
      expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
      if (code.includes('app.synth()')) {
        const templates = fs.readdirSync(outdir).filter((name) => name.endsWith('.template.json'));
        const types = templates.flatMap((name) =>
          Object.values(JSON.parse(fs.readFileSync(path.join(outdir, name), 'utf8')).Resources).map(
            (resource: any) => resource.Type,
          ),
        );
        expect(types).toContain('Custom::IvsPlaybackKeyPair');
      }
    },
  );
});

describe("the README's Python backend snippet", () => {
  beforeAll(() => python.prepare());

  test('signs a token that verifyPlaybackToken accepts', async () => {
    const snippets = pythonSnippets()
      .map(({ code }) => code)
      // The Secrets Manager signer's block has its own copy of sign_playback_token; the next test runs it.
      .filter((code) => code.includes('def sign_playback_token') && !code.includes('class PlaybackTokenSigner'));
    expect(snippets).toHaveLength(1);
    const { privateKeyPem, publicKeyPem } = generatePlaybackKeyPair();
    const channelArn = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
    const script = path.join(scratch, 'backend.py');
    fs.writeFileSync(
      script,
      `${snippets[0]}\nimport sys\nprint(sign_playback_token(sys.stdin.read(), ${JSON.stringify(channelArn)}))\n`,
    );

    const signed = spawnSync(path.join(scratch, 'venv', 'bin', 'python'), [script], {
      input: privateKeyPem,
      encoding: 'utf8',
    });
    expect(signed.stderr).toBe('');
    const token = signed.stdout.trim();
    const verified = await verifyPlaybackToken(token, publicKeyPem);
    expect(verified.channelArn).toBe(channelArn);
    const lifetime = verified.expiresAt.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(250_000);
    expect(lifetime).toBeLessThanOrEqual(300_000);
    await expect(verifyPlaybackToken(token, generatePlaybackKeyPair().publicKeyPem)).rejects.toThrow(
      PlaybackTokenError,
    );
  });
});

describe("the README's Python snippet for a generated key", () => {
  beforeAll(() => python.prepare());

  test('reads AWSCURRENT with boto3 and signs a token that verifies against that key only', async () => {
    // One block, run on its own: sign_playback_token and the signer.
    const blocks = pythonSnippets().map(({ code }) => code);
    const generated = blocks.filter((code) => code.includes('class PlaybackTokenSigner'));
    expect(generated).toHaveLength(1);
    const moto = await startMotoServer();
    try {
      const { SecretsManagerClient, CreateSecretCommand, PutSecretValueCommand } =
        await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({
        endpoint: moto.endpoint,
        region: 'us-west-2',
        credentials: { accessKeyId: 'AKIDMOTO', secretAccessKey: 'moto' },
      });
      const { ARN } = await client.send(new CreateSecretCommand({ Name: 'GeneratedKeySecret-AbCdEf' }));
      const [previous, current] = [generatePlaybackKeyPair(), generatePlaybackKeyPair()];
      for (const [generation, key] of [
        [1, previous],
        [2, current],
      ] as const) {
        await client.send(
          new PutSecretValueCommand({
            SecretId: ARN,
            ClientRequestToken: `cdk-ivs-playback-key-pair-generation-${generation}`,
            VersionStages: ['AWSCURRENT'],
            SecretString: JSON.stringify({ ...key, generation }),
          }),
        );
      }
      client.destroy();
      const channelArn = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
      const script = path.join(scratch, 'generated-backend.py');
      fs.writeFileSync(script, `${generated[0]}\nimport sys\nprint(signer.sign(${JSON.stringify(channelArn)}))\n`);
      const signed = spawnSync(path.join(scratch, 'venv', 'bin', 'python'), [script], {
        encoding: 'utf8',
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
          AWS_DEFAULT_REGION: 'us-west-2',
          PLAYBACK_KEY_SECRET_ARN: ARN!,
          AWS_ACCESS_KEY_ID: 'AKIDMOTO',
          AWS_SECRET_ACCESS_KEY: 'moto',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
      });
      expect(signed.stderr).toBe('');
      const token = signed.stdout.trim();
      expect((await verifyPlaybackToken(token, current.publicKeyPem)).channelArn).toBe(channelArn);
      await expect(verifyPlaybackToken(token, previous.publicKeyPem)).rejects.toThrow(PlaybackTokenError);
    } finally {
      await moto.stop();
    }
  });
});

test('each language app pins the aws-cdk-lib release package-lock.json pins', () => {
  expect(fs.readFileSync(path.join(HERE, 'go', 'go.mod'), 'utf8')).toContain(
    `github.com/aws/aws-cdk-go/awscdk/v2 v${cdkVersion}\n`,
  );
  expect(
    execFileSync('node', ['-p', 'require("aws-cdk-lib/package.json").version'], { cwd: ROOT, encoding: 'utf8' }).trim(),
  ).toBe(cdkVersion);
});
