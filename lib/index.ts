export * from './playback-key-pair';
export { PlaybackKeyPairValidationError } from './validation';
