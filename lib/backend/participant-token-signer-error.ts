/**
 * The participant token signer's error, in a module of its own with no imports: the ES module build of `./tokens`
 * imports this CommonJS module instead of bundling a copy, so `import` and `require` of `./tokens` in one program
 * share one class (scripts/build-tokens-esm.mjs).
 */

/**
 * Thrown when the participant token signer has no key or no stage endpoints to sign with: an SDK client is not
 * installed, the secret is missing or not readable, its value is not a stage key (with its `publicKeyArn`), reads
 * have failed for longer than the signer may keep signing with the key it holds, or `GetStage` failed. The message
 * names the secret or the stage and never contains the secret's value.
 */
export class ParticipantTokenSignerError extends Error {
  /**
   * @param message - what went wrong and how to fix it
   * @param options - the underlying error, as `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ParticipantTokenSignerError';
  }
}
