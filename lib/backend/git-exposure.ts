/**
 * Whether a file about to be written would sit in a git work tree that does not ignore it, one
 * `git add .` away from a commit. The CLI asks before it writes a private key.
 *
 * Asks git itself (`git rev-parse`, `git check-ignore`), so every ignore source counts: .gitignore
 * files at any level, .git/info/exclude and the user's core.excludesFile. Without git, or outside a
 * work tree, nothing can commit the file, so the answer is "not exposed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/** A file git would pick up: the work tree it is in, and its path relative to that tree's top. */
export interface GitExposure {
  /** The top directory of the work tree (`git rev-parse --show-toplevel`). */
  readonly workTree: string;
  /** The file's path from `workTree`, with `/` separators, e.g. `keys/private.pem`. */
  readonly pathInWorkTree: string;
}

/**
 * Tells whether git would see `file` as a new file to add: it is inside a git work tree and no ignore
 * rule covers it. The file and its directories need not exist yet.
 *
 * @param file - the path about to be written
 * @returns where it would be exposed, or `undefined` when git is not installed, the path is outside any work
 *   tree, or git ignores it
 */
export function gitExposure(file: string): GitExposure | undefined {
  const target = resolve(file);
  // git needs an existing directory to start from; the rest of the path may be created later.
  const from = nearestExistingDirectory(dirname(target));
  // Two lines: the work tree's top, and where `from` is inside it ("" at the top, else "keys/").
  const location = git(['rev-parse', '--show-toplevel', '--show-prefix'], from);
  if (location === undefined || location.status !== 0) {
    return undefined;
  }
  // Relative to `from`, not absolute: git resolves symbolic links in its own paths (/tmp on macOS).
  const fromStart = relative(from, target);
  const ignored = git(['check-ignore', '--quiet', '--', fromStart], from);
  // 0: ignored. 1: not ignored. Anything else is an error git could not answer, which protects nothing.
  if (ignored?.status === 0) {
    return undefined;
  }
  const [workTree, prefix = ''] = location.stdout.split('\n');
  return { workTree, pathInWorkTree: `${prefix}${fromStart.split(sep).join('/')}` };
}

/** Runs git; `undefined` when git is not installed. */
function git(args: string[], cwd: string): { status: number | null; stdout: string } | undefined {
  // env spelled out: git reads it (GIT_DIR, GIT_CONFIG_GLOBAL, ...) as the program running this has set it.
  const result = spawnSync('git', args, {
    cwd,
    env: process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return undefined;
  }
  return { status: result.status, stdout: result.stdout ?? '' };
}

function nearestExistingDirectory(dir: string): string {
  let current = dir;
  while (!existsSync(current) && dirname(current) !== current) {
    current = dirname(current);
  }
  return current;
}
