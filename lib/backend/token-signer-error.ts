/**
 * The signer's error, in a module of its own with no imports: the ES module build of `./tokens` imports
 * this CommonJS module instead of bundling a copy, so `import` and `require` of `./tokens` in one program
 * share one class (scripts/build-tokens-esm.mjs).
 */

/**
 * Thrown when the signer has no key to sign with: the SDK is not installed, the secret is missing or not
 * readable, its value is not a playback key pair, or reads have failed for longer than the signer may keep
 * signing with the key it holds. The message names the secret and never contains its value.
 */
export class PlaybackTokenSignerError extends Error {
  /**
   * @param message - what went wrong and how to fix it
   * @param options - the underlying error, as `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlaybackTokenSignerError';
  }
}
