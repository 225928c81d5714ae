/**
 * Input checks both IVS key APIs apply the same way (the models give the same name, tag and key-material shapes for
 * playback key pairs and public keys), key fingerprints, page tokens and ids.
 */
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { invalid } from './wire';

export const PUBLIC_KEY_INVALID = 'Request member: publicKeyMaterial failed to satisfy the constraints';
const NAME_PATTERN = /^[a-zA-Z0-9-_]*$/;
const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** DER SubjectPublicKeyInfo of a PEM `PUBLIC KEY` block holding an ECDSA P-384 key; anything else is a 400. */
export function p384PublicKeyDer(publicKeyMaterial: unknown): Buffer {
  // Match the PEM ourselves: createPublicKey would happily derive a public key from a private-key PEM.
  const match = typeof publicKeyMaterial === 'string' ? PEM_PUBLIC_KEY.exec(publicKeyMaterial.trim()) : null;
  if (!match) throw invalid(PUBLIC_KEY_INVALID);
  try {
    const key = createPublicKey({
      key: Buffer.from(match[1].replace(/\s/g, ''), 'base64'),
      format: 'der',
      type: 'spki',
    });
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') {
      return key.export({ type: 'spki', format: 'der' });
    }
  } catch {
    // fall through: not a parseable SubjectPublicKeyInfo
  }
  throw invalid(PUBLIC_KEY_INVALID);
}

export function md5Fingerprint(der: Buffer): string {
  return createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
}

export function validName(name: unknown): string {
  if (name === undefined) return '';
  if (typeof name !== 'string' || name.length > 128 || !NAME_PATTERN.test(name)) {
    throw invalid('Request member: name failed to satisfy the constraints');
  }
  return name;
}

export function validTags(tags: unknown): Record<string, string> {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw invalid('tags must be a map of strings');
  const entries = Object.entries(tags);
  if (entries.length > 50) throw invalid('A resource can have at most 50 tags');
  for (const [key, value] of entries) {
    validTagKey(key);
    if (typeof value !== 'string' || value.length > 256)
      throw invalid(`Tag value for ${key} must be 0 to 256 characters`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export function validTagKeys(tagKeys: unknown): string[] {
  if (!Array.isArray(tagKeys) || tagKeys.length === 0 || tagKeys.length > 50) {
    throw invalid('Request member: tagKeys failed to satisfy the constraints');
  }
  return tagKeys.map(validTagKey);
}

function validTagKey(key: unknown): string {
  if (typeof key !== 'string' || key.length < 1 || key.length > 128)
    throw invalid('Tag keys must be 1 to 128 characters');
  if (key.toLowerCase().startsWith('aws:')) throw invalid(`Tag key ${key} uses the reserved prefix aws:`);
  return key;
}

export function withoutKeys(tags: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !keys.includes(key)));
}

/** Page size from `maxResults` (1..100 in both models) or the API's default. */
export function validPageSize(maxResults: unknown, defaultSize: number): number {
  const pageSize = Number(maxResults ?? defaultSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100)
    throw invalid('maxResults must be between 1 and 100');
  return pageSize;
}

export function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

export function decodePageToken(token: unknown): number {
  if (token === undefined || token === '') return 0;
  const match = typeof token === 'string' ? /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8')) : null;
  if (!match) throw invalid('Request member: nextToken failed to satisfy the constraints');
  return Number(match[1]);
}

export function randomId(length: number): string {
  // 62 does not divide 256, so the first letters are a little likelier; irrelevant for ids in tests.
  return [...randomBytes(length)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
}
