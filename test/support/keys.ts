import { generateKeyPairSync, KeyObject } from 'node:crypto';

/** A fresh key pair of the kind IVS accepts: ECDSA P-384. */
export function p384(): { publicKeyPem: string; privateKeyPem: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
  };
}

/** Public keys IVS rejects, as SPKI PEM. */
export const wrongKeys = {
  p256: () =>
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
  rsa: () =>
    generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  ed25519: () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  /** The traditional OpenSSL "EC PRIVATE KEY" format `openssl ecparam -genkey` writes. */
  sec1Private: () =>
    generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString(),
};

/** The base64 body of a PEM, which must never appear in a message or a log line. */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');
}
