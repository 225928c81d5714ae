/**
 * Parsed signing and verification keys, kept between calls: parsing a PEM costs about a fifth of
 * an ES384 signature, and a backend passes the same key for every token it signs.
 *
 * The keys are kept in key-store.ts, one store per process for both builds of `./tokens`; the
 * parsing and the P-384 checks stay here, in each build, so a bundler keeps only what it calls.
 */
import type { KeyObject } from 'node:crypto';
import { loadPlaybackPrivateKey, loadPlaybackPublicKey } from './key-material';
import { rememberedKey } from './key-store';

/**
 * {@link loadPlaybackPrivateKey}, remembered by PEM text or `KeyObject`.
 *
 * @internal
 */
export function cachedPrivateKey(key: string | KeyObject, subject: string): KeyObject {
  return rememberedKey('signing', key, () => loadPlaybackPrivateKey(key, subject));
}

/**
 * {@link loadPlaybackPublicKey}, remembered by PEM text or `KeyObject` (a private key maps to its public half).
 *
 * @internal
 */
export function cachedPublicKey(key: string | KeyObject, subject: string): KeyObject {
  return rememberedKey('verification', key, () => loadPlaybackPublicKey(key, subject));
}
