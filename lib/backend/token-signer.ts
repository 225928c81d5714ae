/**
 * A playback token signer for a key pair whose private half lives in Secrets Manager (the secret
 * `GeneratedPlaybackKeyPair` writes): it reads the secret's `AWSCURRENT` version, keeps the parsed
 * key, and reads again after `refreshAfterSeconds`, so a rotation reaches the backend in bounded
 * time while Secrets Manager sees one read per refresh period, not one per viewer.
 *
 * What is particular to playback keys is here: the options, the secret's format, the signing. Checking the
 * options, reading and checking the secret's key pair, holding, refreshing and backing off (secret-backed-key.ts,
 * shared with the participant token signer) know nothing about playback tokens. Error messages never contain the
 * secret's value.
 */
import { PlaybackTokenClaims, signWithCheckedKey } from './playback-token';
import { RefreshClock, systemClock } from './refreshing-value';
import { secretBackedKey } from './secret-backed-key';
import type { SecretsManagerClientLike } from './secret-reader';

export type { SecretsManagerClientLike } from './secret-reader';
import { PlaybackTokenSignerError } from './token-signer-error';

export { PlaybackTokenSignerError } from './token-signer-error';

const SECRET_FORMAT =
  'JSON {"privateKeyPem": <PKCS#8 PEM>, "publicKeyPem": ..., "fingerprint": ..., "generation": ..., ' +
  '"playbackKeyPairArn": ...}, ' +
  'as GeneratedPlaybackKeyPair writes it (only privateKeyPem is required)';

/** Options for {@link createPlaybackTokenSigner}. */
export interface PlaybackTokenSignerOptions {
  /**
   * The secret that holds the key pair: its name or ARN, e.g. `GeneratedPlaybackKeyPair`'s `secret.secretArn`.
   * Its `AWSCURRENT` version must be JSON with a `privateKeyPem` (the format `GeneratedPlaybackKeyPair` writes).
   */
  readonly secretId: string;

  /**
   * Seconds a key read from the secret is used before the secret is read again, a number greater than 0.
   * Keep it well below the time between rotations: after a rotation the signer goes on signing with the
   * previous key for up to this long (see the README on choosing it). Past it, `sign()` starts a read in the
   * background and signs with the key it holds meanwhile.
   *
   * @default 300
   */
  readonly refreshAfterSeconds?: number;

  /**
   * Seconds a key may go on signing while reads of the secret fail (Secrets Manager throttling or out of
   * reach, access removed, a value that is not a key pair), counted from the read that got it; a number
   * greater than `refreshAfterSeconds`. Past it, `sign()` throws a `PlaybackTokenSignerError` that says so
   * (and why the reads failed) until a read succeeds. The key stays imported in IVS until a rotation
   * retires it, so keep this below the time between rotations, as `refreshAfterSeconds`.
   *
   * @default - 3600 (one hour), or twice `refreshAfterSeconds` when that is more
   */
  readonly maxKeyAgeSeconds?: number;

  /**
   * Seconds one read of the secret may take, the client's retries included, a number greater than 0: a read
   * without an answer by then is abandoned (its request aborted) and counts as failed. After a failed read
   * the next waits: between half and all of 1 s, then 2, 4, 8, 16 and at most 30 s.
   *
   * @default 3
   */
  readonly readTimeoutSeconds?: number;

  /**
   * The Secrets Manager client to read the secret with. Its own retries happen within `readTimeoutSeconds`.
   *
   * @default - a `SecretsManagerClient` with the SDK's default configuration (credentials, region and
   *   `AWS_ENDPOINT_URL_SECRETS_MANAGER` from the environment; the region of `secretId` when that is an ARN),
   *   made on first use, that makes one attempt per read: the signer backs off and retries itself
   */
  readonly client?: SecretsManagerClientLike;

  /**
   * Called with the error of every failed read, the background reads included, whose failure `sign()` does
   * not report while it signs with the key it holds: log it to see an outage before `maxKeyAgeSeconds`
   * passes. An error it throws is ignored.
   *
   * @default - failed background reads are not reported; `sign()` throws only when it has no key to sign with
   */
  readonly onReadFailure?: (error: PlaybackTokenSignerError) => void;
}

/** Signs playback tokens with the key in a secret's `AWSCURRENT` version; made by {@link createPlaybackTokenSigner}. */
export interface PlaybackTokenSigner {
  /**
   * Signs a viewer playback token, as {@link signPlaybackToken} does, with the secret's current private key.
   *
   * While the signer holds a key no older than `maxKeyAgeSeconds`, this never waits on Secrets Manager: past
   * `refreshAfterSeconds` it starts one read in the background and signs with the held key meanwhile. The
   * first call, and a call when the held key is past `maxKeyAgeSeconds`, waits for a read (at most
   * `readTimeoutSeconds`; concurrent calls share it), or fails at once while reads are backing off.
   *
   * @throws PlaybackTokenSignerError if the signer has no key to sign with: the secret cannot be read, does not
   *   hold a playback key pair, or every read since the held key's has failed for `maxKeyAgeSeconds`
   * @throws PlaybackTokenError if a claim is not one IVS accepts
   */
  sign(claims: PlaybackTokenClaims): Promise<string>;
}

/**
 * Makes a signer that signs viewer playback tokens with the private key stored in a Secrets Manager secret
 * (`AWSCURRENT`), re-reading it after `refreshAfterSeconds` so that key rotations are picked up, and
 * signing on with the key it holds through failed reads for up to `maxKeyAgeSeconds`.
 *
 * Make one per secret at module scope (outside the Lambda handler), so that warm invocations reuse its key.
 * Needs `@aws-sdk/client-secrets-manager` (Lambda's Node.js runtimes include it) and
 * `secretsmanager:GetSecretValue` on the secret (`GeneratedPlaybackKeyPair.grantRead` gives it).
 *
 * @throws PlaybackTokenSignerError if `secretId`, `refreshAfterSeconds`, `maxKeyAgeSeconds` or
 *   `readTimeoutSeconds` is not valid
 */
export function createPlaybackTokenSigner(options: PlaybackTokenSignerOptions): PlaybackTokenSigner {
  return playbackTokenSignerOn(systemClock, options);
}

/**
 * {@link createPlaybackTokenSigner} on a given clock: the tests' way to move time.
 *
 * @internal
 */
export function playbackTokenSignerOn(clock: RefreshClock, options: PlaybackTokenSignerOptions): PlaybackTokenSigner {
  const key = secretBackedKey(clock, options, {
    caller: 'createPlaybackTokenSigner',
    madeBy: 'GeneratedPlaybackKeyPair',
    noun: 'a playback key pair',
    format: SECRET_FORMAT,
    error: (message, errorOptions) => new PlaybackTokenSignerError(message, errorOptions),
    held: (privateKey) => privateKey,
  });
  return {
    sign: async (claims) => {
      const current = key.current();
      return signWithCheckedKey(current instanceof Promise ? await current : current, claims);
    },
  };
}
