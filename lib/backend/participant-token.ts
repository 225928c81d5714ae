/**
 * Participant tokens for IVS Real-Time stages, signed by the backend instead of `CreateParticipantToken`
 * (50 requests a second per account): ES384-signed JWTs whose header names the imported public key (`kid`)
 * and whose claims are those of AWS's self-signing samples (docs/facts/ivs-real-time.md).
 *
 * The JWT form and its checks are es384-jwt.ts's, the keys key-cache.ts's, as for playback tokens; what is
 * particular to participant tokens (the claims, their limits) is here and in participant-claim-checks.ts.
 * Error messages never contain key text or a token: both are credentials.
 */
import { KeyObject, randomUUID } from 'node:crypto';
import { definedOnly, describeValue, ifDefined } from './claim-checks';
import { encodedEs384Header, JwtClock, JwtHeader, JwtPayload, signEs384Jwt, verifyEs384Jwt } from './es384-jwt';
import { cachedPrivateKey, cachedPublicKey } from './key-cache';
import {
  checkAttributes,
  checkBooleanMembers,
  checkEndpointUrl,
  checkKnownProperties,
  checkParticipantId,
  checkPublicKeyArn,
  checkStageArn,
  checkUserId,
} from './participant-claim-checks';
import { ParticipantTokenError } from './participant-token-error';
import { verificationClock } from './verification-clock';

export { ParticipantTokenError } from './participant-token-error';

const DAY_SECONDS = 86_400;
/** `CreateParticipantToken`'s default duration: 720 minutes. */
export const DEFAULT_PARTICIPANT_TOKEN_SECONDS = 12 * 3600;
/** `CreateParticipantToken`'s longest duration, 20,160 minutes: no self-signed token is made to live longer. */
export const MAX_PARTICIPANT_TOKEN_SECONDS = 14 * DAY_SECONDS;
const TOKEN_VERSION = '1.0';
const EVENTS_URL_EXAMPLE = 'wss://global.events.live-video.net';
const WHIP_URL_EXAMPLE = 'https://f99084460c35.global-bm.whip.live-video.net';
const HEADER_FORM = '{"alg":"ES384","typ":"JWT","kid":<public key ARN>}';
/** Every claim `signParticipantToken` takes (any other is refused, not ignored). @internal */
export const PARTICIPANT_CLAIM_NAMES = [
  'stageArn',
  'publicKeyArn',
  'eventsUrl',
  'whipUrl',
  'userId',
  'attributes',
  'capabilities',
  'expiresIn',
  'participantId',
] as const;
const CAPABILITY_NAMES = ['publish', 'subscribe'] as const;
const OPTION_NAMES = ['currentDate', 'clockToleranceSeconds', 'stageArn', 'publicKeyArn'] as const;

/** What a participant may do on the stage; each is `true` unless set otherwise, as `CreateParticipantToken`'s. */
export interface ParticipantCapabilities {
  /**
   * Whether the participant may publish (`allow_publish`).
   *
   * @default true
   */
  readonly publish?: boolean;
  /**
   * Whether the participant may subscribe (`allow_subscribe`).
   *
   * @default true
   */
  readonly subscribe?: boolean;
}

/** What a participant token grants, in camelCase; each property maps to one claim of the token. */
export interface ParticipantTokenClaims {
  /**
   * The stage the token admits to (`resource`; its last segment is `topic`), an IVS Real-Time stage ARN
   * `arn:<partition>:ivs:<region>:<account>:stage/<id>`.
   */
  readonly stageArn: string;
  /**
   * The public key, imported into IVS Real-Time, whose private half signs the token (the header's `kid`):
   * `arn:<partition>:ivs:<region>:<account>:public-key/<id>`, e.g. `GeneratedStagePublicKey`'s `publicKeyArn`.
   */
  readonly publicKeyArn: string;
  /** The stage's events endpoint (`events_url`): `GetStage`'s `stage.endpoints.events`. */
  readonly eventsUrl: string;
  /** The stage's WHIP endpoint (`whip_url`): `GetStage`'s `stage.endpoints.whip`. */
  readonly whipUrl: string;
  /**
   * Your application's id of the user (`user_id`), at most 128 characters. Other participants can see it:
   * no personal data.
   *
   * @default - the claim is left out
   */
  readonly userId?: string;
  /**
   * Application data other participants see (`attributes`): string values, at most 1 KB in total as JSON.
   * No personal data.
   *
   * @default - the claim is left out
   */
  readonly attributes?: Record<string, string>;
  /**
   * What the participant may do (`capabilities`).
   *
   * @default - publish and subscribe
   */
  readonly capabilities?: ParticipantCapabilities;
  /**
   * Seconds from now until the token expires (`exp`): a whole number greater than 0 and at most 1,209,600
   * (14 days, `CreateParticipantToken`'s longest). IVS checks the token when the participant joins.
   *
   * @default 43200 - 12 hours, `CreateParticipantToken`'s default
   */
  readonly expiresIn?: number;
  /**
   * The participant's id (`jti`): 1 to 64 of `a-z`, `A-Z`, `0-9`, `-` and `_`.
   *
   * @default - a random UUID
   */
  readonly participantId?: string;
}

/** The claims of a participant token whose signature, header and expiry were verified. */
export interface VerifiedParticipantToken {
  /** The stage (`resource`). */
  readonly stageArn: string;
  /** The stage's id (`topic`), the last segment of `stageArn`. */
  readonly stageId: string;
  /** The public key the header names (`kid`). */
  readonly publicKeyArn: string;
  /** The participant's id (`jti`). */
  readonly participantId: string;
  /** `events_url`. */
  readonly eventsUrl: string;
  /** `whip_url`. */
  readonly whipUrl: string;
  /** `capabilities`, both members present. */
  readonly capabilities: Required<ParticipantCapabilities>;
  /** When the token was signed (`iat`). */
  readonly issuedAt: Date;
  /** When the token expires (`exp`). */
  readonly expiresAt: Date;
  /**
   * `user_id`.
   *
   * @default - the token has no such claim
   */
  readonly userId?: string;
  /**
   * `attributes`.
   *
   * @default - the token has no such claim
   */
  readonly attributes?: Record<string, string>;
}

/** Options for {@link verifyParticipantToken}; a property not listed here throws, as does a value of the wrong kind. */
export interface VerifyParticipantTokenOptions {
  /**
   * The time to check `exp` and `iat` against: a valid `Date`.
   *
   * @default - now
   */
  readonly currentDate?: Date;
  /**
   * Seconds of clock skew to tolerate when checking `exp` and `iat`: a finite number, 0 or more.
   *
   * @default 0 - no tolerance
   */
  readonly clockToleranceSeconds?: number;
  /**
   * The stage the token must name (`resource`), a stage ARN.
   *
   * @default - any stage
   */
  readonly stageArn?: string;
  /**
   * The public key the token's header must name (`kid`), a public key ARN: the key whose public half is given.
   *
   * @default - any public key ARN
   */
  readonly publicKeyArn?: string;
}

/**
 * Signs a participant token for an IVS Real-Time stage: a JWT with header
 * `{"alg":"ES384","typ":"JWT","kid":<publicKeyArn>}` and the claims `exp`, `iat`, `jti`, `resource`, `topic`,
 * `events_url`, `whip_url`, `capabilities`, `version` ("1.0"), and `user_id` and `attributes` when given.
 *
 * @param privateKey - the private half of the imported public key: an ECDSA P-384 private key as a PEM string
 *   (`PRIVATE KEY` or `EC PRIVATE KEY`) or a `KeyObject`
 * @param claims - what the token grants
 * @returns the compact JWT, for the participant's Real-Time SDK
 * @throws PlaybackKeyPairValidationError if the key is not an ECDSA P-384 private key
 * @throws ParticipantTokenError if a claim is not one IVS Real-Time accepts
 */
export async function signParticipantToken(
  privateKey: string | KeyObject,
  claims: ParticipantTokenClaims,
): Promise<string> {
  return signParticipantTokenWithCheckedKey(
    cachedPrivateKey(privateKey, 'The signing key passed to signParticipantToken'),
    claims,
  );
}

/**
 * Signs with a key already known to be a P-384 private key (the participant token signer's).
 *
 * @internal
 */
export function signParticipantTokenWithCheckedKey(privateKey: KeyObject, claims: ParticipantTokenClaims): string {
  const { header, payload } = toTokenParts(claims, Math.floor(Date.now() / 1000));
  return signEs384Jwt(payload, privateKey, header);
}

/**
 * Verifies a participant token: an ES384 signature by the given key, header typ `JWT` and a `kid` that is a
 * public key ARN, an `iat` not in the future and an `exp` in the future at most 14 days after it, and the
 * claims of a participant token in their shapes.
 *
 * @param token - the compact JWT
 * @param publicKey - the public half of the key (a private key is accepted and reduced to its public half): an
 *   ECDSA P-384 key as a PEM string or a `KeyObject`
 * @param options - the time to check against, and the stage and key the token must name
 * @returns the token's claims, in camelCase
 * @throws PlaybackKeyPairValidationError if the key is not an ECDSA P-384 key
 * @throws ParticipantTokenError if the token is malformed (canonical base64url only), signed by another key,
 *   expired, names another stage or key than the options require, or has invalid claims, or if an option is not
 *   valid
 */
export async function verifyParticipantToken(
  token: string,
  publicKey: string | KeyObject,
  options: VerifyParticipantTokenOptions = {},
): Promise<VerifiedParticipantToken> {
  const clock = verificationClock(options, 'verifyParticipantToken', (message) => new ParticipantTokenError(message));
  const required = requiredNames(options);
  const key = cachedPublicKey(publicKey, 'The verification key passed to verifyParticipantToken');
  const result = verifyEs384Jwt(token, key, clock);
  if ('failure' in result) {
    const { kind, reason } = result.failure;
    const form =
      kind === 'malformed'
        ? `. A participant token is a compact JWT with header ${HEADER_FORM} and numeric exp and iat claims`
        : '';
    throw rejected(`${reason}${form}`);
  }
  const verified = fromTokenParts(result.header, result.payload, clock);
  if (required.stageArn !== undefined && verified.stageArn !== required.stageArn) {
    throw rejected(`it names the stage ${JSON.stringify(verified.stageArn)}, not ${JSON.stringify(required.stageArn)}`);
  }
  if (required.publicKeyArn !== undefined && verified.publicKeyArn !== required.publicKeyArn) {
    throw rejected(
      `its header kid names the key ${JSON.stringify(verified.publicKeyArn)}, not ${JSON.stringify(required.publicKeyArn)}`,
    );
  }
  return verified;
}

/** The stage and key the options require, checked: a misspelt or malformed one throws rather than checking nothing. */
function requiredNames(
  options: VerifyParticipantTokenOptions,
): Pick<VerifyParticipantTokenOptions, 'stageArn' | 'publicKeyArn'> {
  const subject = "verifyParticipantToken's option";
  checkKnownProperties(options, OPTION_NAMES, "verifyParticipantToken's options");
  return {
    stageArn: ifDefined(options.stageArn, (value) => {
      checkStageArn(value, `${subject} stageArn`);
      return value;
    }),
    publicKeyArn: ifDefined(options.publicKeyArn, (value) => checkPublicKeyArn(value, `${subject} publicKeyArn`)),
  };
}

function toTokenParts(claims: ParticipantTokenClaims, now: number): { header: string; payload: object } {
  if (typeof claims !== 'object' || claims === null) {
    throw new ParticipantTokenError(
      'claims must be an object with at least stageArn, publicKeyArn, eventsUrl and whipUrl; ' +
        `got ${describeValue(claims)}`,
    );
  }
  checkKnownProperties(claims, PARTICIPANT_CLAIM_NAMES, 'claims');
  const stage = checkStageArn(claims.stageArn, 'stageArn');
  const kid = checkPublicKeyArn(claims.publicKeyArn, 'publicKeyArn');
  const capabilities = checkBooleanMembers(claims.capabilities ?? {}, CAPABILITY_NAMES, 'capabilities');
  const payload = definedOnly({
    exp: now + lifetimeOf(claims.expiresIn),
    iat: now,
    jti: claims.participantId === undefined ? randomUUID() : checkParticipantId(claims.participantId, 'participantId'),
    resource: claims.stageArn,
    topic: stage.id,
    events_url: checkEndpointUrl(claims.eventsUrl, 'eventsUrl', EVENTS_URL_EXAMPLE),
    whip_url: checkEndpointUrl(claims.whipUrl, 'whipUrl', WHIP_URL_EXAMPLE),
    capabilities: {
      allow_publish: capabilities.publish ?? true,
      allow_subscribe: capabilities.subscribe ?? true,
    },
    version: TOKEN_VERSION,
    user_id: ifDefined(claims.userId, (value) => checkUserId(value, 'userId')),
    attributes: ifDefined(claims.attributes, (value) => checkAttributes(value, 'attributes')),
  });
  return { header: encodedEs384Header(kid), payload };
}

function lifetimeOf(expiresIn: unknown): number {
  if (expiresIn === undefined) {
    return DEFAULT_PARTICIPANT_TOKEN_SECONDS;
  }
  if (
    typeof expiresIn !== 'number' ||
    !Number.isSafeInteger(expiresIn) ||
    expiresIn <= 0 ||
    expiresIn > MAX_PARTICIPANT_TOKEN_SECONDS
  ) {
    throw new ParticipantTokenError(
      `expiresIn must be a whole number of seconds from 1 to ${MAX_PARTICIPANT_TOKEN_SECONDS} (14 days, the longest ` +
        `CreateParticipantToken allows; default ${DEFAULT_PARTICIPANT_TOKEN_SECONDS}, 12 hours); got ${describeValue(expiresIn)}`,
    );
  }
  return expiresIn;
}

function fromTokenParts(header: JwtHeader, payload: JwtPayload, clock: JwtClock): VerifiedParticipantToken {
  const claim = (name: string) => `The token's claim "${name}"`;
  const publicKeyArn = checkPublicKeyArn(header.kid, 'The token\'s header "kid"');
  const { iat, exp } = payload;
  // verifyEs384Jwt has checked that exp, and iat when present, are numbers within the Date range.
  if (typeof iat !== 'number') {
    throw rejected('its "iat" claim is missing; a participant token carries the time it was signed');
  }
  if (iat > clock.now + clock.toleranceSeconds) {
    throw rejected(`its "iat" claim is ${iat}, ${iat - clock.now} seconds in the future`);
  }
  if (exp - iat > MAX_PARTICIPANT_TOKEN_SECONDS) {
    throw rejected(
      `it lives ${exp - iat} seconds from its "iat" to its "exp", more than ${MAX_PARTICIPANT_TOKEN_SECONDS} (14 days)`,
    );
  }
  const stage = checkStageArn(payload.resource, claim('resource'));
  if (payload.topic !== stage.id) {
    throw new ParticipantTokenError(
      `${claim('topic')} must be the stage's id, the last segment of its "resource" (${JSON.stringify(stage.id)}); ` +
        `got ${describeValue(payload.topic)}`,
    );
  }
  if (payload.version !== TOKEN_VERSION) {
    throw new ParticipantTokenError(
      `${claim('version')} must be ${JSON.stringify(TOKEN_VERSION)}; got ${describeValue(payload.version)}`,
    );
  }
  const capabilities = checkBooleanMembers(
    payload.capabilities,
    ['allow_publish', 'allow_subscribe'],
    claim('capabilities'),
  );
  if (capabilities.allow_publish === undefined || capabilities.allow_subscribe === undefined) {
    throw new ParticipantTokenError(
      `${claim('capabilities')} must have both allow_publish and allow_subscribe (true or false); ` +
        `got ${describeValue(payload.capabilities)}`,
    );
  }
  return definedOnly({
    stageArn: payload.resource as string,
    stageId: stage.id,
    publicKeyArn,
    participantId: checkParticipantId(payload.jti, claim('jti')),
    eventsUrl: checkEndpointUrl(payload.events_url, claim('events_url'), EVENTS_URL_EXAMPLE),
    whipUrl: checkEndpointUrl(payload.whip_url, claim('whip_url'), WHIP_URL_EXAMPLE),
    capabilities: { publish: capabilities.allow_publish, subscribe: capabilities.allow_subscribe },
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
    userId: ifDefined(payload.user_id, (value) => checkUserId(value, claim('user_id'))),
    attributes: ifDefined(payload.attributes, (value) => checkAttributes(value, claim('attributes'))),
  });
}

function rejected(reason: string): ParticipantTokenError {
  return new ParticipantTokenError(`Participant token rejected: ${reason}`);
}
