// `npm run install:node-versions` (run by `prepare`, so by `npm ci`): installs the Node.js releases
// the tests run on (tools/node-versions/: official binaries from the npm registry, pinned by its
// lockfile). They are built for Linux on x64, the machines this project is built and tested on;
// elsewhere this says so and installs nothing, and scripts/with-node.mjs explains what is missing.
import { execFileSync } from 'node:child_process';

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(
    `install:node-versions: skipped, the pinned Node.js binaries are for linux-x64, not ${process.platform}-${process.arch}.`,
  );
} else {
  execFileSync('npm', ['ci', '--prefix', 'tools/node-versions', '--no-audit', '--no-fund', '--ignore-scripts'], {
    stdio: 'inherit',
  });
}
