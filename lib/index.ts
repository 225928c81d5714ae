export * from './construct/playback-key-pair';
