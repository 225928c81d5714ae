'use strict';
// Runs a bundled viewer-token backend once, as Lambda would: a fresh process loads the bundle and
// calls its handler with one event. Spawned by scripts/bench.ts on the Lambda runtime's Node.js;
// writes the handler's result as one JSON line, which the bench checks with verifyPlaybackToken,
// with the process's CPU time so far (cpuMs: user + system, Node.js start-up included).
//
//   node token-backend-child.cjs <bundle file>
//
// The key pair comes in PLAYBACK_PRIVATE_KEY / PLAYBACK_PUBLIC_KEY, the channel in BENCH_CHANNEL_ARN.
const path = require('node:path');

const [bundle] = process.argv.slice(2);
require(path.resolve(bundle))
  .handler({ channelArn: process.env.BENCH_CHANNEL_ARN })
  .then(
    (result) => {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ ...result, cpuMs: (user + system) / 1000 })}\n`);
    },
    (error) => {
      process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
      process.exit(1);
    },
  );
