/**
 * Loading an optional peer dependency (an AWS SDK client) the first time a signer needs it, so that the rest of
 * `./tokens` runs without it, and saying what to install when it is missing.
 */

/**
 * What `load` imports, or the error `whenMissing` makes when the package named is not installed.
 *
 * @param load - `() => import('<package>')`, written out at the call so that bundlers see the package's name
 * @param packageName - the package `load` imports
 * @param whenMissing - the caller's error, told the loader's error as its cause
 */
export async function importOptionalPeer<T>(
  load: () => Promise<T>,
  packageName: string,
  whenMissing: (cause: unknown) => Error,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((error as Error).message).includes(packageName)
    ) {
      throw whenMissing(error);
    }
    throw error;
  }
}
