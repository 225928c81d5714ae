#!/usr/bin/env node
/**
 * `cdk-ivs-playback-key-pair`: generates playback key pairs and prints their IVS fingerprints, so
 * keys can be made and checked without openssl and without calling AWS.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePlaybackKeyPair, playbackKeyFingerprint } from './key-material';

const PROGRAM = 'cdk-ivs-playback-key-pair';
const PRIVATE_KEY_FILE = 'private.pem';
const PUBLIC_KEY_FILE = 'public.pem';
const PRIVATE_KEY_MODE = 0o600;
const PUBLIC_KEY_MODE = 0o644;

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const USAGE = `Usage: ${PROGRAM} <command> [options]

Commands:
  keygen --out <dir> [--force]  Generate an ECDSA P-384 playback key pair: <dir>/${PRIVATE_KEY_FILE} (mode 0600,
                                signs playback tokens; keep it secret) and <dir>/${PUBLIC_KEY_FILE} (mode 0644, for
                                the PlaybackKeyPair construct). Refuses to overwrite either file unless --force.
  fingerprint <pem-file>        Print the fingerprint IVS reports for a public or private key.

Options:
  -h, --help                    Show this help.
`;

/** Where the CLI writes its output; the process streams by default, replaceable in tests. */
export interface CliIo {
  /** Receives results and help. */
  readonly stdout: { write(text: string): unknown };
  /** Receives errors and usage after a usage error. */
  readonly stderr: { write(text: string): unknown };
}

/** A mistake in the command line: answered with the usage text and exit code 2. */
class UsageError extends Error {}

/**
 * Runs the command line.
 *
 * @param argv - the arguments after the program name, e.g. `['keygen', '--out', 'keys']`
 * @param io - where to write output; the process's stdout and stderr unless given
 * @returns the exit code: 0 on success, 1 when the command failed, 2 for a usage error
 */
export function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): number {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case '-h':
      case '--help':
        io.stdout.write(USAGE);
        return EXIT_OK;
      case 'keygen':
        return keygen(args, io);
      case 'fingerprint':
        return fingerprint(args, io);
      default:
        throw new UsageError(
          command === undefined ? 'Missing command.' : `Unknown command ${JSON.stringify(command)}.`,
        );
    }
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
  if (typeof values.out !== 'string' || values.out === '') {
    throw new UsageError('keygen needs --out <dir>, the directory to write the key files to.');
  }
  const privatePath = resolve(values.out, PRIVATE_KEY_FILE);
  const publicPath = resolve(values.out, PUBLIC_KEY_FILE);
  if (!values.force) {
    refuseToOverwrite([privatePath, publicPath]);
  }
  const keyPair = generatePlaybackKeyPair();
  mkdirSync(values.out, { recursive: true });
  writeKeyFile(privatePath, keyPair.privateKeyPem, PRIVATE_KEY_MODE, values.force);
  writeKeyFile(publicPath, keyPair.publicKeyPem, PUBLIC_KEY_MODE, values.force);
  io.stdout.write(
    `Private key: ${privatePath} (keep it secret: it signs playback tokens)\n` +
      `Public key:  ${publicPath} (pass it to the PlaybackKeyPair construct)\n` +
      `Fingerprint: ${keyPair.fingerprint}\n`,
  );
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

function refuseToOverwrite(paths: string[]): void {
  const existing = paths.filter((path) => existsSync(path));
  if (existing.length > 0) {
    throw new Error(
      `Refusing to overwrite ${existing.join(' and ')}. Pass --force to replace ` +
        'the key pair (tokens signed with the old private key stop working once its public key leaves IVS).',
    );
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

function report(error: unknown, io: CliIo): number {
  io.stderr.write(`${PROGRAM}: ${messageOf(error)}\n`);
  if (error instanceof UsageError) {
    io.stderr.write(`\n${USAGE}`);
    return EXIT_USAGE;
  }
  return EXIT_FAILURE;
}

/** The message of an error, duck-typed: errors from node's internals fail `instanceof Error` under jest. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
