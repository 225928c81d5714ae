/**
 * Local key handling for playback key pairs: generating a key pair IVS accepts, computing the
 * fingerprint IVS will report, and loading keys for signing and verifying playback tokens.
 *
 * Error messages describe what was found and never echo the key text, which may be a private key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { describeKey, fingerprintOfDer, PlaybackKeyPairValidationError } from '../shared/validation';

const REQUIRED_CURVE = 'secp384r1';
const REQUIRED_ALGORITHM = 'an ECDSA P-384 (secp384r1)';
/** PKCS#8 and legacy OpenSSL markers of a passphrase-protected key. */
const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

/** A freshly generated playback key pair and its IVS fingerprint. */
export interface PlaybackKeyPairMaterial {
  /** The private key as a PKCS#8 PEM `-----BEGIN PRIVATE KEY-----` block. Signs playback tokens; keep it secret. */
  readonly privateKeyPem: string;
  /** The public key as a SubjectPublicKeyInfo PEM `-----BEGIN PUBLIC KEY-----` block, ready to import into IVS. */
  readonly publicKeyPem: string;
  /** The fingerprint IVS will report for the public key, e.g. `98:0d:1a:a0:...` (16 colon-separated hex bytes). */
  readonly fingerprint: string;
}

/**
 * Generates a fresh ECDSA P-384 (secp384r1) key pair, the only kind IVS accepts for playback keys.
 *
 * @returns the private key (PKCS#8 PEM), the public key (SPKI PEM) and the public key's IVS fingerprint
 */
export function generatePlaybackKeyPair(): PlaybackKeyPairMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: REQUIRED_CURVE,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    privateKeyPem: privateKey,
    publicKeyPem: publicKey,
    fingerprint: fingerprintOfPublicKey(createPublicKey(publicKey)),
  };
}

/**
 * Computes, without calling AWS, the fingerprint IVS reports for a playback key pair: the MD5 of the
 * DER SubjectPublicKeyInfo as 16 colon-separated lowercase hex bytes (e.g. `98:0d:1a:a0:...`).
 *
 * Gives the same answer for the private and the public half, so it can tell which imported key
 * pair a private key belongs to.
 *
 * @param key - an ECDSA P-384 public or private key: a PEM string (`PUBLIC KEY`, `PRIVATE KEY` or
 *   `EC PRIVATE KEY`) or a `KeyObject`
 * @throws PlaybackKeyPairValidationError if the key cannot be read or is not an ECDSA P-384 key
 */
export function playbackKeyFingerprint(key: string | KeyObject): string {
  return fingerprintOfPublicKey(loadPlaybackPublicKey(key, 'The key passed to playbackKeyFingerprint'));
}

/**
 * Reads an ECDSA P-384 private key, for signing.
 *
 * @param subject - names the input in error messages, e.g. "The signing key"
 * @internal
 */
export function loadPlaybackPrivateKey(key: string | KeyObject, subject: string): KeyObject {
  const keyObject = readKey(key, subject, 'private key');
  if (keyObject.type !== 'private') {
    throw wrongKey(subject, 'private key', 'a public key; sign with the private half (private.pem), not public.pem');
  }
  return requireP384(keyObject, subject, 'private key');
}

/**
 * Reads an ECDSA P-384 key as its public half, for fingerprints and verification. A private key is
 * accepted and reduced to its public half.
 *
 * @param subject - names the input in error messages, e.g. "The verification key"
 * @internal
 */
export function loadPlaybackPublicKey(key: string | KeyObject, subject: string): KeyObject {
  const keyObject = requireP384(readKey(key, subject, 'public or private key'), subject, 'public or private key');
  return keyObject.type === 'private' ? createPublicKey(keyObject) : keyObject;
}

function fingerprintOfPublicKey(publicKey: KeyObject): string {
  return fingerprintOfDer(publicKey.export({ type: 'spki', format: 'der' }));
}

/** Parses a PEM string as a private key if it is one, otherwise as a public key. */
function readKey(key: string | KeyObject, subject: string, wanted: string): KeyObject {
  if (key instanceof KeyObject) {
    return key;
  }
  if (typeof key !== 'string') {
    throw wrongKey(subject, wanted, `a value of type ${describeType(key)}; pass a PEM string or a KeyObject`);
  }
  if (ENCRYPTED_PEM.test(key)) {
    throw wrongKey(
      subject,
      wanted,
      'an encrypted PEM block; decrypt it first (openssl pkey -in key.pem -out plain.pem)',
    );
  }
  // OpenSSL finds no PEM block after leading spaces, which pasted or indented keys often have.
  const pem = key.trim();
  try {
    return createPrivateKey(pem);
  } catch {
    // Not a private key: it may still be a public key (or a certificate holding one).
  }
  try {
    return createPublicKey(pem);
  } catch {
    // OpenSSL's message says nothing useful and the input may be a secret, so neither is repeated.
    throw wrongKey(subject, wanted, 'text that could not be parsed as a PEM key');
  }
}

function requireP384(key: KeyObject, subject: string, wanted: string): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== REQUIRED_CURVE) {
    throw wrongKey(subject, wanted, describeKey(key));
  }
  return key;
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Buffer.isBuffer(value) ? 'Buffer' : typeof value;
}

function wrongKey(subject: string, wanted: string, found: string): PlaybackKeyPairValidationError {
  return new PlaybackKeyPairValidationError(
    `${subject} must be ${REQUIRED_ALGORITHM} ${wanted} as a PEM string or KeyObject; got ${found}.`,
  );
}
