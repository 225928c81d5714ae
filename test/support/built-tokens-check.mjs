// What test/tokens-built.test.ts asks of one build of `./tokens`, run in a process of its own on the
// built files: `import` of lib/tokens.mjs or `require` of lib/tokens.js, as a backend loads them.
// Prints one JSON line: for each situation of issue 21's ./tokens items, what the build did.
//
//   node built-tokens-check.mjs <import|require> <package root>
//
// Environment: STALL_ENDPOINT and THROTTLE_ENDPOINT (moto behind a faulty endpoint that answers the
// first read and stalls or throttles the later ones), SILENT_ENDPOINT (a TCP server that never
// answers), SECRET_ID (in both faulty endpoints' moto), AWS credentials for the clients.
import { sign } from 'node:crypto';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const [format, packageRoot] = process.argv.slice(2);
const requireFromPackage = createRequire(path.join(packageRoot, 'package.json'));
const tokens =
  format === 'import'
    ? await import(pathToFileURL(path.join(packageRoot, 'lib', 'tokens.mjs')).href)
    : requireFromPackage('./lib/tokens.js');
const { SecretsManagerClient } = requireFromPackage('@aws-sdk/client-secrets-manager');

const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
const CLAIMS = { channelArn: CHANNEL_ARN, expiresIn: 300 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const outcome = (promise) =>
  promise.then(
    () => 'accepted',
    (error) => `${error.name}: ${error.message}`,
  );
/** Whether the promise settled before the next I/O callback: a sign() that waits on nothing does. */
const settledAtOnce = (promise) =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise((resolve) => setImmediate(() => resolve(false))),
  ]);
/** A hang shows as a value, not as a child that never exits. */
const within = (ms, promise) => Promise.race([promise, sleep(ms).then(() => `no answer after ${ms} ms`)]);

/** A client that counts the reads the signer sends. */
function countingClient(endpoint) {
  const real = new SecretsManagerClient({ endpoint, region: 'us-west-2', maxAttempts: 1 });
  let reads = 0;
  return {
    reads: () => reads,
    client: {
      send: (command, options) => {
        reads++;
        return real.send(command, options);
      },
    },
  };
}

const key = tokens.generatePlaybackKeyPair();
const b64 = (value) => Buffer.from(value).toString('base64url');
/** A token over exactly these parts, correctly signed. */
function signedOver(header, payload) {
  const input = `${header}.${payload}`;
  return `${input}.${b64(sign('sha384', Buffer.from(input), { key: key.privateKeyPem, dsaEncoding: 'ieee-p1363' }))}`;
}
const forged = (claims) => signedOver(b64('{"alg":"ES384","typ":"JWT"}'), b64(JSON.stringify(claims)));
const now = Math.floor(Date.now() / 1000);

const results = {};

// 11: a refresh that stalls, with a key held; and a first read that never gets an answer.
{
  const { client, reads } = countingClient(process.env.STALL_ENDPOINT);
  const signer = tokens.createPlaybackTokenSigner({
    secretId: process.env.SECRET_ID,
    client,
    refreshAfterSeconds: 0.05,
  });
  await signer.sign(CLAIMS);
  await sleep(60);
  let signedAtOnce = 0;
  for (let i = 0; i < 20; i++) if (await settledAtOnce(signer.sign(CLAIMS))) signedAtOnce++;
  results.stalledRefresh = { signedAtOnce, reads: reads() };
}
{
  const { client } = countingClient(process.env.SILENT_ENDPOINT);
  const signer = tokens.createPlaybackTokenSigner({ secretId: 'silent', client, readTimeoutSeconds: 0.2 });
  results.silentFirstRead = await within(10_000, outcome(signer.sign(CLAIMS)));
}

// 12: throttling once the refresh is due, with a key held.
{
  const { client, reads } = countingClient(process.env.THROTTLE_ENDPOINT);
  const signer = tokens.createPlaybackTokenSigner({
    secretId: process.env.SECRET_ID,
    client,
    refreshAfterSeconds: 0.05,
  });
  await signer.sign(CLAIMS);
  await sleep(60);
  let signed = 0;
  let failed = 0;
  for (let i = 0; i < 200; i++) {
    await signer.sign(CLAIMS).then(
      () => signed++,
      () => failed++,
    );
  }
  results.throttledRefresh = { signed, failed, reads: reads() };
}

// 13: a verify option that would turn the time checks off.
const expired = forged({ 'aws:channel-arn': CHANNEL_ARN, exp: now - 365 * 86_400 });
results.toleranceNaN = await outcome(
  tokens.verifyPlaybackToken(expired, key.publicKeyPem, { clockToleranceSeconds: NaN }),
);
results.invalidCurrentDate = await outcome(
  tokens.verifyPlaybackToken(expired, key.publicKeyPem, { currentDate: new Date('nonsense') }),
);

// 14: one more character on the signature.
const token = await tokens.signPlaybackToken(key.privateKeyPem, CLAIMS);
results.extraSignatureCharacter = await outcome(tokens.verifyPlaybackToken(`${token}A`, key.publicKeyPem));

// 15: exp out of bounds.
results.absoluteTimeAsExpiresIn = await outcome(
  tokens.signPlaybackToken(key.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 1_800_000_000 }),
);
results.viewerIdExpBeyondDates = await outcome(
  tokens.verifyPlaybackToken(
    forged({ 'aws:channel-arn': CHANNEL_ARN, 'aws:viewer-id': 'v', exp: 1e16 }),
    key.publicKeyPem,
  ),
);

// 17: the origin claim as a JSON array.
results.originArray = await outcome(
  tokens.verifyPlaybackToken(
    forged({ 'aws:channel-arn': CHANNEL_ARN, 'aws:access-control-allow-origin': ['https://a.example'], exp: now + 60 }),
    key.publicKeyPem,
  ),
);

// Issue 24: a participant token signs and verifies in each build, and its verify options fail closed.
{
  const stageArn = 'arn:aws:ivs:us-west-2:123456789012:stage/AbCdEfGh1234';
  const publicKeyArn = 'arn:aws:ivs:us-west-2:123456789012:public-key/AbCdEfGh1234';
  const participant = await tokens.signParticipantToken(key.privateKeyPem, {
    stageArn,
    publicKeyArn,
    eventsUrl: 'wss://global.events.live-video.net',
    whipUrl: 'https://f99084460c35.global-bm.whip.live-video.net',
    participantId: 'p-1',
  });
  const verified = await tokens.verifyParticipantToken(participant, key.publicKeyPem, { stageArn, publicKeyArn });
  results.participantRoundTrip = {
    header: JSON.parse(Buffer.from(participant.split('.')[0], 'base64url')),
    participantId: verified.participantId,
  };
  results.participantToleranceNaN = await outcome(
    tokens.verifyParticipantToken(participant, key.publicKeyPem, { clockToleranceSeconds: NaN }),
  );
}

process.stdout.write(`${JSON.stringify(results)}\n`);
// A stalled request may still hold a socket open; the answers are in.
process.exit(0);
