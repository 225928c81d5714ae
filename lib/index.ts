export * from './playback-key-pair';
