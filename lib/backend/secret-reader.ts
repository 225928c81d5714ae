/**
 * One read of a secret's `AWSCURRENT` version, for the token signers: `@aws-sdk/client-secrets-manager`
 * is loaded here only, on the first read, so the rest of `./tokens` runs without it. It knows nothing
 * about what the secret holds; the caller checks the value.
 *
 * Error messages name the secret and never contain its value.
 */
// Types of the implementation only: the declarations this file compiles to must not name the SDK, an optional peer
// that a backend may not have installed (it would get TS2307 in them).
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { importOptionalPeer } from './optional-peer';

const SDK_PACKAGE = '@aws-sdk/client-secrets-manager';

type SecretsManagerModule = typeof import('@aws-sdk/client-secrets-manager');

/**
 * What a secret-backed signer needs of a Secrets Manager client: `send`, which it calls with a `GetSecretValueCommand`.
 * A `SecretsManagerClient` of `@aws-sdk/client-secrets-manager` v3 is one. Declared here rather than imported
 * from the SDK so that this package's types compile where the SDK (an optional peer) is not installed.
 */
export interface SecretsManagerClientLike {
  /**
   * Sends a command; a signer sends only `GetSecretValueCommand` and reads `SecretString` from the answer.
   *
   * @param command - the command to send
   * @param options - per-call options of the SDK, e.g. `{ abortSignal }`
   */
  send(command: object, options?: object): Promise<object>;
}

/** What a read returns: the parts of `GetSecretValue`'s answer a signer looks at. */
export interface SecretValue {
  readonly SecretString?: string;
  readonly SecretBinary?: unknown;
}

/** What a secret reader needs to know to read and to word its errors. */
export interface SecretReaderOptions {
  readonly secretId: string;
  /** The client to read with; without one, {@link defaultClient}'s. */
  readonly client?: SecretsManagerClientLike;
  /** The function the user called, e.g. `createPlaybackTokenSigner`, for the message when the SDK is missing. */
  readonly caller: string;
  /** The construct that makes the secret and grants reading it, e.g. `GeneratedPlaybackKeyPair`. */
  readonly madeBy: string;
  /** Makes the caller's error. */
  error(message: string, options?: ErrorOptions): Error;
}

/**
 * Returns a function that reads the secret's AWSCURRENT version, loading the SDK and making the client on
 * first use. A read stops (its socket destroyed) when its signal aborts.
 */
export function secretReader(options: SecretReaderOptions): (signal: AbortSignal) => Promise<SecretValue> {
  const { secretId, client: givenClient } = options;
  let ready: Promise<{ sdk: SecretsManagerModule; client: SecretsManagerClientLike }> | undefined;
  return async (signal) => {
    ready ??= loadSdk(options).then((sdk) => ({
      sdk,
      client: givenClient ?? defaultClient(sdk, secretId),
    }));
    const { sdk, client } = await ready.catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    try {
      // VersionStage spelled out: it is what the signer means, and moto 5 needs it to follow label moves.
      const command = new sdk.GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' });
      // A client that fits SecretsManagerClientLike answers a GetSecretValueCommand as the SDK's does.
      return (await client.send(command, { abortSignal: signal })) as SecretValue;
    } catch (error) {
      throw readFailure(options, error);
    }
  };
}

/**
 * The SDK's default client, but with one attempt per read (the SDK's own retries would multiply the reads
 * of a throttled secret; the caller backs off instead) and, for a secret named by its ARN, the ARN's region,
 * where the secret is, whatever the environment's region.
 */
function defaultClient(sdk: SecretsManagerModule, secretId: string): SecretsManagerClient {
  const region = /^arn:[^:]+:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];
  return new sdk.SecretsManagerClient({ maxAttempts: 1, ...(region ? { region } : {}) });
}

function loadSdk({ caller, error: makeError }: SecretReaderOptions): Promise<SecretsManagerModule> {
  return importOptionalPeer(
    () => import('@aws-sdk/client-secrets-manager'),
    SDK_PACKAGE,
    (cause) =>
      makeError(
        `${caller} reads the key with the AWS SDK's Secrets Manager client, which is not ` +
          `installed: run "npm install ${SDK_PACKAGE}" (Lambda's Node.js runtimes include it; keep it external when bundling for Lambda)`,
        { cause },
      ),
  );
}

function readFailure({ secretId, madeBy, error: makeError }: SecretReaderOptions, error: unknown): Error {
  const name = (error as { name?: unknown })?.name;
  const secret = `the secret ${JSON.stringify(secretId)}`;
  switch (name) {
    case 'ResourceNotFoundException':
      return makeError(
        `Secrets Manager has no AWSCURRENT value of ${secret} (ResourceNotFoundException): ` +
          `check secretId (the name or ARN of the secret ${madeBy} made) and the region`,
        { cause: error },
      );
    case 'AccessDeniedException':
      return makeError(
        `Not allowed to read ${secret} (AccessDeniedException): grant secretsmanager:GetSecretValue ` +
          `on it (${madeBy}.grantRead does), and kms:Decrypt if a customer-managed key encrypts it`,
        { cause: error },
      );
    case 'DecryptionFailure':
      return makeError(
        `Secrets Manager could not decrypt ${secret} (DecryptionFailure): grant kms:Decrypt on the ` +
          `KMS key that encrypts it (${madeBy}.grantRead does)`,
        { cause: error },
      );
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return makeError(`Reading ${secret} failed: ${typeof name === 'string' ? `${name}: ` : ''}${message}`, {
        cause: error,
      });
    }
  }
}
