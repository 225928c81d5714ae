/**
 * The process's one store of parsed keys. It holds only state and imports nothing at run time, so the ES
 * module build of `./tokens` imports this CommonJS module instead of bundling its own copy
 * (scripts/build-tokens-esm.mjs): `import` and `require` of `./tokens` in one program share it.
 *
 * Nothing here parses; the caller passes the loader (key-cache.ts), and only a key it returned is kept, so a
 * bad key fails the same way on every call. The PEM maps are bounded (oldest out first).
 */
import type { KeyObject } from 'node:crypto';

/** What a key is kept for: a private key to sign with, or a public key (or a private key's public half) to verify. */
export type KeyUse = 'signing' | 'verification';

/** More distinct PEM keys than a backend signs with at once (the current and the previous key pair). */
const MAX_PEM_KEYS = 16;

const byPem: Record<KeyUse, Map<string, KeyObject>> = { signing: new Map(), verification: new Map() };
/** Keys a caller passed as objects (KeyObjects), mapped to what their loader returned for them. */
const byObject: Record<KeyUse, WeakMap<object, KeyObject>> = { signing: new WeakMap(), verification: new WeakMap() };

/**
 * The key `load` returns for `key`, remembered by PEM text or by the `KeyObject` passed.
 *
 * @internal
 */
export function rememberedKey(use: KeyUse, key: unknown, load: () => KeyObject): KeyObject {
  if (typeof key === 'string') {
    return rememberedByPem(byPem[use], key, load);
  }
  if (typeof key !== 'object' || key === null) {
    // Not a key at all: the loader throws, saying so.
    return load();
  }
  const known = byObject[use].get(key);
  if (known) {
    return known;
  }
  const loaded = load();
  byObject[use].set(key, loaded);
  return loaded;
}

function rememberedByPem(cache: Map<string, KeyObject>, pem: string, load: () => KeyObject): KeyObject {
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
