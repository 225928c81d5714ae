/**
 * The checks of each playback token claim, one claim at a time, against what IVS accepts (IVS user guide,
 * "Generate and sign playback tokens"), shared by signing, verifying and the CLI. Rules over several claims
 * at once live with the token (playback-token.ts), which imports this module, never the other way round.
 * Messages name the claim and the allowed values; claims are not secret, so short values are quoted. The
 * helpers at the end (describing a value, absent claims) serve the participant token checks too.
 */
import { PlaybackTokenError } from './playback-token-error';
import { parseIvsArn } from '../shared/arn';

const CHANNEL_ARN_FORM = 'arn:<partition>:ivs:<region>:<account>:channel/<id>';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_STRICT_ORIGINS = 5;
const MAX_VIEWER_ID_LENGTH = 40;
/** How far ahead `exp` may be when the token names a single viewer or a single use (checked in playback-token.ts). */
export const MAX_SINGLE_VIEWER_LIFETIME_SECONDS = 600;

export function checkChannelArn(value: unknown, subject: string): string {
  if (typeof value === 'string' && parseIvsArn(value, 'channel')) {
    return value;
  }
  const hint =
    typeof value === 'string' && value.includes(':playback-key/')
      ? ' (that is a playback key ARN; the token names the channel, not the key)'
      : '';
  throw new PlaybackTokenError(
    `${subject} must be an IVS channel ARN of the form ${CHANNEL_ARN_FORM}; got ${describeValue(value)}${hint}`,
  );
}

export function checkOrigins(value: unknown, strict: boolean, subject: string): string[] {
  const origins = typeof value === 'string' ? value.split(',').map((origin) => origin.trim()) : value;
  const allowed =
    'one or more origins such as "https://example.com" or "https://*.example.com", as a comma-separated string ' +
    'or an array, with no empty entries and no spaces or commas inside an origin';
  if (!Array.isArray(origins) || origins.length === 0 || !origins.every(isSingleOrigin)) {
    throw new PlaybackTokenError(`${subject} must list ${allowed}; got ${describeValue(value)}`);
  }
  if (strict && origins.length > MAX_STRICT_ORIGINS) {
    throw new PlaybackTokenError(
      `${subject} lists ${origins.length} origins, but with strict origin enforcement IVS allows ` +
        `at most ${MAX_STRICT_ORIGINS}`,
    );
  }
  return origins;
}

/**
 * The origins of a verified token's claim: IVS reads a comma-separated string (IVS user guide), so a JSON
 * array, which signing never writes, is refused.
 */
export function checkOriginClaim(value: unknown, strict: boolean, subject: string): string[] {
  if (typeof value !== 'string') {
    throw new PlaybackTokenError(
      `${subject} must be a string of one or more comma-separated origins` +
        `${Array.isArray(value) ? ' (IVS reads a string, not a JSON array)' : ''}, ` +
        `such as "https://example.com,https://*.example.org"; got ${describeValue(value)}`,
    );
  }
  return checkOrigins(value, strict, subject);
}

function isSingleOrigin(origin: unknown): boolean {
  return typeof origin === 'string' && /^[^\s,]+$/.test(origin);
}

export function checkBoolean(value: unknown, subject: string): boolean {
  if (typeof value !== 'boolean') {
    throw new PlaybackTokenError(`${subject} must be true or false; got ${describeValue(value)}`);
  }
  return value;
}

export function checkUuid(value: unknown, subject: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new PlaybackTokenError(
      `${subject} must be a UUID such as "3f2504e0-4f89-11d3-9a0c-0305e82c3301" ` +
        `(use crypto.randomUUID()); got ${describeValue(value)}`,
    );
  }
  return value;
}

export function checkViewerId(value: unknown, subject: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_VIEWER_ID_LENGTH) {
    const length = typeof value === 'string' ? ` (${value.length} characters)` : '';
    throw new PlaybackTokenError(
      `${subject} must be a string of 1 to ${MAX_VIEWER_ID_LENGTH} characters; got ${describeValue(value)}${length}`,
    );
  }
  return value;
}

export function checkSessionVersion(value: unknown, subject: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new PlaybackTokenError(`${subject} must be a whole number >= 0; got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Describes a user-supplied value for an error message; claims are not secret, so short ones are quoted,
 * but never a PEM block (a private key in the wrong argument).
 */
export function describeValue(value: unknown): string {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  }
  if (typeof value === 'number') {
    // JSON would write NaN and Infinity as null.
    return String(value);
  }
  const json = JSON.stringify(value);
  // A key passed as a claim by mistake: its first 200 characters would hold a P-384 private key's whole scalar.
  if (json?.includes('-----BEGIN'))
    return `${typeof value === 'string' ? 'a' : 'an object holding a'} PEM block (not shown)`;
  return json === undefined ? typeof value : json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

/** `convert(value)`, or `undefined` for an absent claim. */
export function ifDefined<T, R>(value: T | undefined, convert: (value: T) => R): R | undefined {
  return value === undefined ? undefined : convert(value);
}

/** Drops the properties that are undefined, so absent claims are absent rather than undefined. */
export function definedOnly<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}
