export * from './playback-key-pair';
export { PlaybackKeyPairValidationError } from './validation';
export { generatePlaybackKeyPair, playbackKeyFingerprint } from './key-material';
export type { PlaybackKeyPairMaterial } from './key-material';
export { signPlaybackToken, verifyPlaybackToken, playbackUrlWithToken, PlaybackTokenError } from './playback-token';
export type { PlaybackTokenClaims, VerifiedPlaybackToken, VerifyPlaybackTokenOptions } from './playback-token';
