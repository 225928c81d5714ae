/**
 * The error of `./tokens`' participant token functions, in a module of its own with no imports: the ES module
 * build of `./tokens` imports this CommonJS module instead of bundling a copy, so `import` and `require` of
 * `./tokens` in one program share one class (scripts/build-tokens-esm.mjs).
 */

/**
 * Thrown for participant token claims outside what IVS Real-Time accepts and for participant tokens that fail
 * verification. The message never contains key text or the token.
 */
export class ParticipantTokenError extends Error {
  /**
   * @param message - what is wrong and what is allowed
   * @param options - the underlying error, as `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ParticipantTokenError';
  }
}
