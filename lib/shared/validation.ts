/**
 * Checks shared by the construct (at synth time, for values that are not tokens) and by the
 * custom-resource handler (at deploy time, for everything), so both report the same messages.
 *
 * Only `node:crypto` is used here: the handler bundles this file.
 */
import { createHash, createPublicKey, KeyObject } from 'node:crypto';

import { parseIvsArn } from './arn';
import type { KeyKind } from './key-kinds';
import { EVENT_MARKER_TAG_KEY, MAX_PUBLIC_KEY_MATERIAL_LENGTH, OWNER_TAG_KEY } from './contract';
import { PlaybackKeyPairValidationError } from './validation-error';

export { PlaybackKeyPairValidationError } from './validation-error';

/** IVS allows 50 tags per key pair; the owner tag takes one of them. */
export const MAX_USER_TAGS = 49;

/** One PEM boundary line; the label cannot contain "-", so each match is found in one pass. */
const PEM_BOUNDARY = /-----(BEGIN|END) ([A-Z0-9 ]+)-----/g;
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

/**
 * Checks that `pem` holds exactly one PEM SubjectPublicKeyInfo of an ECDSA P-384 key (text around
 * the block, such as a comment line, is allowed and dropped).
 *
 * Error messages describe what was found (a private key, another curve, another key type) and
 * never echo the input, which could be a private key pasted by mistake.
 */
export function validatePublicKeyMaterial(pem: string): ValidPublicKey {
  if (typeof pem !== 'string') {
    throw invalidKey(`is ${describeType(pem)}, not the text of a PEM file`);
  }
  if (pem.length > MAX_PUBLIC_KEY_MATERIAL_LENGTH) {
    throw invalidKey(
      `has ${pem.length} characters; at most ${MAX_PUBLIC_KEY_MATERIAL_LENGTH} are allowed (a P-384 public key PEM has 215)`,
    );
  }
  const blocks = pemBlocks(pem);
  const privateBlock = blocks.find(([, label]) => label.includes('PRIVATE KEY'));
  if (privateBlock || /PRIVATE KEY-----/.test(pem)) {
    throw invalidKey(
      `is a private key${privateBlock ? ` ("-----BEGIN ${privateBlock[1]}-----")` : ''}. ` +
        'Pass only the public half (npx cdk-ivs-playback-key-pair public-key --private-key <file> prints it) and ' +
        'keep the private key out of the CDK app: anything passed here is written into the CloudFormation template',
    );
  }
  if (blocks.length !== 1) {
    throw invalidKey(
      blocks.length === 0 ? 'contains no PEM block' : `contains ${blocks.length} PEM blocks; exactly one is allowed`,
    );
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

/** Whether `arn` is the ARN of a key of `kind`: `arn:<partition>:ivs:<region>:<account>:<playback-key|public-key>/<id>`. */
export function isKeyArn(kind: Pick<KeyKind, 'arnResource'>, arn: string): boolean {
  return parseIvsArn(arn, kind.arnResource) !== undefined;
}

/**
 * Checks a key's name against the IVS limits (the same for playback key pairs and public keys).
 *
 * @param option - the construct's option that names it, for the message
 */
export function validatePlaybackKeyPairName(name: string, option = 'playbackKeyPairName'): void {
  if (typeof name !== 'string') {
    throw new PlaybackKeyPairValidationError(`Invalid ${option}: expected a string (got ${describeType(name)})`);
  }
  if (name.length > 128 || !NAME_PATTERN.test(name)) {
    const problem =
      name.length > 128
        ? `it has ${name.length}`
        : `it contains ${[...new Set(name.replace(/[a-zA-Z0-9-_]/g, ''))].map((c) => JSON.stringify(c)).join(', ')}`;
    throw new PlaybackKeyPairValidationError(
      `Invalid ${option} ${quoted(name)}: use at most 128 characters ` + `from a-z, A-Z, 0-9, "-" and "_" (${problem})`,
    );
  }
}

/**
 * Checks user tags against the IVS limits, leaving room for the owner tag.
 *
 * @param isUnresolved - tells which keys and values are tokens, to be checked at deploy time
 */
export function validateTags(
  tags: Record<string, string>,
  isUnresolved: (value: string) => boolean = () => false,
): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_USER_TAGS) {
    throw new PlaybackKeyPairValidationError(
      `Too many tags (${keys.length}): at most ${MAX_USER_TAGS} are allowed ` +
        `(IVS allows 50 per key and this construct uses one, "${OWNER_TAG_KEY}", to recognise its own keys)`,
    );
  }
  for (const key of keys) {
    const value = tags[key];
    if (!isUnresolved(key)) {
      validateTagKey(key);
    }
    if (!isUnresolved(value) && value.length > 256) {
      throw new PlaybackKeyPairValidationError(
        `Invalid value for tag ${quoted(key)}: at most 256 characters are allowed (got ${value.length})`,
      );
    }
  }
}

/**
 * Checks that `tags` has the shape of a tag map: an object whose values are all strings (absent
 * means no tags). CloudFormation may also send the list form `[{Key, Value}]` of older templates,
 * which the handler reads with `tagsFromProperty`.
 */
export function validateTagMap(tags: unknown): asserts tags is Record<string, string> | undefined {
  if (tags === undefined) return;
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw new PlaybackKeyPairValidationError(
      `Invalid tags: expected a map of tag keys to string values (got ${describeType(tags)})`,
    );
  }
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== 'string') {
      throw new PlaybackKeyPairValidationError(
        `Invalid value for tag ${quoted(key)}: expected a string (got ${describeType(value)})`,
      );
    }
  }
}

/**
 * The `Tags` resource property as a map: a map of strings, or the list form `[{Key, Value}]`
 * CloudFormation may send for older templates; anything else fails with the synth-time messages.
 */
export function tagsFromProperty(tags: unknown): Record<string, string> {
  if (!Array.isArray(tags)) {
    validateTagMap(tags);
    return { ...tags };
  }
  const entries = tags.map((tag: unknown, index) => {
    const { Key, Value } = (tag ?? {}) as { Key?: unknown; Value?: unknown };
    if (
      tag === null ||
      typeof tag !== 'object' ||
      typeof Key !== 'string' ||
      (Value !== undefined && typeof Value !== 'string')
    ) {
      throw new PlaybackKeyPairValidationError(
        `Invalid tags: entry ${index + 1} of the list is ${describeType(tag)}; ` +
          'each must be {"Key": string, "Value": string}',
      );
    }
    return [Key, Value ?? ''] as const;
  });
  return Object.fromEntries(entries);
}

function validateTagKey(key: string): void {
  if (key.length < 1 || key.length > 128) {
    throw new PlaybackKeyPairValidationError(
      `Invalid tag key ${quoted(key)}: use 1 to 128 characters (got ${key.length})`,
    );
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new PlaybackKeyPairValidationError(
      `Invalid tag key ${quoted(key)}: keys beginning with "aws:" are reserved by AWS`,
    );
  }
  if (key === OWNER_TAG_KEY) {
    throw new PlaybackKeyPairValidationError(
      `Invalid tag key ${quoted(key)}: it is reserved for the tag that marks ` + 'the keys this construct imported',
    );
  }
  if (key === EVENT_MARKER_TAG_KEY) {
    throw new PlaybackKeyPairValidationError(
      `Invalid tag key ${quoted(key)}: it is reserved for the tag that records ` +
        'which deployment event last changed the key',
    );
  }
}

/** Quotes a value in an error message, unless it looks like a key pasted into the wrong field. */
function quoted(value: string): string {
  return /-----BEGIN|PRIVATE KEY/.test(value) ? '(a PEM key, not shown)' : JSON.stringify(value);
}

/**
 * The PEM blocks of `text` as [block, label] pairs, found as a lazy BEGIN...END-with-the-same-label
 * regular expression would find them, in one pass over the boundaries (linear time; the regular
 * expression retried from every BEGIN and took seconds on 256 KB of BEGIN lines).
 */
export function pemBlocks(text: string): Array<[block: string, label: string]> {
  const boundaries = [...text.matchAll(PEM_BOUNDARY)].map((match) => ({
    kind: match[1],
    label: match[2],
    start: match.index!,
    end: match.index! + match[0].length,
  }));
  // For each label, its END lines in order, and how many of them lie behind the scan.
  const endsByLabel = new Map<string, { ends: { start: number; end: number }[]; next: number }>();
  for (const boundary of boundaries) {
    if (boundary.kind !== 'END') continue;
    const ends = endsByLabel.get(boundary.label) ?? { ends: [], next: 0 };
    ends.ends.push(boundary);
    endsByLabel.set(boundary.label, ends);
  }
  const blocks: Array<[string, string]> = [];
  let cursor = 0;
  for (const begin of boundaries) {
    if (begin.kind !== 'BEGIN' || begin.start < cursor) continue;
    const ends = endsByLabel.get(begin.label);
    while (ends && ends.next < ends.ends.length && ends.ends[ends.next].start < begin.end) ends.next++;
    const end = ends?.ends[ends.next];
    if (!end) continue;
    cursor = end.end;
    blocks.push([text.slice(begin.start, cursor), begin.label]);
  }
  return blocks;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
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
  return new PlaybackKeyPairValidationError(
    `Invalid publicKeyMaterial: it ${found}. IVS accepts only ${REQUIRED_KEY}.`,
  );
}
