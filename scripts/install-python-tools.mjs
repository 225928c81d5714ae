// `npm run install:python-tools` (run by `prepare`, so by `npm ci`): installs the Python tools the
// tests use (tools/python/requirements.txt, pinned: moto's server and cfn-lint) into
// tools/python/.venv. Skips the install when the venv already holds exactly that requirements file.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../tools/python/', import.meta.url));
const venv = `${dir}.venv`;
const requirements = readFileSync(`${dir}requirements.txt`, 'utf8');
const stamp = `${venv}/installed-requirements.txt`;

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === requirements) {
  console.log('install:python-tools: tools/python/.venv is up to date.');
} else {
  try {
    execFileSync('python3', ['-m', 'venv', '--clear', venv], { stdio: 'inherit' });
  } catch {
    throw new Error('install:python-tools needs python3 with the venv module (Debian: apt-get install python3-venv).');
  }
  execFileSync(
    `${venv}/bin/pip`,
    ['install', '--quiet', '--disable-pip-version-check', '-r', `${dir}requirements.txt`],
    { stdio: 'inherit' },
  );
  writeFileSync(stamp, requirements);
}
