import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
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
import { verifyPlaybackToken } from '../lib/backend/playback-token';

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
  test('writes private.pem (0600) and public.pem (0644) into a new directory and prints the fingerprint', async () => {
    const out = join(dir, 'keys', 'prod');

    expect(await main(['keygen', '--out', out], io)).toBe(0);

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

  test('sets the modes exactly, whatever the umask', async () => {
    const previousUmask = process.umask(0o077);
    try {
      expect(await main(['keygen', '--out', dir], io)).toBe(0);
    } finally {
      process.umask(previousUmask);
    }
    expect(modeOf(join(dir, 'private.pem'))).toBe(0o600);
    expect(modeOf(join(dir, 'public.pem'))).toBe(0o644);
  });

  test('creates the --out folder and its missing parents owner-only (0700), whatever the umask', async () => {
    const out = join(dir, 'new', 'keys');
    const previousUmask = process.umask(0o002);
    try {
      expect(await main(['keygen', '--out', out], io)).toBe(0);
    } finally {
      process.umask(previousUmask);
    }
    expect(modeOf(out)).toBe(0o700);
    expect(modeOf(join(dir, 'new'))).toBe(0o700);
  });

  test('leaves the mode of an existing --out folder as it is', async () => {
    chmodSync(dir, 0o750);
    expect(await main(['keygen', '--out', dir], io)).toBe(0);
    expect(modeOf(dir)).toBe(0o750);
  });

  test.each(['private.pem', 'public.pem'])('refuses to overwrite an existing %s', async (existing) => {
    writeFileSync(join(dir, existing), 'keep me');

    expect(await main(['keygen', '--out', dir], io)).toBe(1);

    expect(stderr).toBe(
      `cdk-ivs-playback-key-pair: Refusing to overwrite ${join(dir, existing)}. Pass --force to replace the key pair ` +
        '(tokens signed with the old private key stop working once its public key leaves IVS).\n',
    );
    expect(readFileSync(join(dir, existing), 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual([existing]);
    expect(stdout).toBe('');
  });

  test('names both files when both exist', async () => {
    expect(await main(['keygen', '--out', dir], io)).toBe(0);
    const before = readFileSync(join(dir, 'private.pem'), 'utf8');

    expect(await main(['keygen', '--out', dir], io)).toBe(1);

    expect(stderr).toContain(`Refusing to overwrite ${join(dir, 'private.pem')} and ${join(dir, 'public.pem')}.`);
    expect(readFileSync(join(dir, 'private.pem'), 'utf8')).toBe(before);
  });

  test('--force replaces both files with a new key pair, with the right modes', async () => {
    expect(await main(['keygen', '--out', dir], io)).toBe(0);
    const before = readFileSync(join(dir, 'private.pem'), 'utf8');
    chmodSync(join(dir, 'private.pem'), 0o644);
    chmodSync(join(dir, 'public.pem'), 0o600);

    expect(await main(['keygen', '--out', dir, '--force'], io)).toBe(0);

    const after = readFileSync(join(dir, 'private.pem'), 'utf8');
    expect(after).not.toBe(before);
    expect(playbackKeyFingerprint(readFileSync(join(dir, 'public.pem'), 'utf8'))).toBe(playbackKeyFingerprint(after));
    expect(modeOf(join(dir, 'private.pem'))).toBe(0o600);
    expect(modeOf(join(dir, 'public.pem'))).toBe(0o644);
  });

  test('fails with exit code 1 when the output path is a file', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');

    expect(await main(['keygen', '--out', file], io)).toBe(1);
    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: .*not-a-dir/);
  });

  test.each([
    [['keygen'], /keygen needs --out <dir>, the directory to write the key files to\./],
    [['keygen', '--out'], /--out/],
    [['keygen', '--out', 'x', '--bogus'], /--bogus/],
    [['keygen', '--out', 'x', 'extra'], /extra/],
  ])('answers %j with exit code 2 and the usage', async (argv, message) => {
    // `x` stands for a directory in the test's own temporary directory, never the working directory.
    expect(
      await main(
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
  ])('prints the fingerprint of a %s key file', async (_, pem) => {
    const file = join(dir, 'key.pem');
    writeFileSync(file, pem);

    expect(await main(['fingerprint', file], io)).toBe(0);
    expect(stdout).toBe(`${keyPair.fingerprint}\n`);
  });

  test('fails with exit code 1 for a key IVS would not accept, never printing the key', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const file = join(dir, 'p256.pem');
    writeFileSync(file, p256);

    expect(await main(['fingerprint', file], io)).toBe(1);
    expect(stderr).toMatch(/ECDSA P-384 \(secp384r1\).*got an EC key on curve prime256v1 \(P-256\)/);
    expect(stderr + stdout).not.toContain(pemBody(p256).slice(0, 40));
  });

  test('fails with exit code 1 for a missing file', async () => {
    expect(await main(['fingerprint', join(dir, 'missing.pem')], io)).toBe(1);
    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: Cannot read .*missing\.pem: ENOENT/);
  });

  test.each([[['fingerprint']], [['fingerprint', 'a.pem', 'b.pem']]])(
    'answers %j with exit code 2 and the usage',
    async (argv) => {
      expect(await main(argv, io)).toBe(2);
      expect(stderr).toMatch(/fingerprint needs exactly one <pem-file>; got \d\./);
      expect(stderr).toContain('Usage:');
    },
  );
});

describe('public-key', () => {
  test.each([
    ['PKCS#8 (keygen, openssl genpkey)', (key: ReturnType<typeof generatePlaybackKeyPair>) => key.privateKeyPem],
    [
      'SEC1 (openssl ecparam -genkey)',
      (key: ReturnType<typeof generatePlaybackKeyPair>) =>
        createPrivateKey(key.privateKeyPem).export({ type: 'sec1', format: 'pem' }).toString(),
    ],
  ])('prints the public half of a %s private key, as keygen writes it', async (_, privatePem) => {
    const keyPair = generatePlaybackKeyPair();
    const file = join(dir, 'private.pem');
    writeFileSync(file, privatePem(keyPair));

    expect(await main(['public-key', '--private-key', file], io)).toBe(0);

    expect(stdout).toBe(keyPair.publicKeyPem);
    expect(playbackKeyFingerprint(stdout)).toBe(keyPair.fingerprint);
    expect(stderr).toBe('');
  });

  test('fails with exit code 1 for a public key, naming the option and never printing the key', async () => {
    const keyPair = generatePlaybackKeyPair();
    const file = join(dir, 'public.pem');
    writeFileSync(file, keyPair.publicKeyPem);

    expect(await main(['public-key', '--private-key', file], io)).toBe(1);

    expect(stderr).toBe(
      `cdk-ivs-playback-key-pair: The key in ${file} (--private-key) must be an ECDSA P-384 (secp384r1) private key ` +
        'as a PEM string or KeyObject; got a public key; sign with the private half (private.pem), not public.pem.\n',
    );
    expect(stdout).toBe('');
  });

  test('fails with exit code 1 for a private key on another curve, never printing it', async () => {
    const sec1P256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString();
    const file = join(dir, 'p256.pem');
    writeFileSync(file, sec1P256);

    expect(await main(['public-key', '--private-key', file], io)).toBe(1);
    expect(stderr).toMatch(/ECDSA P-384 \(secp384r1\) private key .*got an EC key on curve prime256v1 \(P-256\)/);
    expect(stderr + stdout).not.toContain(pemBody(sec1P256).slice(0, 40));
  });

  test.each([[['public-key']], [['public-key', 'private.pem']], [['public-key', '--private-key']]])(
    'answers %j with exit code 2 and the usage',
    async (argv) => {
      expect(await main(argv, io)).toBe(2);
      expect(stderr).toMatch(/--private-key/);
      expect(stderr).toContain('Usage:');
      expect(stdout).toBe('');
    },
  );
});

describe('sign-url', () => {
  const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
  const PLAYBACK_URL =
    'https://0123456789ab.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.AbCdEfGh1234.m3u8';
  const keyPair = generatePlaybackKeyPair();
  let privateFile: string;
  const signUrl = (...options: string[]) =>
    main(['sign-url', '--private-key', privateFile, '--channel-arn', CHANNEL_ARN, ...options], io);

  beforeEach(() => {
    privateFile = join(dir, 'private.pem');
    writeFileSync(privateFile, keyPair.privateKeyPem);
  });

  /** The seconds since the epoch, whole, as `exp` counts them. */
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  test('prints the playback URL with a token the public key verifies, expiring in 300 seconds by default', async () => {
    const before = nowSeconds();
    expect(await signUrl('--playback-url', PLAYBACK_URL)).toBe(0);
    const after = nowSeconds();

    expect(stdout).toMatch(/\n$/);
    const url = new URL(stdout.trim());
    expect(`${url.origin}${url.pathname}`).toBe(PLAYBACK_URL);
    expect([...url.searchParams.keys()]).toEqual(['token']);
    const verified = await verifyPlaybackToken(url.searchParams.get('token')!, keyPair.publicKeyPem);
    expect(verified).toEqual({ channelArn: CHANNEL_ARN, expiresAt: expect.any(Date) });
    const exp = verified.expiresAt.getTime() / 1000;
    expect(exp).toBeGreaterThanOrEqual(before + 300);
    expect(exp).toBeLessThanOrEqual(after + 300);
    expect(stderr).toBe('');
  });

  test('--expires-in and --viewer-id set the expiry and the viewer; other query parameters are kept', async () => {
    const before = nowSeconds();
    expect(
      await signUrl('--playback-url', `${PLAYBACK_URL}?player=web`, '--expires-in', '600', '--viewer-id', 'v-1'),
    ).toBe(0);
    const after = nowSeconds();

    const url = new URL(stdout.trim());
    expect(url.searchParams.get('player')).toBe('web');
    const verified = await verifyPlaybackToken(url.searchParams.get('token')!, keyPair.publicKeyPem);
    expect(verified.viewerId).toBe('v-1');
    const exp = verified.expiresAt.getTime() / 1000;
    expect(exp).toBeGreaterThanOrEqual(before + 600);
    expect(exp).toBeLessThanOrEqual(after + 600);
  });

  test.each([
    [
      'no --playback-url',
      [],
      'sign-url needs --private-key <file>, --channel-arn <arn> and --playback-url <url>; missing: --playback-url.',
    ],
    [
      'a playback key ARN as --channel-arn',
      ['--playback-url', PLAYBACK_URL, '--channel-arn', 'arn:aws:ivs:us-west-2:123456789012:playback-key/AbCd1234'],
      '--channel-arn must be an IVS channel ARN of the form arn:<partition>:ivs:<region>:<account>:channel/<id>; ' +
        'got "arn:aws:ivs:us-west-2:123456789012:playback-key/AbCd1234" (that is a playback key ARN; the token ' +
        'names the channel, not the key).',
    ],
    [
      'a relative --playback-url',
      ['--playback-url', 'channel.m3u8'],
      "--playback-url must be an absolute URL, the channel's playback URL " +
        '(https://<id>.<region>.playback.live-video.net/api/video/v1/...m3u8); got "channel.m3u8".',
    ],
    ...['0', '+5', '1.5', '5m', '1e3', ''].map((value): [string, string[], string] => [
      `--expires-in ${JSON.stringify(value)}`,
      ['--playback-url', PLAYBACK_URL, '--expires-in', value],
      `--expires-in must be a whole number of seconds greater than 0 (default 300); got ${JSON.stringify(value)}.`,
    ]),
    [
      '--expires-in=-5',
      ['--playback-url', PLAYBACK_URL, '--expires-in=-5'],
      '--expires-in must be a whole number of seconds greater than 0 (default 300); got "-5".',
    ],
    [
      '--expires-in 601 with --viewer-id',
      ['--playback-url', PLAYBACK_URL, '--expires-in', '601', '--viewer-id', 'v-1'],
      '--expires-in may be at most 600 seconds (10 minutes) with --viewer-id, as IVS requires; got 601.',
    ],
    [
      'a --viewer-id of 41 characters',
      ['--playback-url', PLAYBACK_URL, '--viewer-id', 'v'.repeat(41)],
      `--viewer-id must be a string of 1 to 40 characters; got "${'v'.repeat(41)}" (41 characters).`,
    ],
    ['an unknown option', ['--playback-url', PLAYBACK_URL, '--expires', '60'], "Unknown option '--expires'"],
  ])('answers %s with exit code 2, the option named and the usage', async (_, options, message) => {
    // The last --channel-arn wins, so a case can replace the valid one signUrl passes.
    expect(await signUrl(...options)).toBe(2);

    expect(stderr).toContain(`cdk-ivs-playback-key-pair: ${message}`);
    expect(stderr).toContain('Usage: cdk-ivs-playback-key-pair <command> [options]');
    expect(stdout).toBe('');
  });

  test('with no options names all three it needs', async () => {
    expect(await main(['sign-url'], io)).toBe(2);
    expect(stderr).toContain('missing: --private-key, --channel-arn, --playback-url.');
  });

  test('fails with exit code 1 for a public key as --private-key, never printing a token', async () => {
    writeFileSync(privateFile, keyPair.publicKeyPem);

    expect(await signUrl('--playback-url', PLAYBACK_URL)).toBe(1);
    expect(stderr).toMatch(
      /^cdk-ivs-playback-key-pair: The key in .*private\.pem \(--private-key\) must be .*got a public key/,
    );
    expect(stdout).toBe('');
  });

  test('fails with exit code 1 for a missing key file', async () => {
    rmSync(privateFile);
    expect(await signUrl('--playback-url', PLAYBACK_URL)).toBe(1);
    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: Cannot read .*private\.pem: ENOENT/);
  });
});

describe('help and unknown commands', () => {
  test.each([[['--help']], [['-h']], [['keygen', '--help']], [['fingerprint', '-h']]])(
    '%j prints the usage and exits 0',
    async (argv) => {
      expect(await main(argv, io)).toBe(0);

      expect(stdout).toMatch(/^Usage: cdk-ivs-playback-key-pair <command> \[options\]/);
      expect(stdout).toContain('keygen --out <dir> [--force]');
      expect(stdout).toContain('fingerprint <pem-file>');
      expect(stdout).toContain('public-key --private-key <file>');
      expect(stdout).toContain(
        'sign-url --private-key <file> --channel-arn <arn> --playback-url <url> [--expires-in <seconds>] [--viewer-id <id>]',
      );
      expect(stdout).toContain('--version');
      expect(stderr).toBe('');
    },
  );

  test('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    expect(version).toMatch(/^\d+\.\d+\.\d+/);

    expect(await main(['--version'], io)).toBe(0);
    expect(stdout).toBe(`${version}\n`);
    expect(stderr).toBe('');
  });

  test('an unknown command exits 2 with the usage', async () => {
    expect(await main(['sign'], io)).toBe(2);

    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: Unknown command "sign"\.\n\nUsage: /);
    expect(stdout).toBe('');
  });

  test('no command exits 2 with the usage', async () => {
    expect(await main([], io)).toBe(2);
    expect(stderr).toMatch(/^cdk-ivs-playback-key-pair: Missing command\.\n\nUsage: /);
  });

  test('the published file starts with a node shebang', async () => {
    expect(readFileSync(join(__dirname, '..', 'lib', 'backend', 'cli.ts'), 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env node',
    );
  });
});
