/**
 * `cdk-ivs-playback-key-pair/tokens`: what a backend needs to let viewers into private channels and
 * participants into IVS Real-Time stages (key generation, fingerprints, signing and verifying playback and
 * participant tokens), without the CDK.
 *
 * Nothing reachable from here imports aws-cdk-lib or constructs, so this entry point loads in a
 * project that installed the package with `npm install --omit=peer`. It is TypeScript/JavaScript
 * only: jsii, which carries the construct to the other CDK languages, cannot express free
 * functions or error classes. Other languages sign the same tokens with their own JWT libraries
 * (the README shows Python).
 *
 * It needs no package at run time: tokens are signed and verified with `node:crypto`. Only the signers load
 * `@aws-sdk/client-secrets-manager` (an optional peer dependency that Lambda's Node.js runtimes include), when
 * they first read their secret, and `createParticipantTokenSigner` `@aws-sdk/client-ivs-realtime` (optional too)
 * when it first needs a stage's endpoints. `import` gets an ES module build
 * and `require` a CommonJS one, with the same API.
 *
 * @packageDocumentation
 */
export { PlaybackKeyPairValidationError } from './shared/validation-error';
export { generatePlaybackKeyPair, playbackKeyFingerprint } from './backend/key-material';
export type { PlaybackKeyPairMaterial } from './backend/key-material';
export {
  signPlaybackToken,
  verifyPlaybackToken,
  playbackUrlWithToken,
  PlaybackTokenError,
} from './backend/playback-token';
export type { PlaybackTokenClaims, VerifiedPlaybackToken, VerifyPlaybackTokenOptions } from './backend/playback-token';
export { signParticipantToken, verifyParticipantToken, ParticipantTokenError } from './backend/participant-token';
export type {
  ParticipantCapabilities,
  ParticipantTokenClaims,
  VerifiedParticipantToken,
  VerifyParticipantTokenOptions,
} from './backend/participant-token';
export { createPlaybackTokenSigner, PlaybackTokenSignerError } from './backend/token-signer';
export { createParticipantTokenSigner, ParticipantTokenSignerError } from './backend/participant-token-signer';
export type {
  IvsRealTimeClientLike,
  ParticipantTokenSigner,
  ParticipantTokenSignerClaims,
  ParticipantTokenSignerOptions,
} from './backend/participant-token-signer';
export type { PlaybackTokenSigner, PlaybackTokenSignerOptions, SecretsManagerClientLike } from './backend/token-signer';
