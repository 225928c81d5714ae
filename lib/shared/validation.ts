/**
 * Checks shared by the construct (at synth time, for values that are not tokens) and by the
 * custom-resource handler (at deploy time, for everything), so both report the same messages.
 *
 * Only `node:crypto` is used here: the handler bundles this file.
 */
import { createHash, createPublicKey, KeyObject } from 'node:crypto';

import { parseIvsArn } from './arn';
import { OWNER_TAG_KEY } from './contract';

/** IVS allows 50 tags per key pair; the owner tag takes one of them. */
export const MAX_USER_TAGS = 49;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const NAME_PATTERN = /^[a-zA-Z0-9-_]*$/;
const REQUIRED_KEY = 'an ECDSA P-384 (secp384r1) public key as a PEM "-----BEGIN PUBLIC KEY-----" block';

/** Friendly names for the curves people confuse with P-384. */
const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'prime256v1 (P-256)',
  secp521r1: 'secp521r1 (P-521)',
  secp256k1: 'secp256k1',
};

/** A public key that IVS will accept, reduced to what the handler compares keys by. */
export interface ValidPublicKey {
  /** The DER SubjectPublicKeyInfo, independent of PEM line breaks and whitespace. */
  readonly der: Buffer;
  /**
   * The key as a canonical PEM block (64-column base64, LF line ends): what the handler sends to
   * IVS, which rejects text around the block or unusual line breaks.
   */
  readonly pem: string;
  /** MD5 of the DER as colon-separated lowercase hex bytes, as IVS computes it. */
  readonly fingerprint: string;
}

/** Thrown for input IVS would reject. The message never contains key material. */
export class PlaybackKeyPairValidationError extends Error {
  /** @param message - what is wrong and what is allowed, without the offending key */
  constructor(message: string) {
    super(message);
    this.name = 'PlaybackKeyPairValidationError';
  }
}

/**
 * Checks that `pem` holds exactly one PEM SubjectPublicKeyInfo of an ECDSA P-384 key (text around
 * the block, such as a comment line, is allowed and dropped).
 *
 * Error messages describe what was found (a private key, another curve, another key type) and
 * never echo the input, which could be a private key pasted by mistake.
 */
export function validatePublicKeyMaterial(pem: string): ValidPublicKey {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const privateBlock = blocks.find(([, label]) => label.includes('PRIVATE KEY'));
  if (privateBlock || /PRIVATE KEY-----/.test(pem)) {
    throw invalidKey(`is a private key${privateBlock ? ` ("-----BEGIN ${privateBlock[1]}-----")` : ''}. `
      + 'Pass only the public half (openssl ec -in private.pem -pubout -out public.pem) and keep the private key '
      + 'out of the CDK app: anything passed here is written into the CloudFormation template');
  }
  if (blocks.length !== 1) {
    throw invalidKey(blocks.length === 0 ? 'contains no PEM block' : `contains ${blocks.length} PEM blocks; exactly one is allowed`);
  }
  const [block, label] = blocks[0];
  if (label !== 'PUBLIC KEY') {
    throw invalidKey(`is a "-----BEGIN ${label}-----" block${label === 'RSA PUBLIC KEY' ? ' (an RSA key)' : ''}`);
  }
  const key = parsePublicKey(block);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    throw invalidKey(`is ${describeKey(key)}`);
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return { der, pem: key.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: fingerprintOfDer(der) };
}

/** A curve's name as people know it, e.g. `prime256v1 (P-256)`. */
export function describeCurve(curve: string): string {
  return CURVE_NAMES[curve] ?? curve;
}

/** The IVS fingerprint of a DER SubjectPublicKeyInfo: its MD5 as colon-separated lowercase hex bytes. */
export function fingerprintOfDer(der: Buffer): string {
  return createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
}

/** Whether `arn` has the form `arn:<partition>:ivs:<region>:<account>:playback-key/<id>`. */
export function isPlaybackKeyPairArn(arn: string): boolean {
  return parseIvsArn(arn, 'playback-key') !== undefined;
}

/** Checks a key pair name against the IVS limits. */
export function validatePlaybackKeyPairName(name: string): void {
  if (name.length > 128 || !NAME_PATTERN.test(name)) {
    const problem = name.length > 128
      ? `it has ${name.length}`
      : `it contains ${[...new Set(name.replace(/[a-zA-Z0-9-_]/g, ''))].map((c) => JSON.stringify(c)).join(', ')}`;
    throw new PlaybackKeyPairValidationError(`Invalid playbackKeyPairName ${quoted(name)}: use at most 128 characters `
      + `from a-z, A-Z, 0-9, "-" and "_" (${problem})`);
  }
}

/**
 * Checks user tags against the IVS limits, leaving room for the owner tag.
 *
 * @param isUnresolved - tells which keys and values are tokens, to be checked at deploy time
 */
export function validateTags(tags: Record<string, string>, isUnresolved: (value: string) => boolean = () => false): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_USER_TAGS) {
    throw new PlaybackKeyPairValidationError(`Too many tags (${keys.length}): at most ${MAX_USER_TAGS} are allowed `
      + `(IVS allows 50 per key pair and this construct uses one, "${OWNER_TAG_KEY}", to recognise its own keys)`);
  }
  for (const key of keys) {
    const value = tags[key];
    if (!isUnresolved(key)) {
      validateTagKey(key);
    }
    if (!isUnresolved(value) && value.length > 256) {
      throw new PlaybackKeyPairValidationError(`Invalid value for tag ${quoted(key)}: at most 256 characters are allowed (got ${value.length})`);
    }
  }
}

function validateTagKey(key: string): void {
  if (key.length < 1 || key.length > 128) {
    throw new PlaybackKeyPairValidationError(`Invalid tag key ${quoted(key)}: use 1 to 128 characters (got ${key.length})`);
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new PlaybackKeyPairValidationError(`Invalid tag key ${quoted(key)}: keys beginning with "aws:" are reserved by AWS`);
  }
  if (key === OWNER_TAG_KEY) {
    throw new PlaybackKeyPairValidationError(`Invalid tag key ${quoted(key)}: it is reserved for the tag that marks `
      + 'the key pairs this construct imported');
  }
}

/** Quotes a value in an error message, unless it looks like a key pasted into the wrong field. */
function quoted(value: string): string {
  return /-----BEGIN|PRIVATE KEY/.test(value) ? '(a PEM key, not shown)' : JSON.stringify(value);
}

function parsePublicKey(block: string): KeyObject {
  try {
    return createPublicKey(block);
  } catch {
    throw invalidKey('is a "-----BEGIN PUBLIC KEY-----" block that does not hold a valid SubjectPublicKeyInfo');
  }
}

/**
 * What kind of key `key` is, for an error message that must not quote the key: e.g. `an RSA key`, `an EC key on
 * curve prime256v1 (P-256)`, `a key of type "ed25519"`. The one description of keys, for synth and deploy time
 * (validatePublicKeyMaterial) and for the token code (lib/backend/key-material.ts).
 */
export function describeKey(key: KeyObject): string {
  if (key.type === 'secret') return 'a secret (symmetric) key';
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve ? `an EC key on curve ${describeCurve(curve)}` : 'an EC key with explicit (unnamed) curve parameters';
  }
  if (type === 'rsa' || type === 'rsa-pss') return 'an RSA key';
  return `a key of type "${type ?? 'unknown'}"`;
}

function invalidKey(found: string): PlaybackKeyPairValidationError {
  return new PlaybackKeyPairValidationError(`Invalid publicKeyMaterial: it ${found}. IVS accepts only ${REQUIRED_KEY}.`);
}
