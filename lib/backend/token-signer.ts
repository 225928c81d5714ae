/**
 * A playback token signer for a key pair whose private half lives in Secrets Manager (the secret
 * `GeneratedPlaybackKeyPair` writes): it reads the secret's `AWSCURRENT` version, keeps the parsed
 * key, and reads again after `refreshAfterSeconds`, so a rotation reaches the backend in bounded
 * time while Secrets Manager sees one read per refresh period, not one per viewer.
 *
 * `@aws-sdk/client-secrets-manager` is loaded here only, when the first token is signed: the rest of
 * `cdk-ivs-playback-key-pair/tokens` runs without it. Error messages never contain the secret's value.
 */
// A type of the implementation only: the declarations this file compiles to must not name the SDK, an optional peer
// that a backend may not have installed (it would get TS2307 in them). The public option is SecretsManagerClientLike.
import type { GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { KeyObject } from 'node:crypto';
import { cachedPrivateKey } from './key-cache';
import { playbackKeyFingerprint } from './key-material';
import { PlaybackTokenClaims, signWithCheckedKey } from './playback-token';

const SDK_PACKAGE = '@aws-sdk/client-secrets-manager';
const DEFAULT_REFRESH_AFTER_SECONDS = 300;
const SECRET_FORMAT =
  'JSON {"privateKeyPem": <PKCS#8 PEM>, "publicKeyPem": ..., "fingerprint": ..., "generation": ...}, ' +
  'as GeneratedPlaybackKeyPair writes it (only privateKeyPem is required)';

/**
 * What the signer needs of a Secrets Manager client: `send`, which it calls with a `GetSecretValueCommand`.
 * A `SecretsManagerClient` of `@aws-sdk/client-secrets-manager` v3 is one. Declared here rather than imported
 * from the SDK so that this package's types compile where the SDK (an optional peer) is not installed.
 */
export interface SecretsManagerClientLike {
  /**
   * Sends a command; the signer sends only `GetSecretValueCommand` and reads `SecretString` from the answer.
   *
   * @param command - the command to send
   * @param options - per-call options of the SDK, e.g. `{ abortSignal }`
   */
  send(command: object, options?: object): Promise<object>;
}

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
   * previous key for up to this long (see the README on choosing it).
   *
   * @default 300
   */
  readonly refreshAfterSeconds?: number;

  /**
   * The Secrets Manager client to read the secret with.
   *
   * @default - a `SecretsManagerClient` with the SDK's default configuration (region, credentials and
   *   `AWS_ENDPOINT_URL_SECRETS_MANAGER` from the environment), made on first use
   */
  readonly client?: SecretsManagerClientLike;
}

/** Signs playback tokens with the key in a secret's `AWSCURRENT` version; made by {@link createPlaybackTokenSigner}. */
export interface PlaybackTokenSigner {
  /**
   * Signs a viewer playback token, as {@link signPlaybackToken} does, with the secret's current private key:
   * the one read last, or a fresh read when that is older than `refreshAfterSeconds`. Concurrent calls
   * share one read.
   *
   * @throws PlaybackTokenSignerError if the secret cannot be read or does not hold a playback key pair
   * @throws PlaybackTokenError if a claim is not one IVS accepts
   */
  sign(claims: PlaybackTokenClaims): Promise<string>;
}

/**
 * Thrown when the signer cannot get a key: the SDK is not installed, the secret is missing or not readable,
 * or its value is not a playback key pair. The message names the secret and never contains its value.
 */
export class PlaybackTokenSignerError extends Error {
  /**
   * @param message - what went wrong and how to fix it
   * @param options - the underlying error, as `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlaybackTokenSignerError';
  }
}

/**
 * Makes a signer that signs viewer playback tokens with the private key stored in a Secrets Manager secret
 * (`AWSCURRENT`), re-reading it after `refreshAfterSeconds` so that key rotations are picked up.
 *
 * Make one per secret at module scope (outside the Lambda handler), so that warm invocations reuse its key.
 * Needs `@aws-sdk/client-secrets-manager` (Lambda's Node.js runtimes include it) and
 * `secretsmanager:GetSecretValue` on the secret (`GeneratedPlaybackKeyPair.grantRead` gives it).
 *
 * @throws PlaybackTokenSignerError if `secretId` or `refreshAfterSeconds` is not valid
 */
export function createPlaybackTokenSigner(options: PlaybackTokenSignerOptions): PlaybackTokenSigner {
  const { secretId, refreshAfterSeconds = DEFAULT_REFRESH_AFTER_SECONDS } = options ?? {};
  if (typeof secretId !== 'string' || secretId === '') {
    throw new PlaybackTokenSignerError(
      `secretId must be the name or ARN of the secret that holds the key pair; got ${describe(secretId)}`,
    );
  }
  if (typeof refreshAfterSeconds !== 'number' || !Number.isFinite(refreshAfterSeconds) || refreshAfterSeconds <= 0) {
    throw new PlaybackTokenSignerError(
      `refreshAfterSeconds must be a number of seconds greater than 0 (default ${DEFAULT_REFRESH_AFTER_SECONDS}; ` +
        `keep it below the time between rotations); got ${describe(refreshAfterSeconds)}`,
    );
  }
  const readSecret = secretReader(secretId, options.client);
  const refreshAfterMs = refreshAfterSeconds * 1000;
  let current: { key: KeyObject; readAt: number } | undefined;
  let reading: Promise<KeyObject> | undefined;

  const read = async (): Promise<KeyObject> => {
    // Timed from the start of the read: the key is at least this old when it arrives.
    const readAt = Date.now();
    const key = keyFromSecret(secretId, await readSecret());
    current = { key, readAt };
    return key;
  };
  const currentKey = (): Promise<KeyObject> | KeyObject => {
    if (current && Date.now() - current.readAt < refreshAfterMs) {
      return current.key;
    }
    // One read for every caller that arrives while it runs; a failed read is not kept, so the next call retries.
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  return {
    sign: async (claims) => signWithCheckedKey(await currentKey(), claims),
  };
}

type SecretsManagerModule = typeof import('@aws-sdk/client-secrets-manager');

/** Reads the secret's AWSCURRENT version, loading the SDK and making the client on first use. */
function secretReader(
  secretId: string,
  givenClient: SecretsManagerClientLike | undefined,
): () => Promise<GetSecretValueCommandOutput> {
  let ready: Promise<{ sdk: SecretsManagerModule; client: SecretsManagerClientLike }> | undefined;
  return async () => {
    ready ??= loadSdk().then((sdk) => ({ sdk, client: givenClient ?? new sdk.SecretsManagerClient({}) }));
    const { sdk, client } = await ready.catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    try {
      // VersionStage spelled out: it is what the signer means, and moto 5 needs it to follow label moves.
      const command = new sdk.GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' });
      // A client that fits SecretsManagerClientLike answers a GetSecretValueCommand as the SDK's does.
      return (await client.send(command)) as GetSecretValueCommandOutput;
    } catch (error) {
      throw readFailure(secretId, error);
    }
  };
}

async function loadSdk(): Promise<SecretsManagerModule> {
  try {
    return await import('@aws-sdk/client-secrets-manager');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((error as Error).message).includes(SDK_PACKAGE)
    ) {
      throw new PlaybackTokenSignerError(
        `createPlaybackTokenSigner reads the key with the AWS SDK's Secrets Manager client, which is not ` +
          `installed: run "npm install ${SDK_PACKAGE}" (Lambda's Node.js runtimes include it; keep it external when bundling for Lambda)`,
        { cause: error },
      );
    }
    throw error;
  }
}

function readFailure(secretId: string, error: unknown): PlaybackTokenSignerError {
  const name = (error as { name?: unknown })?.name;
  const secret = `the secret ${JSON.stringify(secretId)}`;
  switch (name) {
    case 'ResourceNotFoundException':
      return new PlaybackTokenSignerError(
        `Secrets Manager has no AWSCURRENT value of ${secret} (ResourceNotFoundException): ` +
          'check secretId (the name or ARN of the secret GeneratedPlaybackKeyPair made) and the region',
        { cause: error },
      );
    case 'AccessDeniedException':
      return new PlaybackTokenSignerError(
        `Not allowed to read ${secret} (AccessDeniedException): grant secretsmanager:GetSecretValue ` +
          'on it (GeneratedPlaybackKeyPair.grantRead does), and kms:Decrypt if a customer-managed key encrypts it',
        { cause: error },
      );
    case 'DecryptionFailure':
      return new PlaybackTokenSignerError(
        `Secrets Manager could not decrypt ${secret} (DecryptionFailure): grant kms:Decrypt on the ` +
          'KMS key that encrypts it (GeneratedPlaybackKeyPair.grantRead does)',
        { cause: error },
      );
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return new PlaybackTokenSignerError(
        `Reading ${secret} failed: ${typeof name === 'string' ? `${name}: ` : ''}${message}`,
        { cause: error },
      );
    }
  }
}

/** Checks the secret's value and loads its private key; the messages describe the value without quoting it. */
function keyFromSecret(secretId: string, output: GetSecretValueCommandOutput): KeyObject {
  const invalid = (problem: string) =>
    new PlaybackTokenSignerError(
      `The AWSCURRENT value of the secret ${JSON.stringify(secretId)} ` +
        `is not a playback key pair: ${problem}. Expected ${SECRET_FORMAT}.`,
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
  return key;
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
