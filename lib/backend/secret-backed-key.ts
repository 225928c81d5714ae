/**
 * What every secret-backed token signer shares: its options checked (`secretId`, `onReadFailure` and the timing),
 * reads of the secret's `AWSCURRENT` version (secret-reader.ts), the value checked as a key pair (JSON, a P-384
 * `privateKeyPem`, a `fingerprint` that matches it), and the key held, refreshed in the background and backed off
 * (refreshing-value.ts). Each signer names its kind of key and adds what its tokens need from the value (the
 * participant signer: `publicKeyArn`). Error messages never contain the secret's value.
 */
import type { KeyObject } from 'node:crypto';
import { cachedPrivateKey } from './key-cache';
import { playbackKeyFingerprint } from './key-material';
import {
  createRefreshingValue,
  RefreshClock,
  RefreshingValue,
  refreshTiming,
  RefreshTimingOptions,
  RefreshWords,
} from './refreshing-value';
import { SecretsManagerClientLike, secretReader, SecretValue } from './secret-reader';

/** The options every secret-backed signer takes (see the signers' own option types for their documentation). */
export interface SecretBackedKeyOptions extends RefreshTimingOptions {
  readonly secretId: string;
  readonly client?: SecretsManagerClientLike;
  readonly onReadFailure?: (error: never) => void;
}

/** What one signer's key is called, where it comes from, and what the signer keeps of a checked value. */
export interface SecretKeyKind<T> {
  /** The function the user called, e.g. `createPlaybackTokenSigner`. */
  readonly caller: string;
  /** The construct that writes the secret, e.g. `GeneratedPlaybackKeyPair`. */
  readonly madeBy: string;
  /** What a valid value is, after "is not", e.g. `a playback key pair`. */
  readonly noun: string;
  /** The value's expected format, for the message of a value that is not one. */
  readonly format: string;
  /** Makes the signer's error. */
  error(message: string, options?: ErrorOptions): Error;
  /**
   * What the signer holds of a value whose key was checked: the key, and what else it reads from the value.
   *
   * @param invalid - makes the error of a value that is not what the signer needs, from the problem found
   */
  held(key: KeyObject, value: Record<string, unknown>, invalid: (problem: string) => Error): T;
}

/**
 * Checks a signer's options and returns its key, held and refreshed from the secret.
 *
 * @throws the kind's error if `secretId`, `onReadFailure` or a timing option is not valid
 */
export function secretBackedKey<T>(
  clock: RefreshClock,
  options: SecretBackedKeyOptions,
  kind: SecretKeyKind<T>,
): RefreshingValue<T> {
  const { secretId, client, onReadFailure } = options ?? {};
  if (typeof secretId !== 'string' || secretId === '') {
    throw kind.error(
      `secretId must be the name or ARN of the secret that holds the key pair; got ${describe(secretId)}`,
    );
  }
  if (onReadFailure !== undefined && typeof onReadFailure !== 'function') {
    throw kind.error(
      `onReadFailure must be a function that takes the error of a failed read; got ${describe(onReadFailure)}`,
    );
  }
  const makeError: RefreshWords['error'] = (message, cause) =>
    kind.error(message, cause === undefined ? undefined : { cause });
  const timing = refreshTiming(options, makeError);
  const readSecret = secretReader({ secretId, client, caller: kind.caller, madeBy: kind.madeBy, error: kind.error });
  return createRefreshingValue(
    async (signal) => heldFromSecret(secretId, await readSecret(signal), kind),
    timing,
    { value: 'key', source: `the secret ${JSON.stringify(secretId)}`, error: makeError },
    clock,
    onReadFailure as ((error: Error) => void) | undefined,
  );
}

/** Checks the secret's value and loads its private key; the messages describe the value without quoting it. */
function heldFromSecret<T>(secretId: string, output: SecretValue, kind: SecretKeyKind<T>): T {
  const invalid = (problem: string) =>
    kind.error(
      `The AWSCURRENT value of the secret ${JSON.stringify(secretId)} ` +
        `is not ${kind.noun}: ${problem}. Expected ${kind.format}.`,
    );
  if (typeof output.SecretString !== 'string') {
    throw invalid(output.SecretBinary ? 'it is binary (SecretBinary), not a SecretString' : 'it has no SecretString');
  }
  let value: unknown;
  try {
    value = JSON.parse(output.SecretString);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be key material: not passed on.
    throw invalid('it is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      `it is a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`,
    );
  }
  const { privateKeyPem, fingerprint } = value as Record<string, unknown>;
  if (typeof privateKeyPem !== 'string') {
    throw invalid(
      `its "privateKeyPem" is ${privateKeyPem === undefined ? 'missing' : `a ${typeof privateKeyPem}, not a string`}`,
    );
  }
  let key: KeyObject;
  try {
    key = cachedPrivateKey(privateKeyPem, 'its "privateKeyPem"');
  } catch (error) {
    // The key checks describe what they found and never echo the key.
    throw invalid((error as Error).message.replace(/\.$/, ''));
  }
  if (fingerprint !== undefined && fingerprint !== playbackKeyFingerprint(key)) {
    throw invalid('its "fingerprint" is not the fingerprint of its "privateKeyPem"');
  }
  return kind.held(key, value as Record<string, unknown>, invalid);
}

function describe(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value)
    : value === null
      ? 'null'
      : typeof value === 'number'
        ? String(value)
        : typeof value;
}
