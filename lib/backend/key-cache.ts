/**
 * Parsed signing and verification keys, kept between calls: parsing a PEM costs about a fifth of
 * an ES384 signature, and a backend passes the same key for every token it signs.
 *
 * Only keys that loaded and passed the P-384 checks are kept, so a bad key fails the same way on
 * every call. The PEM maps are bounded (oldest out first): a process that signs with many keys
 * parses again rather than growing.
 */
import { KeyObject } from 'node:crypto';
import { loadPlaybackPrivateKey, loadPlaybackPublicKey } from './key-material';

/** More distinct PEM keys than a backend signs with at once (the current and the previous key pair). */
const MAX_PEM_KEYS = 16;

const privateKeysByPem = /* @__PURE__ */ new Map<string, KeyObject>();
const publicKeysByPem = /* @__PURE__ */ new Map<string, KeyObject>();
/** KeyObjects a caller passed that were checked already; for verification, mapped to their public half. */
const checkedPrivateKeys = /* @__PURE__ */ new WeakSet<KeyObject>();
const publicHalves = /* @__PURE__ */ new WeakMap<KeyObject, KeyObject>();

/**
 * {@link loadPlaybackPrivateKey}, remembered by PEM text or `KeyObject`.
 *
 * @internal
 */
export function cachedPrivateKey(key: string | KeyObject, subject: string): KeyObject {
  if (typeof key === 'string') {
    return remembered(privateKeysByPem, key, () => loadPlaybackPrivateKey(key, subject));
  }
  if (key instanceof KeyObject && checkedPrivateKeys.has(key)) {
    return key;
  }
  const loaded = loadPlaybackPrivateKey(key, subject);
  checkedPrivateKeys.add(loaded);
  return loaded;
}

/**
 * {@link loadPlaybackPublicKey}, remembered by PEM text or `KeyObject` (a private key maps to its public half).
 *
 * @internal
 */
export function cachedPublicKey(key: string | KeyObject, subject: string): KeyObject {
  if (typeof key === 'string') {
    return remembered(publicKeysByPem, key, () => loadPlaybackPublicKey(key, subject));
  }
  const known = key instanceof KeyObject ? publicHalves.get(key) : undefined;
  if (known) {
    return known;
  }
  const loaded = loadPlaybackPublicKey(key, subject);
  publicHalves.set(key, loaded);
  return loaded;
}

function remembered(cache: Map<string, KeyObject>, pem: string, load: () => KeyObject): KeyObject {
  const known = cache.get(pem);
  if (known) {
    return known;
  }
  const loaded = load();
  if (cache.size >= MAX_PEM_KEYS) {
    cache.delete(cache.keys().next().value!);
  }
  cache.set(pem, loaded);
  return loaded;
}
