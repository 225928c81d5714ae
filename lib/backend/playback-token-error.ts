/** The error of `./tokens`' token functions, in a module of its own so the claim checks can throw it too. */

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
