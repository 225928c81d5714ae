// The Node.js that Lambda runs the handler on, for the cold starts and the token backend.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './common';

/** The Node.js that Lambda runs the handler on: the runtime's major and the binary of that major here. */
export interface LambdaNode {
  readonly major: number;
  readonly binary: string;
  /** What `node --version` prints, e.g. v24.22.3. */
  readonly version: string;
}

/**
 * Finds the Node.js binary of the handler's Lambda runtime major (lib/shared/contract.ts), installed
 * from the npm registry into tools/node-versions on first use (scripts/tools.mjs).
 */
export async function lambdaNode(): Promise<LambdaNode> {
  const { handlerNodeMajor } = await import('../node-versions.mjs');
  const { ensureNodeVersion } = await import('../tools.mjs');
  const major = handlerNodeMajor();
  let binary: string;
  try {
    binary = path.join(ensureNodeVersion(major), 'node');
  } catch (error) {
    throw new Error(
      `The cold starts and the token backend run on Node.js ${major}, the major of the handler's Lambda runtime ` +
        `(nodejs${major}.x). ${(error as Error).message}`,
      { cause: error },
    );
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`))
    throw new Error(`${path.relative(ROOT, binary)} is ${version}, not Node.js ${major}`);
  return { major, binary, version };
}
