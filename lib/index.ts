export * from './construct/playback-key-pair';
export * from './construct/generated-playback-key-pair';
