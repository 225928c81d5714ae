/**
 * The error of invalid key pair input, in a module of its own with no imports: the ES module build of
 * `./tokens` imports this CommonJS module instead of bundling a copy, so `import` and `require` of
 * `./tokens` in one program share one class (scripts/build-tokens-esm.mjs).
 */

/** Thrown for input IVS would reject. The message never contains key material. */
export class PlaybackKeyPairValidationError extends Error {
  /** @param message - what is wrong and what is allowed, without the offending key */
  constructor(message: string) {
    super(message);
    this.name = 'PlaybackKeyPairValidationError';
  }
}
