// One token signer through a Secrets Manager outage, on the Lambda runtime's Node.js (spawned by
// scripts/bench/signer-outage.ts): the signer reads its key once (the endpoint answers the first
// read), waits until its refresh is due, then gets sign() calls at a fixed rate, as viewers would
// arrive, for a fixed window, while the endpoint stalls or throttles every later read. Writes one JSON
// line: { calls, signed, failed, unanswered, latenciesMs (of the answered calls), errors }.
//
// Environment: TOKENS_MODULE (file of the ./tokens build to load), SECRET_ID, SIGNER_OPTIONS (JSON,
// added to { secretId, refreshAfterSeconds }), REFRESH_AFTER_SECONDS, WINDOW_MS, CALLS_PER_SECOND, and
// for the SDK's default client AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_REGION and credentials.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const env = process.env;
const tokens = await import(pathToFileURL(env.TOKENS_MODULE).href);
const claims = { channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEfGhIjKl', expiresIn: 300 };
const refreshAfterSeconds = Number(env.REFRESH_AFTER_SECONDS);
const windowMs = Number(env.WINDOW_MS);
const callsPerSecond = Number(env.CALLS_PER_SECOND);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

// The SDK's default client, as a backend would have it: each build's own default configuration.
const signer = tokens.createPlaybackTokenSigner({
  secretId: env.SECRET_ID,
  refreshAfterSeconds,
  ...JSON.parse(env.SIGNER_OPTIONS || '{}'),
});
await signer.sign(claims);
await sleep(refreshAfterSeconds * 1000);

let calls = 0;
let signed = 0;
let failed = 0;
const latenciesMs = [];
const errors = {};
const started = performance.now();
for (let call = 0; call < (windowMs / 1000) * callsPerSecond; call++) {
  await sleep(started + (call * 1000) / callsPerSecond - performance.now());
  calls++;
  const calledAt = performance.now();
  signer.sign(claims).then(
    () => {
      signed++;
      latenciesMs.push(performance.now() - calledAt);
    },
    (error) => {
      failed++;
      latenciesMs.push(performance.now() - calledAt);
      // The message's first clause, without the secret's name and the numbers, names the kind of failure.
      const kind = String(error.message)
        .replace(/"[^"]*"/g, '"…"')
        .replace(/\d+(\.\d+)?/g, 'N')
        .split(/ \(|; |\. /)[0];
      errors[kind] = (errors[kind] ?? 0) + 1;
    },
  );
}
await sleep(started + windowMs - performance.now());
process.stdout.write(
  `${JSON.stringify({ calls, signed, failed, unanswered: calls - signed - failed, latenciesMs, errors })}\n`,
);
// A stalled read may still hold a socket; the window is over.
process.exit(0);
