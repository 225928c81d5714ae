export * from './construct/playback-key-pair';
export * from './construct/generated-playback-key-pair';
export * from './construct/stage-public-key';
export * from './construct/generated-stage-public-key';
