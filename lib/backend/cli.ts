#!/usr/bin/env node
/**
 * `cdk-ivs-playback-key-pair`: generates playback key pairs, derives and fingerprints their halves, and
 * signs playback URLs, so a private channel can be set up and tried without openssl, without
 * writing code and without calling AWS.
 */
import { createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkChannelArn, checkViewerId, MAX_SINGLE_VIEWER_LIFETIME_SECONDS } from './claim-checks';
import { gitExposure } from './git-exposure';
import { generatePlaybackKeyPair, loadPlaybackPrivateKey, playbackKeyFingerprint } from './key-material';
import { playbackUrlWithToken, signPlaybackToken } from './playback-token';
import { PlaybackTokenError } from './playback-token-error';

const PROGRAM = 'cdk-ivs-playback-key-pair';
const PRIVATE_KEY_FILE = 'private.pem';
const PUBLIC_KEY_FILE = 'public.pem';
const PRIVATE_KEY_MODE = 0o600;
const PUBLIC_KEY_MODE = 0o644;
/** A new --out folder: only its owner may list or enter it, whatever the umask. */
const KEY_FOLDER_MODE = 0o700;
const DEFAULT_EXPIRES_IN_SECONDS = 300;
const PLAYBACK_URL_FORM = 'https://<id>.<region>.playback.live-video.net/api/video/v1/...m3u8';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const USAGE = `Usage: ${PROGRAM} <command> [options]

Commands:
  keygen --out <dir> [--force]
      Generate an ECDSA P-384 playback key pair: <dir>/${PRIVATE_KEY_FILE} (mode 0600, signs playback tokens; keep
      it secret) and <dir>/${PUBLIC_KEY_FILE} (mode 0644, for the PlaybackKeyPair construct). Creates <dir> with
      mode 0700 if it does not exist. Refuses to overwrite either file, and to write the private key into a git
      work tree that does not ignore it; --force does both (with a warning for git).
  public-key --private-key <file>
      Print the public half of a private key as PEM, for the PlaybackKeyPair construct.
  fingerprint <pem-file>
      Print the fingerprint IVS reports for a public or private key.
  sign-url --private-key <file> --channel-arn <arn> --playback-url <url> [--expires-in <seconds>] [--viewer-id <id>]
      Print the channel's playback URL with a viewer token signed by the private key. --expires-in: whole
      seconds, default ${DEFAULT_EXPIRES_IN_SECONDS}, at most ${MAX_SINGLE_VIEWER_LIFETIME_SECONDS} with --viewer-id. --viewer-id: 1 to 40
      characters, so the viewer's session can be revoked (StartViewerSessionRevocation).

Options:
  -h, --help     Show this help.
  --version      Print the version of ${PROGRAM}.
`;

/** Where the CLI writes its output; the process streams by default, replaceable in tests. */
export interface CliIo {
  /** Receives results and help. */
  readonly stdout: { write(text: string): unknown };
  /** Receives errors, warnings and usage after a usage error. */
  readonly stderr: { write(text: string): unknown };
}

/** A mistake in the command line: answered with the usage text and exit code 2. */
class UsageError extends Error {}

type Command = (args: string[], io: CliIo) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  keygen,
  'public-key': publicKey,
  fingerprint,
  'sign-url': signUrl,
};

/**
 * Runs the command line.
 *
 * @param argv - the arguments after the program name, e.g. `['keygen', '--out', 'keys']`
 * @param io - where to write output; the process's stdout and stderr unless given
 * @returns the exit code: 0 on success, 1 when the command failed, 2 for a usage error
 */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === '-h' || command === '--help') {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    if (command === '--version') {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT_OK;
    }
    const run = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) {
      throw new UsageError(command === undefined ? 'Missing command.' : `Unknown command ${JSON.stringify(command)}.`);
    }
    return await run(args, io);
  } catch (error) {
    return report(error, io);
  }
}

function keygen(args: string[], io: CliIo): number {
  const { values } = parseCommandArgs(args, {
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const out = requiredOption(values.out, 'keygen needs --out <dir>, the directory to write the key files to.');
  const privatePath = resolve(out, PRIVATE_KEY_FILE);
  const publicPath = resolve(out, PUBLIC_KEY_FILE);
  guardAgainstGit(privatePath, values.force, io);
  if (!values.force) {
    refuseToOverwrite([privatePath, publicPath]);
  }
  const keyPair = generatePlaybackKeyPair();
  makeKeyFolder(out);
  writeKeyFile(privatePath, keyPair.privateKeyPem, PRIVATE_KEY_MODE, values.force);
  writeKeyFile(publicPath, keyPair.publicKeyPem, PUBLIC_KEY_MODE, values.force);
  io.stdout.write(
    `Private key: ${privatePath} (keep it secret: it signs playback tokens)\n` +
      `Public key:  ${publicPath} (pass it to the PlaybackKeyPair construct)\n` +
      `Fingerprint: ${keyPair.fingerprint}\n`,
  );
  return EXIT_OK;
}

function publicKey(args: string[], io: CliIo): number {
  const { values } = parseCommandArgs(args, {
    'private-key': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const file = requiredOption(values['private-key'], 'public-key needs --private-key <file>, a private.pem.');
  const key = loadPlaybackPrivateKey(readKeyFile(file), `The key in ${file} (--private-key)`);
  io.stdout.write(createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
  return EXIT_OK;
}

function fingerprint(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(
    args,
    { help: { type: 'boolean', short: 'h', default: false } },
    true,
  );
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`fingerprint needs exactly one <pem-file>; got ${positionals.length}.`);
  }
  io.stdout.write(`${playbackKeyFingerprint(readKeyFile(positionals[0]))}\n`);
  return EXIT_OK;
}

async function signUrl(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    'private-key': { type: 'string' },
    'channel-arn': { type: 'string' },
    'playback-url': { type: 'string' },
    'expires-in': { type: 'string' },
    'viewer-id': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const { 'private-key': file, 'channel-arn': channelArn, 'playback-url': playbackUrl, 'viewer-id': viewerId } = values;
  if (!file || !channelArn || !playbackUrl) {
    const given = { '--private-key': file, '--channel-arn': channelArn, '--playback-url': playbackUrl };
    const missing = Object.keys(given).filter((name) => !given[name as keyof typeof given]);
    throw new UsageError(
      'sign-url needs --private-key <file>, --channel-arn <arn> and --playback-url <url>; ' +
        `missing: ${missing.join(', ')}.`,
    );
  }
  const claims = {
    channelArn: asUsage(() => checkChannelArn(channelArn, '--channel-arn')),
    expiresIn: expiresInOption(values['expires-in'], viewerId !== undefined),
    ...(viewerId === undefined ? {} : { viewerId: asUsage(() => checkViewerId(viewerId, '--viewer-id')) }),
  };
  checkPlaybackUrl(playbackUrl);
  const key = loadPlaybackPrivateKey(readKeyFile(file), `The key in ${file} (--private-key)`);
  let token: string;
  try {
    token = await signPlaybackToken(key, claims);
  } catch (error) {
    // Every claim comes from an option, so a claim IVS would refuse is a mistake in the command line.
    throw error instanceof PlaybackTokenError ? new UsageError(`${error.message}.`) : error;
  }
  io.stdout.write(`${playbackUrlWithToken(playbackUrl, token)}\n`);
  return EXIT_OK;
}

function expiresInOption(value: string | undefined, withViewerId: boolean): number {
  if (value === undefined) {
    return DEFAULT_EXPIRES_IN_SECONDS;
  }
  const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError(
      `--expires-in must be a whole number of seconds greater than 0 (default ${DEFAULT_EXPIRES_IN_SECONDS}); ` +
        `got ${JSON.stringify(value)}.`,
    );
  }
  if (withViewerId && seconds > MAX_SINGLE_VIEWER_LIFETIME_SECONDS) {
    throw new UsageError(
      `--expires-in may be at most ${MAX_SINGLE_VIEWER_LIFETIME_SECONDS} seconds (10 minutes) with --viewer-id, ` +
        `as IVS requires; got ${seconds}.`,
    );
  }
  return seconds;
}

function checkPlaybackUrl(value: string): void {
  if (!URL.canParse(value)) {
    throw new UsageError(
      `--playback-url must be an absolute URL, the channel's playback URL (${PLAYBACK_URL_FORM}); ` +
        `got ${JSON.stringify(value)}.`,
    );
  }
}

/** Runs a claim check, turning its complaint (which names the option) into a usage error. */
function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw error instanceof PlaybackTokenError ? new UsageError(`${error.message}.`) : error;
  }
}

function requiredOption(value: string | undefined, message: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(message);
  }
  return value;
}

/**
 * Refuses to write a private key where `git add .` would pick it up, unless forced; forced, warns.
 * Without git or outside a work tree, there is nothing to guard against.
 */
function guardAgainstGit(privatePath: string, force: boolean, io: CliIo): void {
  const exposure = gitExposure(privatePath);
  if (!exposure) {
    return;
  }
  const folder = exposure.pathInWorkTree.includes('/')
    ? `${exposure.pathInWorkTree.slice(0, exposure.pathInWorkTree.lastIndexOf('/'))}/`
    : PRIVATE_KEY_FILE;
  const where =
    `${privatePath} is inside the git work tree ${exposure.workTree}, and git does not ignore it: ` +
    `"git add ." would commit the private key.`;
  const fix = `add "${folder}" to ${join(exposure.workTree, '.gitignore')}`;
  if (!force) {
    throw new Error(
      `Refusing to write the private key: ${where} ${capitalized(fix)} (or write the key outside the work tree), ` +
        'or pass --force to write it anyway.',
    );
  }
  io.stderr.write(`${PROGRAM}: warning: ${where} Keep it out of every commit: ${fix}.\n`);
}

function refuseToOverwrite(paths: string[]): void {
  const existing = paths.filter((path) => existsSync(path));
  if (existing.length > 0) {
    throw new Error(
      `Refusing to overwrite ${existing.join(' and ')}. Pass --force to replace ` +
        'the key pair (tokens signed with the old private key stop working once its public key leaves IVS).',
    );
  }
}

/** Creates the key folder owner-only (missing parents get mkdir's 0700 less the umask); an existing one keeps its mode. */
function makeKeyFolder(dir: string): void {
  if (mkdirSync(dir, { recursive: true, mode: KEY_FOLDER_MODE }) !== undefined) {
    // mkdir's mode passes through the umask; chmod does not.
    chmodSync(dir, KEY_FOLDER_MODE);
  }
}

/**
 * Writes a new key file with exactly `mode`. A replaced file is removed first, so the new key never
 * inherits the old file's permissions; 'wx' fails rather than overwrite a file that appeared since
 * the check; chmod undoes the umask.
 */
function writeKeyFile(path: string, content: string, mode: number, replace: boolean): void {
  if (replace) {
    rmSync(path, { force: true });
  }
  writeFileSync(path, content, { mode, flag: 'wx' });
  chmodSync(path, mode);
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${messageOf(error)}`, { cause: error });
  }
}

type OptionsConfig = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parseCommandArgs<T extends OptionsConfig>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    // parseArgs names the offending option; its own error codes are not worth showing.
    throw new UsageError(messageOf(error));
  }
}

/** The version in the package.json next to lib/ (two levels up from this file, built or not). */
function packageVersion(): string {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

function report(error: unknown, io: CliIo): number {
  io.stderr.write(`${PROGRAM}: ${messageOf(error)}\n`);
  if (error instanceof UsageError) {
    io.stderr.write(`\n${USAGE}`);
    return EXIT_USAGE;
  }
  return EXIT_FAILURE;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The message of an error, duck-typed: errors from node's internals fail `instanceof Error` under jest. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
