/**
 * Private keys stay out of git: `keygen` refuses to write one into a git work tree that does not
 * ignore it (or writes it with --force and a warning), and the walkthrough from `keygen` to a signed
 * playback URL, run with the package's own built CLI in a repository that has this repository's
 * .gitignore, leaves `git status` clean.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo, main } from '../lib/backend/cli';
import { playbackKeyFingerprint } from '../lib/backend/key-material';
import { verifyPlaybackToken } from '../lib/backend/playback-token';

jest.setTimeout(60_000);

const REPO = join(__dirname, '..');
const BUILT_CLI = join(REPO, 'lib', 'backend', 'cli.js');
const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
const PLAYBACK_URL =
  'https://0123456789ab.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.AbCdEfGh1234.m3u8';

// git as on a machine with no configuration of its own (a global excludes file could ignore *.pem), outside any hook
// (a hook's GIT_DIR would point every git call at another repository). The CLI's git calls see this env too.
for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CEILING_DIRECTORIES']) delete process.env[name];
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';

let repo: string;
let stdout: string;
let stderr: string;
const io: CliIo = {
  stdout: { write: (text: string) => (stdout += text) },
  stderr: { write: (text: string) => (stderr += text) },
};

beforeEach(() => {
  // realpath: git prints the work tree with symbolic links resolved (/tmp on macOS).
  repo = realpathSync(mkdtempSync(join(tmpdir(), 'ivs-cli-git-')));
  git('init', '--quiet');
  stdout = '';
  stderr = '';
});

afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

/** Runs git in the test repository, with an identity of its own. */
function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: process.env,
  });
}

describe('keygen in a git work tree', () => {
  test('refuses to write a private key git does not ignore, naming the folder to ignore, and writes nothing', async () => {
    const out = join(repo, 'keys');

    expect(await main(['keygen', '--out', out], io)).toBe(1);

    expect(stderr).toBe(
      `cdk-ivs-playback-key-pair: Refusing to write the private key: ${join(out, 'private.pem')} is inside the git ` +
        `work tree ${repo}, and git does not ignore it: "git add ." would commit the private key. ` +
        `Add "keys/" to ${join(repo, '.gitignore')} (or write the key outside the work tree), or pass --force to ` +
        'write it anyway.\n',
    );
    expect(existsSync(out)).toBe(false);
    expect(stdout).toBe('');
  });

  test('names the folder from the top of the work tree when --out is deeper inside it', async () => {
    mkdirSync(join(repo, 'infra'));
    expect(await main(['keygen', '--out', join(repo, 'infra', 'secrets', 'viewer')], io)).toBe(1);
    expect(stderr).toContain('Add "infra/secrets/viewer/" to');
  });

  test('with --force writes the key pair and warns, naming git and the folder to ignore', async () => {
    const out = join(repo, 'keys');

    expect(await main(['keygen', '--out', out, '--force'], io)).toBe(0);

    expect(stderr).toBe(
      `cdk-ivs-playback-key-pair: warning: ${join(out, 'private.pem')} is inside the git work tree ${repo}, and git ` +
        `does not ignore it: "git add ." would commit the private key. Keep it out of every commit: add "keys/" to ` +
        `${join(repo, '.gitignore')}.\n`,
    );
    expect(existsSync(join(out, 'private.pem'))).toBe(true);
    expect(git('status', '--porcelain')).toBe('?? keys/\n');
  });

  test.each([
    ['a .gitignore line', () => writeFileSync(join(repo, '.gitignore'), 'keys/\n')],
    ['.git/info/exclude', () => writeFileSync(join(repo, '.git', 'info', 'exclude'), '*.pem\n')],
    [
      'a .gitignore in the folder itself',
      () => {
        mkdirSync(join(repo, 'keys'));
        writeFileSync(join(repo, 'keys', '.gitignore'), 'private.pem\n');
      },
    ],
  ])('writes the key pair silently where git ignores the private key (%s)', async (_, ignore) => {
    ignore();

    expect(await main(['keygen', '--out', join(repo, 'keys')], io)).toBe(0);

    expect(stderr).toBe('');
    expect(existsSync(join(repo, 'keys', 'private.pem'))).toBe(true);
    expect(git('status', '--porcelain', '--untracked-files=all')).not.toContain('private.pem');
  });

  test('refuses a private key that is tracked, even where .gitignore lists it (git ignores only untracked files)', async () => {
    mkdirSync(join(repo, 'keys'));
    writeFileSync(join(repo, 'keys', 'private.pem'), 'old');
    git('add', 'keys/private.pem');
    writeFileSync(join(repo, '.gitignore'), 'keys/\n');

    expect(await main(['keygen', '--out', join(repo, 'keys')], io)).toBe(1);
    expect(stderr).toContain('Refusing to write the private key');
  });

  test('proceeds outside any work tree', async () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'ivs-cli-no-git-')));
    try {
      expect(await main(['keygen', '--out', join(outside, 'keys')], io)).toBe(0);
      expect(stderr).toBe('');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('the walkthrough with the built CLI, in a repository with this repository’s .gitignore', () => {
  beforeAll(() => {
    if (!existsSync(BUILT_CLI)) {
      execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'ignore' });
    }
  });

  /** Runs the built CLI as `npx cdk-ivs-playback-key-pair` would, in the test repository. */
  function cli(args: string[], env: Record<string, string> = {}): string {
    return execFileSync(process.execPath, [BUILT_CLI, ...args], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  }

  test('keygen, public-key, fingerprint and sign-url leave git status clean', async () => {
    writeFileSync(join(repo, '.gitignore'), readFileSync(join(REPO, '.gitignore')));
    git('add', '.gitignore');
    git('commit', '--quiet', '-m', 'the repository’s .gitignore');

    const keygen = cli(['keygen', '--out', 'keys']);
    const fingerprint = /^Fingerprint: (\S+)$/m.exec(keygen)?.[1];
    expect(fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);

    const publicPem = readFileSync(join(repo, 'keys', 'public.pem'), 'utf8');
    expect(cli(['public-key', '--private-key', 'keys/private.pem'])).toBe(publicPem);
    expect(cli(['fingerprint', 'keys/private.pem'])).toBe(`${fingerprint}\n`);
    expect(playbackKeyFingerprint(publicPem)).toBe(fingerprint);

    const url = new URL(
      cli([
        'sign-url',
        '--private-key',
        'keys/private.pem',
        '--channel-arn',
        CHANNEL_ARN,
        '--playback-url',
        PLAYBACK_URL,
      ]).trim(),
    );
    expect(`${url.origin}${url.pathname}`).toBe(PLAYBACK_URL);
    expect((await verifyPlaybackToken(url.searchParams.get('token')!, publicPem)).channelArn).toBe(CHANNEL_ARN);

    expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
    // The keys are there, and git knows them as ignored.
    expect(git('status', '--porcelain', '--ignored')).toBe('!! keys/\n');
  });

  test('without that .gitignore, keygen refuses and leaves nothing behind', () => {
    expect(() => cli(['keygen', '--out', 'keys'])).toThrow(/Refusing to write the private key/);
    expect(git('status', '--porcelain', '--untracked-files=all', '--ignored')).toBe('');
  });

  test('where git is not installed, keygen writes the key pair: nothing could commit it', () => {
    // node is started by its path; PATH holds no git, so the CLI finds none.
    const output = cli(['keygen', '--out', 'keys'], { PATH: join(repo, 'no-programs-here') });

    expect(output).toMatch(/^Private key: .*private\.pem/);
    expect(existsSync(join(repo, 'keys', 'private.pem'))).toBe(true);
  });
});
