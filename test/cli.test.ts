import { generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo, main } from '../lib/backend/cli';
import { generatePlaybackKeyPair, playbackKeyFingerprint } from '../lib/backend/key-material';

let dir: string;
let stdout: string;
let stderr: string;
const io: CliIo = {
  stdout: {
    write: (text: string) => {
      stdout += text;
    },
  },
  stderr: {
    write: (text: string) => {
      stderr += text;
    },
  },
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ivs-cli-'));
  stdout = '';
  stderr = '';
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
}

describe('keygen', () => {
  test('writes private.pem (0600) and public.pem (0644) into a new directory and prints the fingerprint', () => {
    const out = join(dir, 'keys', 'prod');

    expect(main(['keygen', '--out', out], io)).toBe(0);

    const privatePem = readFileSync(join(out, 'private.pem'), 'utf8');
    const publicPem = readFileSync(join(out, 'public.pem'), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(modeOf(join(out, 'private.pem'))).toBe(0o600);
    expect(modeOf(join(out, 'public.pem'))).toBe(0o644);

    const fingerprint = playbackKeyFingerprint(publicPem);
    expect(playbackKeyFingerprint(privatePem)).toBe(fingerprint);
    expect(stdout).toBe(
      `Private key: ${join(out, 'private.pem')} (keep it secret: it signs playback tokens)\n` +
        `Public key:  ${join(out, 'public.pem')} (pass it to the PlaybackKeyPair construct)\n` +
        `Fingerprint: ${fingerprint}\n`,
    );
    expect(stdout).not.toContain(pemBody(privatePem).slice(0, 40));
    expect(stderr).toBe('');
  });

  test('sets the modes exactly, whatever the umask', () => {
    const previousUmask = process.umask(0o077);
    try {
      expect(main(['keygen', '--out', dir], io)).toBe(0);
    } finally {
      process.umask(previousUmask);
    }
    expect(modeOf(join(dir, 'private.pem'))).toBe(0o600);
    expect(modeOf(join(dir, 'public.pem'))).toBe(0o644);
  });

  test.each(['private.pem', 'public.pem'])('refuses to overwrite an existing %s', (existing) => {
    writeFileSync(join(dir, existing), 'keep me');

    expect(main(['keygen', '--out', dir], io)).toBe(1);

    expect(stderr).toBe(
      `cdk-ivs-playback-key-pair: Refusing to overwrite ${join(dir, existing)}. Pass --force to replace the key pair ` +
        '(tokens signed with the old private key stop working once its public key leaves IVS).\n',
    );
    expect(readFileSync(join(dir, existing), 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual([existing]);
    expect(stdout).toBe('');
  });

  test('names both files when both exist', () => {
    expect(main(['keygen', '--out', dir], io)).toBe(0);
    const before = readFileSync(join(dir, 'private.pem'), 'utf8');

    expect(main(['keygen', '--out', dir], io)).toBe(1);

    expect(stderr).toContain(`Refusing to overwrite ${join(dir, 'private.pem')} and ${join(dir, 'public.pem')}.`);
    expect(readFileSync(join(dir, 'private.pem'), 'utf8')).toBe(before);
  });

  test('--force replaces both files with a new key pair, with the right modes', () => {
    expect(main(['keygen', '--out', dir], io)).toBe(0);
    const before = readFileSync(join(dir, 'private.pem'), 'utf8');
    chmodSync(join(dir, 'private.pem'), 0o644);
    chmodSync(join(dir, 'public.pem'), 0o600);

    expect(main(['keygen', '--out', dir, '--force'], io)).toBe(0);

    const after = readFileSync(join(dir, 'private.pem'), 'utf8');
    expect(after).not.toBe(before);
    expect(playbackKeyFingerprint(readFileSync(join(dir, 'public.pem'), 'utf8'))).toBe(playbackKeyFingerprint(after));
    expect(modeOf(join(dir, 'private.pem'))).toBe(0o600);
    expect(modeOf(join(dir, 'public.pem'))).toBe(0o644);
  });

  test('fails with exit code 1 when the output path is a file', () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');

    expect(main(['keygen', '--out', file], io)).toBe(1);
    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: .*not-a-dir/);
  });

  test.each([
    [['keygen'], /keygen needs --out <dir>, the directory to write the key files to\./],
    [['keygen', '--out'], /--out/],
    [['keygen', '--out', 'x', '--bogus'], /--bogus/],
    [['keygen', '--out', 'x', 'extra'], /extra/],
  ])('answers %j with exit code 2 and the usage', (argv, message) => {
    // `x` stands for a directory in the test's own temporary directory, never the working directory.
    expect(
      main(
        argv.map((arg) => (arg === 'x' ? join(dir, 'x') : arg)),
        io,
      ),
    ).toBe(2);

    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: cdk-ivs-playback-key-pair <command> [options]');
    expect(existsSync(join(dir, 'x', 'private.pem'))).toBe(false);
  });
});

describe('fingerprint', () => {
  const keyPair = generatePlaybackKeyPair();

  test.each([
    ['public', keyPair.publicKeyPem],
    ['private', keyPair.privateKeyPem],
  ])('prints the fingerprint of a %s key file', (_, pem) => {
    const file = join(dir, 'key.pem');
    writeFileSync(file, pem);

    expect(main(['fingerprint', file], io)).toBe(0);
    expect(stdout).toBe(`${keyPair.fingerprint}\n`);
  });

  test('fails with exit code 1 for a key IVS would not accept, never printing the key', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const file = join(dir, 'p256.pem');
    writeFileSync(file, p256);

    expect(main(['fingerprint', file], io)).toBe(1);
    expect(stderr).toMatch(/ECDSA P-384 \(secp384r1\).*got an EC key on curve prime256v1 \(P-256\)/);
    expect(stderr + stdout).not.toContain(pemBody(p256).slice(0, 40));
  });

  test('fails with exit code 1 for a missing file', () => {
    expect(main(['fingerprint', join(dir, 'missing.pem')], io)).toBe(1);
    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: Cannot read .*missing\.pem: ENOENT/);
  });

  test.each([[['fingerprint']], [['fingerprint', 'a.pem', 'b.pem']]])(
    'answers %j with exit code 2 and the usage',
    (argv) => {
      expect(main(argv, io)).toBe(2);
      expect(stderr).toMatch(/fingerprint needs exactly one <pem-file>; got \d\./);
      expect(stderr).toContain('Usage:');
    },
  );
});

describe('help and unknown commands', () => {
  test.each([[['--help']], [['-h']], [['keygen', '--help']], [['fingerprint', '-h']]])(
    '%j prints the usage and exits 0',
    (argv) => {
      expect(main(argv, io)).toBe(0);

      expect(stdout).toMatch(/^Usage: cdk-ivs-playback-key-pair <command> \[options\]/);
      expect(stdout).toContain('keygen --out <dir> [--force]');
      expect(stdout).toContain('fingerprint <pem-file>');
      expect(stderr).toBe('');
    },
  );

  test('an unknown command exits 2 with the usage', () => {
    expect(main(['sign'], io)).toBe(2);

    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: Unknown command "sign"\.\n\nUsage: /);
    expect(stdout).toBe('');
  });

  test('no command exits 2 with the usage', () => {
    expect(main([], io)).toBe(2);
    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: Missing command\.\n\nUsage: /);
  });

  test('the published file starts with a node shebang', () => {
    expect(readFileSync(join(__dirname, '..', 'lib', 'backend', 'cli.ts'), 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env node',
    );
  });
});
