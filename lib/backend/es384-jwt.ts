/**
 * The one JWT form IVS reads, on `node:crypto` alone: a compact JWS with header
 * `{"alg":"ES384","typ":"JWT"}` (and a `kid` naming the key, for participant tokens), signed with ECDSA
 * P-384 over SHA-384 and a raw r||s signature (RFC 7518 §3.4, `dsaEncoding: 'ieee-p1363'`).
 *
 * Verification never lets the token choose how it is checked: the algorithm, curve and hash are
 * fixed here, the key is the caller's P-384 key, and a header naming anything else (`none`, HS384,
 * ES256, a `crit` extension) is refused before the signature is looked at. The payload is parsed
 * only after its signature has matched. Every part must be canonical base64url, so that one token has
 * one spelling (a deny-list keyed on the token's text cannot be dodged by re-spelling it).
 *
 * Nothing at module scope runs code, so a bundler drops whatever a backend does not call.
 */
import { KeyObject, sign, verify } from 'node:crypto';

/** base64url of `{"alg":"ES384","typ":"JWT"}`, written out so that loading this module computes nothing. */
export const ENCODED_ES384_HEADER = 'eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9';
/** The header every token must carry, as the failure messages quote it. */
export const ES384_HEADER_JSON = '{"alg":"ES384","typ":"JWT"}';
/** An ES384 signature is r||s, 48 bytes each. */
const SIGNATURE_BYTES = 96;
/** The largest time a `Date` holds, in seconds since the epoch either way (ECMA-262 §21.4.1.22). */
export const MAX_TIME_SECONDS = 8.64e12;
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** What a verified token's payload holds: a JSON object, its `exp` checked. */
export type JwtPayload = Record<string, unknown> & { exp: number };

/** What a verified token's header holds: a JSON object, its `alg`, `typ` and `crit` checked. */
export type JwtHeader = Record<string, unknown>;

/** Why a token failed, in words for an error message; `kind` tells the caller what to add. */
export interface JwtFailure {
  readonly kind: 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid';
  readonly reason: string;
}

/** The clock a verification checks `exp` and `nbf` against. */
export interface JwtClock {
  /** Seconds since the epoch. */
  readonly now: number;
  /** Seconds of skew tolerated either way. */
  readonly toleranceSeconds: number;
}

/**
 * The base64url header of a token: `{"alg":"ES384","typ":"JWT"}`, with `"kid"` last when a key id is given.
 *
 * @internal
 */
export function encodedEs384Header(kid?: string): string {
  return kid === undefined
    ? ENCODED_ES384_HEADER
    : Buffer.from(JSON.stringify({ alg: 'ES384', typ: 'JWT', kid })).toString('base64url');
}

/**
 * Signs `payload` as an ES384 JWT. The key must already be known to be a P-384 private key.
 *
 * @param encodedHeader - the header, from {@link encodedEs384Header}
 * @internal
 */
export function signEs384Jwt(payload: object, privateKey: KeyObject, encodedHeader = ENCODED_ES384_HEADER): string {
  const signingInput = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = sign('sha384', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Checks an ES384 JWT against a P-384 public key and a clock: the header, then the signature, then
 * the payload and its `exp` (required), `nbf` and `iat` (optional), as jose's `jwtVerify` does.
 *
 * @returns the payload and the header, or why the token fails; never throws for a bad token
 * @internal
 */
export function verifyEs384Jwt(
  token: unknown,
  publicKey: KeyObject,
  clock: JwtClock,
): { payload: JwtPayload; header: JwtHeader } | { failure: JwtFailure } {
  const parts = typeof token === 'string' ? COMPACT_JWS.exec(token) : null;
  if (!parts) {
    return fail('malformed', 'it is not a compact JWS (three base64url parts joined by dots)');
  }
  const [, encodedHeader, encodedPayload, encodedSignature] = parts;
  const nonCanonical = nonCanonicalPart({
    header: encodedHeader,
    payload: encodedPayload,
    signature: encodedSignature,
  });
  if (nonCanonical) {
    return fail(
      'malformed',
      `its ${nonCanonical} is not canonical base64url (no padding, no unused bits set, no character more than its bytes need)`,
    );
  }
  const header = jsonObject(encodedHeader);
  if (!header) {
    return fail('malformed', 'its header is not a base64url-encoded JSON object');
  }
  if (header.alg !== 'ES384') {
    return fail('algorithm', 'its header alg is not ES384, the only algorithm IVS accepts');
  }
  if (!isJwtType(header.typ)) {
    return fail(
      'malformed',
      `its header typ is ${header.typ === undefined ? 'missing' : JSON.stringify(header.typ)}, not "JWT"`,
    );
  }
  if (header.crit !== undefined) {
    return fail('malformed', 'its header has "crit" extensions, which IVS does not understand');
  }
  const signature = Buffer.from(encodedSignature, 'base64url');
  const signed =
    signature.length === SIGNATURE_BYTES &&
    verify(
      'sha384',
      Buffer.from(`${encodedHeader}.${encodedPayload}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      signature,
    );
  if (!signed) {
    return fail(
      'signature',
      'its signature does not match the given key; it must be signed with ES384 by the private half of that key pair',
    );
  }
  const payload = jsonObject(encodedPayload);
  if (!payload) {
    return fail('malformed', 'its payload is not a base64url-encoded JSON object');
  }
  const timed = checkTimes(payload, clock);
  return 'failure' in timed ? timed : { payload: timed.payload, header };
}

function checkTimes(
  payload: Record<string, unknown>,
  { now, toleranceSeconds }: JwtClock,
): { payload: JwtPayload } | { failure: JwtFailure } {
  const { exp, nbf } = payload;
  if (exp === undefined) {
    return fail('malformed', 'its "exp" claim is missing');
  }
  for (const name of ['exp', 'nbf', 'iat']) {
    const problem = timeProblem(payload[name]);
    if (problem) {
      return fail('malformed', `its "${name}" claim ${problem}`);
    }
  }
  // timeProblem has found exp to be a number within the Date range.
  if ((exp as number) <= now - toleranceSeconds) {
    return fail('expired', `it expired at ${isoTime(exp as number)}; exp must be in the future`);
  }
  if (typeof nbf === 'number' && nbf > now + toleranceSeconds) {
    return fail('not-yet-valid', `it is not valid before ${isoTime(nbf)} (its "nbf" claim)`);
  }
  return { payload: payload as JwtPayload };
}

/** `JWT`, as jose compares it: any case, with or without the `application/` prefix. */
function isJwtType(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'jwt';
}

/** What is wrong with an optional time claim, if anything: not a number, or beyond every date. */
function timeProblem(value: unknown): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return 'is not a number';
  }
  // Beyond the Date range, comparisons with it (the expiry, the 10-minute rule) stop meaning anything.
  return Math.abs(value) > MAX_TIME_SECONDS
    ? `is ${value} seconds since the epoch, beyond any date (at most ${MAX_TIME_SECONDS})`
    : undefined;
}

/**
 * The first part that is not the one canonical base64url spelling of its bytes: padded, with unused low
 * bits set in its last character, or with a character more than its bytes need (Node's decoder accepts
 * all three), so that one token has exactly one spelling.
 */
function nonCanonicalPart(parts: Record<string, string>): string | undefined {
  return Object.keys(parts).find((name) => Buffer.from(parts[name], 'base64url').toString('base64url') !== parts[name]);
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

/** Decodes one base64url part as a JSON object; anything else (an array, a string, bad JSON) is undefined. */
function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function fail(kind: JwtFailure['kind'], reason: string): { failure: JwtFailure } {
  return { failure: { kind, reason } };
}
