// The same backend as token-backend.mjs, as a user writes it without this package: jose directly,
// with the header and the IVS claim written by hand. scripts/bench.ts bundles both alike.
import { importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';

export async function handler(event) {
  const privateKey = await importPKCS8(process.env.PLAYBACK_PRIVATE_KEY, 'ES384');
  const token = await new SignJWT({ 'aws:channel-arn': event.channelArn })
    .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
    .setExpirationTime('300s')
    .sign(privateKey);
  const publicKey = await importSPKI(process.env.PLAYBACK_PUBLIC_KEY, 'ES384');
  const { payload } = await jwtVerify(token, publicKey, { algorithms: ['ES384'], typ: 'JWT', requiredClaims: ['exp'] });
  return { token, expiresAt: new Date(payload.exp * 1000).toISOString() };
}
