/**
 * Viewer playback tokens for private IVS channels: ES384-signed JWTs carrying the `aws:` claims
 * IVS reads (IVS user guide, "Generate and sign playback tokens").
 *
 * Error messages never contain key text or a token: both are credentials.
 */
import { KeyObject } from 'node:crypto';
import { ES384_HEADER_JSON, JwtClock, JwtPayload, signEs384Jwt, verifyEs384Jwt } from './es384-jwt';
import { verificationClock } from './verification-clock';
import { cachedPrivateKey, cachedPublicKey } from './key-cache';
import {
  checkBoolean,
  checkChannelArn,
  checkOriginClaim,
  checkOrigins,
  checkSessionVersion,
  checkUuid,
  checkViewerId,
  definedOnly,
  describeValue,
  ifDefined,
  MAX_SINGLE_VIEWER_LIFETIME_SECONDS,
} from './claim-checks';
import { PlaybackTokenError } from './playback-token-error';

/** IVS claim names, keyed by the property of {@link PlaybackTokenClaims} they come from. */
const CLAIM = {
  channelArn: 'aws:channel-arn',
  accessControlAllowOrigin: 'aws:access-control-allow-origin',
  strictOriginEnforcement: 'aws:strict-origin-enforcement',
  singleUseUuid: 'aws:single-use-uuid',
  viewerId: 'aws:viewer-id',
  viewerSessionVersion: 'aws:viewer-session-version',
} as const;

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const DAY_SECONDS = 86_400;
/** The furthest ahead a signed token may expire: a year. IVS sets no cap; this one catches mistakes. */
const MAX_TOKEN_LIFETIME_SECONDS = 365 * DAY_SECONDS;

export { PlaybackTokenError } from './playback-token-error';

/** What a playback token grants, in camelCase; each property maps to one IVS claim. */
export interface PlaybackTokenClaims {
  /**
   * The channel the token grants playback of (`aws:channel-arn`), an IVS channel ARN
   * `arn:<partition>:ivs:<region>:<account>:channel/<id>`. The channel must have `authorized: true`.
   */
  readonly channelArn: string;

  /**
   * When the token expires (`exp`). Kept to whole seconds, rounding down; must be in the future and at most
   * 365 days ahead. Set exactly one of `expiresAt` and `expiresIn`.
   *
   * @default - expiry comes from `expiresIn`
   */
  readonly expiresAt?: Date;

  /**
   * Seconds from now until the token expires (`exp`): a whole number greater than 0 and at most 31,536,000
   * (365 days). Set exactly one of `expiresAt` and `expiresIn`.
   *
   * @default - expiry comes from `expiresAt`
   */
  readonly expiresIn?: number;

  /**
   * Origins allowed to play the stream (`aws:access-control-allow-origin`), e.g. `https://example.com`;
   * a hostname may start with `*` (`https://*.example.com`). A string may list several, separated by commas.
   * Only browsers send an origin, so this does not stop other clients unless `strictOriginEnforcement` is set.
   *
   * @default - the claim is left out and IVS allows playback from every origin
   */
  readonly accessControlAllowOrigin?: string | string[];

  /**
   * Whether IVS checks the origin on every playback request, not only the multivariant playlist
   * (`aws:strict-origin-enforcement`). With it, at most 5 origins are allowed and every client must send an
   * `Origin` header.
   *
   * @default - the claim is left out and IVS checks the origin on the multivariant playlist only
   */
  readonly strictOriginEnforcement?: boolean;

  /**
   * A UUID that makes the token single-use (`aws:single-use-uuid`): IVS accepts it for one playback session.
   * Generate a fresh one per token, e.g. with `crypto.randomUUID()`. Limits the expiry to 10 minutes ahead.
   *
   * @default - the token can be used any number of times until it expires
   */
  readonly singleUseUuid?: string;

  /**
   * Identifies the viewer (`aws:viewer-id`), 1 to 40 characters, so the viewer's session can be revoked
   * with StartViewerSessionRevocation. Do not put personal data here. Limits the expiry to 10 minutes ahead.
   *
   * @default - the token is not tied to a viewer and its session cannot be revoked
   */
  readonly viewerId?: string;

  /**
   * The version of this viewer's session (`aws:viewer-session-version`), a whole number, 0 or more. A revocation
   * can name a version and end only sessions up to it, so raise it when re-admitting a viewer.
   *
   * @default - the claim is left out
   */
  readonly viewerSessionVersion?: number;
}

/** The claims of a playback token whose signature and expiry were verified. */
export interface VerifiedPlaybackToken {
  /** The channel the token grants playback of (`aws:channel-arn`). */
  readonly channelArn: string;
  /** When the token expires (`exp`). */
  readonly expiresAt: Date;
  /**
   * The allowed origins (`aws:access-control-allow-origin`), split at the commas.
   *
   * @default - the token has no such claim
   */
  readonly accessControlAllowOrigin?: string[];
  /**
   * `aws:strict-origin-enforcement`.
   *
   * @default - the token has no such claim
   */
  readonly strictOriginEnforcement?: boolean;
  /**
   * `aws:single-use-uuid`.
   *
   * @default - the token has no such claim
   */
  readonly singleUseUuid?: string;
  /**
   * `aws:viewer-id`.
   *
   * @default - the token has no such claim
   */
  readonly viewerId?: string;
  /**
   * `aws:viewer-session-version`.
   *
   * @default - the token has no such claim
   */
  readonly viewerSessionVersion?: number;
}

/** Options for {@link verifyPlaybackToken}. */
export interface VerifyPlaybackTokenOptions {
  /**
   * The time to check expiry against: a valid `Date` (anything else throws a `PlaybackTokenError`).
   *
   * @default - now
   */
  readonly currentDate?: Date;
  /**
   * Seconds of clock skew to tolerate when checking expiry: a finite number, 0 or more (anything else, such
   * as `NaN` or the string `"30"`, throws a `PlaybackTokenError`).
   *
   * @default 0 - no tolerance: a token is expired from the second its exp names
   */
  readonly clockToleranceSeconds?: number;
}

/**
 * Signs a viewer playback token for a private IVS channel: a JWT with header `{"alg":"ES384","typ":"JWT"}`.
 *
 * @param privateKey - the private half of an imported playback key pair: an ECDSA P-384 private key as a PEM
 *   string (`PRIVATE KEY` or `EC PRIVATE KEY`) or a `KeyObject`
 * @param claims - what the token grants
 * @returns the compact JWT, to pass to {@link playbackUrlWithToken}
 * @throws PlaybackKeyPairValidationError if the key is not an ECDSA P-384 private key
 * @throws PlaybackTokenError if a claim is not one IVS accepts
 */
export async function signPlaybackToken(privateKey: string | KeyObject, claims: PlaybackTokenClaims): Promise<string> {
  return signWithCheckedKey(cachedPrivateKey(privateKey, 'The signing key passed to signPlaybackToken'), claims);
}

/**
 * Signs with a key already known to be a P-384 private key (the token signer's).
 *
 * @internal
 */
export function signWithCheckedKey(privateKey: KeyObject, claims: PlaybackTokenClaims): string {
  const payload = toPayload(claims, Math.floor(Date.now() / 1000));
  // No iat, nbf, iss or jti: IVS ignores them, and the token travels in every playback URL, so it stays minimal.
  return signEs384Jwt(payload, privateKey);
}

/**
 * Verifies a playback token as IVS would: an ES384 signature by the given key pair, header typ `JWT`,
 * an `exp` in the future, and claims IVS accepts.
 *
 * @param token - the compact JWT
 * @param publicKey - the public half of the key pair (a private key is accepted and reduced to its public half):
 *   an ECDSA P-384 key as a PEM string or a `KeyObject`
 * @returns the token's claims, in camelCase
 * @throws PlaybackKeyPairValidationError if the key is not an ECDSA P-384 key
 * @throws PlaybackTokenError if the token is malformed (canonical base64url only, so a token has one spelling),
 *   signed by another key, expired, or has invalid claims, or if an option is not valid
 */
export async function verifyPlaybackToken(
  token: string,
  publicKey: string | KeyObject,
  options: VerifyPlaybackTokenOptions = {},
): Promise<VerifiedPlaybackToken> {
  const clock = verificationClock(options, 'verifyPlaybackToken', (message) => new PlaybackTokenError(message));
  const key = cachedPublicKey(publicKey, 'The verification key passed to verifyPlaybackToken');
  const payload = verifiedPayload(token, key, clock);
  const verified = fromPayload(payload);
  // IVS refuses a single-viewer token that lives too long, however valid its signature.
  checkSingleViewerLifetime(verified, payload.exp - clock.now);
  return verified;
}

/**
 * Adds `token=<jwt>` to a channel's playback URL, keeping any other query parameters and the fragment
 * as they are and replacing an existing `token` parameter.
 *
 * @param playbackUrl - the channel's playback URL, e.g. `https://<id>.<region>.playback.live-video.net/api/video/v1/....m3u8`
 * @param token - a token from {@link signPlaybackToken}
 * @throws PlaybackTokenError if the URL is not absolute or the token is not a compact JWT
 */
export function playbackUrlWithToken(playbackUrl: string, token: string): string {
  if (typeof token !== 'string' || !COMPACT_JWT.test(token)) {
    throw new PlaybackTokenError(
      'token must be a compact JWT (three base64url parts joined by dots), as returned by signPlaybackToken',
    );
  }
  const url = parseAbsoluteUrl(playbackUrl);
  // Rebuilt by hand, not with searchParams, which would re-encode the parameters that are kept.
  const keptParameters = url.search
    .slice(1)
    .split('&')
    .filter((parameter) => parameter !== '' && parameter.split('=')[0] !== 'token');
  url.search = [...keptParameters, `token=${token}`].join('&');
  return url.toString();
}

function parseAbsoluteUrl(playbackUrl: string): URL {
  try {
    return new URL(playbackUrl);
  } catch {
    throw new PlaybackTokenError(
      `playbackUrl must be an absolute URL such as the channel's playbackUrl ` +
        `(https://<id>.<region>.playback.live-video.net/api/video/v1/...m3u8); got ${JSON.stringify(playbackUrl)}`,
    );
  }
}

function toPayload(claims: PlaybackTokenClaims, now: number): Record<string, unknown> {
  if (typeof claims !== 'object' || claims === null) {
    throw new PlaybackTokenError(
      `claims must be an object with at least channelArn and expiresAt or expiresIn; got ${claims === null ? 'null' : typeof claims}`,
    );
  }
  const exp = expiryOf(claims, now);
  checkSingleViewerLifetime(claims, exp - now);
  return definedOnly({
    [CLAIM.channelArn]: checkChannelArn(claims.channelArn, 'channelArn'),
    [CLAIM.accessControlAllowOrigin]: ifDefined(claims.accessControlAllowOrigin, (origins) =>
      checkOrigins(origins, claims.strictOriginEnforcement === true, 'accessControlAllowOrigin').join(','),
    ),
    [CLAIM.strictOriginEnforcement]: ifDefined(claims.strictOriginEnforcement, (value) =>
      checkBoolean(value, 'strictOriginEnforcement'),
    ),
    [CLAIM.singleUseUuid]: ifDefined(claims.singleUseUuid, (value) => checkUuid(value, 'singleUseUuid')),
    [CLAIM.viewerId]: ifDefined(claims.viewerId, (value) => checkViewerId(value, 'viewerId')),
    [CLAIM.viewerSessionVersion]: ifDefined(claims.viewerSessionVersion, (value) =>
      checkSessionVersion(value, 'viewerSessionVersion'),
    ),
    exp,
  });
}

function fromPayload(payload: JwtPayload): VerifiedPlaybackToken {
  const claim = (name: string) => `The token's claim "${name}"`;
  const strict = payload[CLAIM.strictOriginEnforcement] === true;
  return definedOnly({
    channelArn: checkChannelArn(payload[CLAIM.channelArn], claim(CLAIM.channelArn)),
    // verifyEs384Jwt has checked that exp is present and a number.
    expiresAt: new Date(payload.exp * 1000),
    accessControlAllowOrigin: ifDefined(payload[CLAIM.accessControlAllowOrigin], (value) =>
      checkOriginClaim(value, strict, claim(CLAIM.accessControlAllowOrigin)),
    ),
    strictOriginEnforcement: ifDefined(payload[CLAIM.strictOriginEnforcement], (value) =>
      checkBoolean(value, claim(CLAIM.strictOriginEnforcement)),
    ),
    singleUseUuid: ifDefined(payload[CLAIM.singleUseUuid], (value) => checkUuid(value, claim(CLAIM.singleUseUuid))),
    viewerId: ifDefined(payload[CLAIM.viewerId], (value) => checkViewerId(value, claim(CLAIM.viewerId))),
    viewerSessionVersion: ifDefined(payload[CLAIM.viewerSessionVersion], (value) =>
      checkSessionVersion(value, claim(CLAIM.viewerSessionVersion)),
    ),
  });
}

function verifiedPayload(token: string, key: KeyObject, clock: JwtClock): JwtPayload {
  const result = verifyEs384Jwt(token, key, clock);
  if ('failure' in result) {
    const { kind, reason } = result.failure;
    // A token that is not the IVS form at all gets the form spelled out.
    const form =
      kind === 'malformed'
        ? `. A playback token is a compact JWT with header ${ES384_HEADER_JSON} and a numeric exp claim`
        : '';
    throw new PlaybackTokenError(`Playback token rejected: ${reason}${form}`);
  }
  return result.payload;
}

function expiryOf(claims: PlaybackTokenClaims, now: number): number {
  const { expiresAt, expiresIn } = claims;
  if ((expiresAt === undefined) === (expiresIn === undefined)) {
    throw new PlaybackTokenError(
      'Set exactly one of expiresAt (a Date) and expiresIn (seconds from now); ' +
        `got ${expiresAt === undefined ? 'neither' : 'both'}`,
    );
  }
  if (expiresIn !== undefined) {
    if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0) {
      throw new PlaybackTokenError(
        `expiresIn must be a whole number of seconds greater than 0; got ${String(expiresIn)}`,
      );
    }
    return withinLifetimeCap(now, now + expiresIn, 'expiresIn is seconds from now, not a time since the epoch');
  }
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw new PlaybackTokenError(`expiresAt must be a valid Date in the future; got ${describeValue(expiresAt)}`);
  }
  const exp = Math.floor(expiresAt.getTime() / 1000);
  if (exp <= now) {
    throw new PlaybackTokenError(
      `expiresAt must be at least 1 second in the future; got ${expiresAt.toISOString()}, ` +
        `which is ${now - exp} seconds before now`,
    );
  }
  return withinLifetimeCap(now, exp, 'expiresAt is a Date such as new Date(Date.now() + 300_000), in milliseconds');
}

/**
 * Refuses an `exp` further ahead than any playback token needs: what signs there is almost always a mistake
 * (an absolute time passed as `expiresIn` makes a 57-year token), and far enough it leaves the Date range.
 */
function withinLifetimeCap(now: number, exp: number, hint: string): number {
  const lifetime = exp - now;
  if (lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new PlaybackTokenError(
      `exp would be ${lifetime} seconds (${Math.floor(lifetime / DAY_SECONDS)} days) ahead, but a playback token ` +
        `may expire at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds (${MAX_TOKEN_LIFETIME_SECONDS / DAY_SECONDS} days) ahead: ${hint}`,
    );
  }
  return exp;
}

/** IVS refuses a token naming a single viewer or a single use that expires more than 10 minutes ahead. */
function checkSingleViewerLifetime(
  claims: Pick<PlaybackTokenClaims, 'singleUseUuid' | 'viewerId'>,
  lifetimeSeconds: number,
): void {
  if (
    (claims.singleUseUuid !== undefined || claims.viewerId !== undefined) &&
    lifetimeSeconds > MAX_SINGLE_VIEWER_LIFETIME_SECONDS
  ) {
    throw new PlaybackTokenError(
      `A token with singleUseUuid or viewerId may expire at most ${MAX_SINGLE_VIEWER_LIFETIME_SECONDS} ` +
        `seconds (10 minutes) ahead; this one would expire ${lifetimeSeconds} seconds ahead`,
    );
  }
}
