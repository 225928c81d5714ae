import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  KeyObject,
} from 'node:crypto';
import { generatePlaybackKeyPair, playbackKeyFingerprint } from '../lib/backend/key-material';
import { PlaybackKeyPairValidationError } from '../lib/shared/validation';

/** Generated with `openssl ecparam -name secp384r1 -genkey` / `openssl ec -pubout`; fingerprint from `openssl md5 -c` of the DER. */
const OPENSSL_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE34f4V55N9BWNupu9LySGm7WGSC6F7N69
/+yIELcL9I7YWCi40LRjalzmXpuyjKmpofkb9MmgNW41lh0d5rk7k2MbfrJBwCXN
V3pzoESIWGIVESTKgg3PAPi5f95I0Vgg
-----END PUBLIC KEY-----
`;
const OPENSSL_FINGERPRINT = '08:34:58:60:29:12:b6:9c:b3:bd:4d:91:4b:43:04:2a';
const FINGERPRINT_FORMAT = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/;

/** The fingerprint computed straight from the PEM text, without node's key parsing. */
function md5OfPemBody(pem: string): string {
  const der = Buffer.from(pemBody(pem), 'base64');
  return createHash('md5')
    .update(der)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

function pemBody(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
}

/** Asserts that `action` throws a PlaybackKeyPairValidationError matching `message` that quotes no part of `pem`. */
function expectKeyError(action: () => unknown, message: RegExp, pem?: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PlaybackKeyPairValidationError);
  const text = (caught as Error).message;
  expect(text).toMatch(message);
  if (pem) {
    expectNoKeyText(text, pem);
  }
}

function expectNoKeyText(text: string, pem: string): void {
  expect(text).not.toContain(pemBody(pem));
  for (const line of pem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'))) {
    expect(text).not.toContain(line);
  }
}

describe('generatePlaybackKeyPair', () => {
  const keyPair = generatePlaybackKeyPair();

  test('gives a PKCS#8 private key and an SPKI public key on P-384', () => {
    expect(keyPair.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    expect(keyPair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(createPrivateKey(keyPair.privateKeyPem).asymmetricKeyDetails).toEqual({ namedCurve: 'secp384r1' });
    // IVS documents the DER of an accepted key as 120 bytes.
    expect(Buffer.from(pemBody(keyPair.publicKeyPem), 'base64')).toHaveLength(120);
  });

  test('the public key is the half of the private key', () => {
    const derived = createPublicKey(keyPair.privateKeyPem).export({ type: 'spki', format: 'pem' });
    expect(derived).toBe(keyPair.publicKeyPem);
  });

  test('reports the fingerprint of the public key', () => {
    expect(keyPair.fingerprint).toMatch(FINGERPRINT_FORMAT);
    expect(keyPair.fingerprint).toBe(md5OfPemBody(keyPair.publicKeyPem));
  });

  test('makes a new key each time', () => {
    expect(generatePlaybackKeyPair().fingerprint).not.toBe(keyPair.fingerprint);
  });
});

describe('playbackKeyFingerprint', () => {
  const keyPair = generatePlaybackKeyPair();

  test('matches openssl for a known key', () => {
    expect(playbackKeyFingerprint(OPENSSL_PUBLIC_KEY)).toBe(OPENSSL_FINGERPRINT);
    expect(md5OfPemBody(OPENSSL_PUBLIC_KEY)).toBe(OPENSSL_FINGERPRINT);
  });

  test('matches an independent MD5 of the DER SubjectPublicKeyInfo', () => {
    expect(playbackKeyFingerprint(keyPair.publicKeyPem)).toBe(md5OfPemBody(keyPair.publicKeyPem));
  });

  test('is the same for the private half, in every form', () => {
    const privateKey = createPrivateKey(keyPair.privateKeyPem);
    const sec1Pem = privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    expect(sec1Pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);

    for (const key of [keyPair.privateKeyPem, sec1Pem, privateKey, createPublicKey(keyPair.publicKeyPem)]) {
      expect(playbackKeyFingerprint(key)).toBe(keyPair.fingerprint);
    }
  });

  test('ignores PEM whitespace differences', () => {
    expect(playbackKeyFingerprint(`\n  ${keyPair.publicKeyPem.replace(/\n/g, '\r\n')}  \n`)).toBe(keyPair.fingerprint);
  });

  describe('rejects keys IVS would not accept, naming what it found and never the key text', () => {
    const allowed = /must be an ECDSA P-384 \(secp384r1\) public or private key/;

    test.each([
      ['prime256v1', /got an EC key on curve prime256v1 \(P-256\)/],
      ['secp521r1', /got an EC key on curve secp521r1 \(P-521\)/],
      ['secp256k1', /got an EC key on curve secp256k1/],
    ])('an EC key on %s', (namedCurve, found) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', {
        namedCurve,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      for (const pem of [privateKey, publicKey]) {
        expectKeyError(() => playbackKeyFingerprint(pem), allowed, pem);
        expectKeyError(() => playbackKeyFingerprint(pem), found, pem);
      }
    });

    test('an RSA key', () => {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 1024,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      expectKeyError(() => playbackKeyFingerprint(privateKey), /secp384r1.*; got an RSA key\.$/, privateKey);
    });

    test('an Ed25519 key', () => {
      const { publicKey } = generateKeyPairSync('ed25519');
      expectKeyError(() => playbackKeyFingerprint(publicKey), /secp384r1.*; got a key of type "ed25519"\.$/);
    });

    test('a secret key', () => {
      expectKeyError(
        () => playbackKeyFingerprint(createSecretKey(Buffer.alloc(32))),
        /secp384r1.*; got a secret \(symmetric\) key/,
      );
    });

    test('text that is not a PEM key', () => {
      const broken = keyPair.privateKeyPem
        .replace(/[A-Za-z]/, (c) => (c === 'A' ? 'B' : 'A'))
        .replace('PRIVATE KEY-----\n', 'PRIVATE KEY-----\n!!');
      expectKeyError(
        () => playbackKeyFingerprint(broken),
        /secp384r1.*; got text that could not be parsed as a PEM key/,
        broken,
      );
      expectKeyError(() => playbackKeyFingerprint(''), /could not be parsed as a PEM key/);
    });

    test('an encrypted private key', () => {
      const encrypted = createPrivateKey(keyPair.privateKeyPem).export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'secret',
      }) as string;
      expectKeyError(
        () => playbackKeyFingerprint(encrypted),
        /got an encrypted PEM block; decrypt it first/,
        encrypted,
      );
    });

    test('a value that is neither a string nor a KeyObject', () => {
      const der = createPublicKey(keyPair.publicKeyPem).export({ type: 'spki', format: 'der' });
      expectKeyError(
        () => playbackKeyFingerprint(der as unknown as string),
        /got a value of type Buffer; pass a PEM string or a KeyObject/,
      );
      expectKeyError(() => playbackKeyFingerprint(undefined as unknown as KeyObject), /got a value of type undefined/);
    });
  });
});
