/**
 * The error of `./tokens`' token functions, in a module of its own with no imports: the claim checks throw it
 * too, and the ES module build of `./tokens` imports this CommonJS module instead of bundling a copy, so
 * `import` and `require` of `./tokens` in one program share one class (scripts/build-tokens-esm.mjs).
 */

/**
 * Thrown for playback token claims IVS would reject and for tokens that fail verification.
 * The message never contains key text or the token.
 */
export class PlaybackTokenError extends Error {
  /**
   * @param message - what is wrong and what is allowed
   * @param options - the underlying error, as `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlaybackTokenError';
  }
}
