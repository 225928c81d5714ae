// Signs viewer tokens as fast as it can, four ways side by side, on the Lambda runtime's Node.js
// (spawned by scripts/bench/token-performance.ts): signPlaybackToken with the PEM, the Secrets
// Manager signer with its cache warm, jose directly with its key imported once, and the floor, raw
// node:crypto over a hand-built header and payload with a KeyObject parsed once. Then participant
// tokens of IVS Real-Time stages, three ways: signParticipantToken with the PEM, the participant token
// signer with its key warm and the stage's endpoints passed, and their floor, raw node:crypto over the
// same header (with kid) and payload. Rounds interleave all the ways, so load on the machine hits them
// alike. Writes one JSON line:
// { node, tokensPerRound, rates: { <way>: [tokens/s per round] }, secretReads }.
//
// Environment: TOKENS_MODULE (file of the ./tokens build to load), PLAYBACK_PRIVATE_KEY,
// PLAYBACK_PUBLIC_KEY, BENCH_CHANNEL_ARN, BENCH_TOKENS, BENCH_ROUNDS, and for the signers
// SECRETS_ENDPOINT + SECRET_ID and PARTICIPANT_SECRET_ID (moto's Secrets Manager, holding the same key;
// the participant one with BENCH_PUBLIC_KEY_ARN), BENCH_STAGE_ARN.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { importPKCS8, SignJWT } from 'jose';

const env = process.env;
const tokens = await import(pathToFileURL(env.TOKENS_MODULE).href);
const channelArn = env.BENCH_CHANNEL_ARN;
const perRound = Number(env.BENCH_TOKENS);
const rounds = Number(env.BENCH_ROUNDS);
const pem = env.PLAYBACK_PRIVATE_KEY;

// The floor: what signing one token costs at the least.
const ENCODED_HEADER = Buffer.from('{"alg":"ES384","typ":"JWT"}').toString('base64url');
const floorKey = createPrivateKey(pem);
function floorToken() {
  const payload = Buffer.from(
    `{"aws:channel-arn":${JSON.stringify(channelArn)},"exp":${Math.floor(Date.now() / 1000) + 300}}`,
  ).toString('base64url');
  const input = `${ENCODED_HEADER}.${payload}`;
  return `${input}.${sign('sha384', Buffer.from(input), { key: floorKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const joseKey = await importPKCS8(pem, 'ES384');
const claims = { channelArn, expiresIn: 300 };

let secretReads = 0;
let signer;
if (typeof tokens.createPlaybackTokenSigner === 'function') {
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    endpoint: env.SECRETS_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetSecretValueCommand') secretReads++;
      return next(args);
    },
    { step: 'initialize', name: 'countReads' },
  );
  signer = tokens.createPlaybackTokenSigner({ secretId: env.SECRET_ID, client });
  await signer.sign(claims); // warms the cache: one read, before anything is timed
}

// Participant tokens, when the build has them (BENCH_TOKENS_PACKAGE_ROOT may name an older one).
const stageArn = env.BENCH_STAGE_ARN;
const publicKeyArn = env.BENCH_PUBLIC_KEY_ARN;
const eventsUrl = 'wss://global.events.live-video.net';
const whipUrl = 'https://f99084460c35.global-bm.whip.live-video.net';
const participantClaims = { stageArn, publicKeyArn, eventsUrl, whipUrl, userId: 'bench-user' };
const PARTICIPANT_HEADER = Buffer.from(JSON.stringify({ alg: 'ES384', typ: 'JWT', kid: publicKeyArn })).toString(
  'base64url',
);
/** The participant floor: the same header and claims as signParticipantToken's, built by hand and signed. */
function participantFloorToken() {
  const iat = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(
    JSON.stringify({
      exp: iat + 43_200,
      iat,
      jti: randomUUID(),
      resource: stageArn,
      topic: stageArn.slice(stageArn.lastIndexOf('/') + 1),
      events_url: eventsUrl,
      whip_url: whipUrl,
      capabilities: { allow_publish: true, allow_subscribe: true },
      version: '1.0',
      user_id: 'bench-user',
    }),
  ).toString('base64url');
  const input = `${PARTICIPANT_HEADER}.${payload}`;
  return `${input}.${sign('sha384', Buffer.from(input), { key: floorKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}
let participantWays = {};
if (typeof tokens.signParticipantToken === 'function') {
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    endpoint: env.SECRETS_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const participantSigner = tokens.createParticipantTokenSigner({ secretId: env.PARTICIPANT_SECRET_ID, client });
  const { publicKeyArn: _fromSecret, ...signerClaims } = participantClaims;
  await participantSigner.sign(signerClaims); // warms the key: one read, before anything is timed
  participantWays = {
    participantFloor: () => participantFloorToken(),
    signParticipantToken: () => tokens.signParticipantToken(pem, participantClaims),
    participantSigner: () => participantSigner.sign(signerClaims),
  };
}

const ways = {
  floor: () => floorToken(),
  signPlaybackToken: () => tokens.signPlaybackToken(pem, claims),
  ...(signer ? { signer: () => signer.sign(claims) } : {}),
  jose: () =>
    new SignJWT({ 'aws:channel-arn': channelArn })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
      .setExpirationTime('300s')
      .sign(joseKey),
  ...participantWays,
};

// Every way's token must be one IVS accepts, checked before timing.
for (const [way, signOne] of Object.entries(ways)) {
  if (way in participantWays) {
    const verified = await tokens.verifyParticipantToken(await signOne(), env.PLAYBACK_PUBLIC_KEY, {
      stageArn,
      publicKeyArn,
    });
    if (verified.userId !== 'bench-user') throw new Error(`${way} signed a token for ${verified.userId}`);
    continue;
  }
  const verified = await tokens.verifyPlaybackToken(await signOne(), env.PLAYBACK_PUBLIC_KEY);
  if (verified.channelArn !== channelArn) throw new Error(`${way} signed a token for ${verified.channelArn}`);
}

const rates = Object.fromEntries(Object.keys(ways).map((way) => [way, []]));
const names = Object.keys(ways);
for (let round = 0; round < rounds; round++) {
  // A different way goes first each round.
  for (const way of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
    const signOne = ways[way];
    const started = performance.now();
    for (let i = 0; i < perRound; i++) await signOne();
    rates[way].push(perRound / ((performance.now() - started) / 1000));
  }
}
process.stdout.write(`${JSON.stringify({ node: process.version, tokensPerRound: perRound, rates, secretReads })}\n`);
