/**
 * A participant token signer for a stage key whose private half lives in Secrets Manager (the secret
 * `GeneratedStagePublicKey` writes): the key and its `publicKeyArn` (the tokens' `kid`) come from the secret's
 * `AWSCURRENT` version, held and refreshed as the playback token signer holds its key (secret-backed-key.ts, the
 * same code), and a stage's `events_url` and `whip_url`, unless the caller passes them, from `GetStage`, kept per
 * stage (stage-endpoints.ts). Error messages never contain the secret's value.
 */
import { checkKnownProperties, checkStageArn } from './participant-claim-checks';
import {
  PARTICIPANT_CLAIM_NAMES,
  ParticipantTokenClaims,
  signParticipantTokenWithCheckedKey,
} from './participant-token';
import { ParticipantTokenError } from './participant-token-error';
import { ParticipantTokenSignerError } from './participant-token-signer-error';
import { parseIvsArn } from '../shared/arn';
import { DEFAULT_READ_TIMEOUT_SECONDS, RefreshClock, systemClock } from './refreshing-value';
import { secretBackedKey } from './secret-backed-key';
import type { SecretsManagerClientLike } from './secret-reader';
import {
  DEFAULT_STAGE_ENDPOINTS_CACHE_SECONDS,
  IvsRealTimeClientLike,
  MAX_STAGE_ENDPOINTS_CACHE_SECONDS,
  stageEndpointsReader,
} from './stage-endpoints';

export { ParticipantTokenSignerError } from './participant-token-signer-error';
export type { IvsRealTimeClientLike } from './stage-endpoints';

const SECRET_FORMAT =
  'JSON {"privateKeyPem": <PKCS#8 PEM>, "publicKeyPem": ..., "fingerprint": ..., "generation": ..., ' +
  '"publicKeyArn": <the imported public key\'s ARN>}, as GeneratedStagePublicKey writes it ' +
  '(privateKeyPem and publicKeyArn are required)';
/** The signer's claims: the key's ARN comes from the secret, so `publicKeyArn` is refused. */
const SIGNER_CLAIM_NAMES = PARTICIPANT_CLAIM_NAMES.filter((name) => name !== 'publicKeyArn');

/** Options for {@link createParticipantTokenSigner}. */
export interface ParticipantTokenSignerOptions {
  /**
   * The secret that holds the stage key: its name or ARN, e.g. `GeneratedStagePublicKey`'s `secret.secretArn`.
   * Its `AWSCURRENT` version must be JSON with a `privateKeyPem` and a `publicKeyArn` (the format
   * `GeneratedStagePublicKey` writes).
   */
  readonly secretId: string;

  /**
   * Seconds a key read from the secret is used before the secret is read again, a number greater than 0. After a
   * rotation the signer goes on signing with the previous key (which stays imported while `keepPreviousKey`
   * holds it) for up to this long. Past it, `sign()` starts a read in the background and signs with the key it
   * holds meanwhile.
   *
   * @default 300
   */
  readonly refreshAfterSeconds?: number;

  /**
   * Seconds a key may go on signing while reads of the secret fail, counted from the read that got it; a number
   * greater than `refreshAfterSeconds`. Past it, `sign()` throws a `ParticipantTokenSignerError` until a read
   * succeeds.
   *
   * @default - 3600 (one hour), or twice `refreshAfterSeconds` when that is more
   */
  readonly maxKeyAgeSeconds?: number;

  /**
   * Seconds one read of the secret, or one `GetStage`, may take, the client's retries included, a number greater
   * than 0. After a failed read of the secret the next waits: between half and all of 1 s, then 2, 4, 8, 16 and
   * at most 30 s.
   *
   * @default 3
   */
  readonly readTimeoutSeconds?: number;

  /**
   * Seconds a stage's endpoints, read with `GetStage`, are used before the stage is read again: a number greater
   * than 0 and at most 1,209,600 (14 days, the longest the IVS Real-Time API reference allows them to be cached).
   * When that read fails, the endpoints held are used on, up to 14 days after they were read.
   *
   * @default 86400 - one day
   */
  readonly stageEndpointsCacheSeconds?: number;

  /**
   * The Secrets Manager client to read the secret with.
   *
   * @default - a `SecretsManagerClient` with the SDK's default configuration (the region of `secretId` when that is
   *   an ARN), made on first use, that makes one attempt per read
   */
  readonly client?: SecretsManagerClientLike;

  /**
   * The IVS Real-Time client to call `GetStage` with, for the stages whose `eventsUrl` or `whipUrl` a `sign()`
   * call leaves out. Its region must be the stages'.
   *
   * @default - an `IVSRealTimeClient` of `@aws-sdk/client-ivs-realtime` with the SDK's default configuration
   *   (credentials and `AWS_ENDPOINT_URL_IVS_REALTIME` from the environment), one per stage region, made on first
   *   use
   */
  readonly ivsRealTimeClient?: IvsRealTimeClientLike;

  /**
   * Called with the error of every failed read that `sign()` does not report because it signs on: background
   * reads of the secret, and `GetStage` calls whose stage's earlier endpoints are used on. An error it throws is
   * ignored.
   *
   * @default - such failures are not reported; `sign()` throws only when it has no key or endpoints to sign with
   */
  readonly onReadFailure?: (error: ParticipantTokenSignerError) => void;
}

/**
 * The claims of a token the signer signs: those of {@link ParticipantTokenClaims} without `publicKeyArn`, which
 * comes from the secret, and with the stage's endpoints optional.
 */
export interface ParticipantTokenSignerClaims {
  /** The stage the token admits to, `arn:<partition>:ivs:<region>:<account>:stage/<id>`. */
  readonly stageArn: string;
  /**
   * The stage's events endpoint (`events_url`).
   *
   * @default - `GetStage`'s `stage.endpoints.events`, kept per stage for `stageEndpointsCacheSeconds`
   */
  readonly eventsUrl?: string;
  /**
   * The stage's WHIP endpoint (`whip_url`).
   *
   * @default - `GetStage`'s `stage.endpoints.whip`, kept per stage for `stageEndpointsCacheSeconds`
   */
  readonly whipUrl?: string;
  /**
   * Your application's id of the user (`user_id`), at most 128 characters.
   *
   * @default - the claim is left out
   */
  readonly userId?: string;
  /**
   * Application data other participants see (`attributes`), at most 1 KB in total as JSON.
   *
   * @default - the claim is left out
   */
  readonly attributes?: Record<string, string>;
  /**
   * What the participant may do.
   *
   * @default - publish and subscribe
   */
  readonly capabilities?: ParticipantTokenClaims['capabilities'];
  /**
   * Seconds from now until the token expires, 1 to 1,209,600 (14 days).
   *
   * @default 43200 - 12 hours
   */
  readonly expiresIn?: number;
  /**
   * The participant's id (`jti`), 1 to 64 of `a-z`, `A-Z`, `0-9`, `-` and `_`.
   *
   * @default - a random UUID
   */
  readonly participantId?: string;
}

/** Signs participant tokens with the key in a secret's `AWSCURRENT` version; made by {@link createParticipantTokenSigner}. */
export interface ParticipantTokenSigner {
  /**
   * Signs a participant token, as {@link signParticipantToken} does, with the secret's current private key and
   * its `publicKeyArn` as `kid`.
   *
   * Waits on Secrets Manager only as the playback token signer does (the first call, or a key past
   * `maxKeyAgeSeconds`), and on `GetStage` only for a stage whose endpoints it does not hold and the call does not
   * pass (the first token of a stage, then once per `stageEndpointsCacheSeconds`).
   *
   * @throws ParticipantTokenSignerError if the signer has no key to sign with, or `GetStage` failed
   * @throws ParticipantTokenError if a claim is not one IVS Real-Time accepts
   */
  sign(claims: ParticipantTokenSignerClaims): Promise<string>;
}

/**
 * Makes a signer that signs participant tokens with the private key and public key ARN stored in a Secrets Manager
 * secret (`AWSCURRENT`), re-reading it after `refreshAfterSeconds` so that rotations are picked up, and filling in
 * each stage's endpoints from `GetStage`.
 *
 * Make one per secret at module scope (outside the Lambda handler), so that warm invocations reuse its key and
 * endpoints. Needs `@aws-sdk/client-secrets-manager` and `secretsmanager:GetSecretValue` on the secret
 * (`GeneratedStagePublicKey.grantRead` gives it), and, unless every `sign()` passes `eventsUrl` and `whipUrl`,
 * `@aws-sdk/client-ivs-realtime` and `ivs:GetStage` on the stages.
 *
 * @throws ParticipantTokenSignerError if an option is not valid
 */
export function createParticipantTokenSigner(options: ParticipantTokenSignerOptions): ParticipantTokenSigner {
  return participantTokenSignerOn(systemClock, options);
}

/**
 * {@link createParticipantTokenSigner} on a given clock: the tests' way to move time.
 *
 * @internal
 */
export function participantTokenSignerOn(
  clock: RefreshClock,
  options: ParticipantTokenSignerOptions,
): ParticipantTokenSigner {
  const makeError = (message: string, errorOptions?: ErrorOptions) =>
    new ParticipantTokenSignerError(message, errorOptions);
  const key = secretBackedKey(clock, options, {
    caller: 'createParticipantTokenSigner',
    madeBy: 'GeneratedStagePublicKey',
    noun: 'a stage key with its public key ARN',
    format: SECRET_FORMAT,
    error: makeError,
    held: (privateKey, value, invalid) => {
      const { publicKeyArn } = value;
      if (typeof publicKeyArn !== 'string' || !parseIvsArn(publicKeyArn, 'public-key')) {
        throw invalid(
          `its "publicKeyArn" is ${publicKeyArn === undefined ? 'missing' : 'not a public key ARN (arn:<partition>:ivs:<region>:<account>:public-key/<id>)'}`,
        );
      }
      return { privateKey, publicKeyArn };
    },
  });
  const { stageEndpointsCacheSeconds = DEFAULT_STAGE_ENDPOINTS_CACHE_SECONDS, ivsRealTimeClient } = options;
  if (
    typeof stageEndpointsCacheSeconds !== 'number' ||
    !Number.isFinite(stageEndpointsCacheSeconds) ||
    stageEndpointsCacheSeconds <= 0 ||
    stageEndpointsCacheSeconds > MAX_STAGE_ENDPOINTS_CACHE_SECONDS
  ) {
    throw makeError(
      `stageEndpointsCacheSeconds must be a number of seconds greater than 0 and at most ` +
        `${MAX_STAGE_ENDPOINTS_CACHE_SECONDS} (14 days, the longest IVS allows stage endpoints to be cached; ` +
        `default ${DEFAULT_STAGE_ENDPOINTS_CACHE_SECONDS}); got ${String(stageEndpointsCacheSeconds)}`,
    );
  }
  const onReadFailure = options.onReadFailure as ((error: Error) => void) | undefined;
  const endpointsOf = stageEndpointsReader({
    client: ivsRealTimeClient,
    caller: 'createParticipantTokenSigner',
    cacheMs: stageEndpointsCacheSeconds * 1000,
    // refreshTiming (in secretBackedKey) has checked it.
    readTimeoutMs: (options.readTimeoutSeconds ?? DEFAULT_READ_TIMEOUT_SECONDS) * 1000,
    clock,
    error: makeError,
    onStaleUse: (error) => onReadFailure?.(error),
  });
  return {
    sign: async (claims) => {
      const stage = checkSignerClaims(claims);
      const current = key.current();
      const { privateKey, publicKeyArn } = current instanceof Promise ? await current : current;
      let { eventsUrl, whipUrl } = claims;
      if (eventsUrl === undefined || whipUrl === undefined) {
        const read = endpointsOf(claims.stageArn, stage.region);
        const endpoints = read instanceof Promise ? await read : read;
        eventsUrl ??= endpoints.eventsUrl;
        whipUrl ??= endpoints.whipUrl;
      }
      return signParticipantTokenWithCheckedKey(privateKey, { ...claims, publicKeyArn, eventsUrl, whipUrl });
    },
  };
}

/** The claims' stage, before anything is read for them; the rest is checked when the token is signed. */
function checkSignerClaims(claims: ParticipantTokenSignerClaims) {
  if (typeof claims !== 'object' || claims === null) {
    throw new ParticipantTokenError(`claims must be an object with at least stageArn; got ${String(claims)}`);
  }
  if ('publicKeyArn' in claims) {
    throw new ParticipantTokenError(
      "claims has publicKeyArn, but the signer's tokens name the key its secret holds (the secret's publicKeyArn)",
    );
  }
  checkKnownProperties(claims, SIGNER_CLAIM_NAMES, 'claims');
  return checkStageArn(claims.stageArn, 'stageArn');
}
