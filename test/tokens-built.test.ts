/**
 * Issue 21's `./tokens` items against the built package, in both its builds: each check runs in a
 * fresh Node.js process that loads lib/tokens.mjs with `import` or lib/tokens.js with `require`
 * (test/support/built-tokens-check.mjs), with moto's Secrets Manager behind an endpoint that stalls
 * or throttles after the first read, and a TCP server that never answers. The same situations, with a
 * clock the test moves, are in token-signer-outage.test.ts and playback-token-hardening.test.ts; here
 * the timings are real but no assertion depends on them (a stalled read keeps a sign() waiting forever,
 * not for a while).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { generatePlaybackKeyPair } from '../lib/backend/key-material';
import { SecretsManagerFaults, SilentEndpoint, startSilentEndpoint } from '../tools/stand-ins/secrets-manager-faults';
import { CREDENTIALS, secretValue, SecretsRig, startSecretsRig } from './support/signer-rig';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..');
const CHECK = path.join(__dirname, 'support', 'built-tokens-check.mjs');

let rig: SecretsRig;
let silent: SilentEndpoint;
let secretId: string;

beforeAll(async () => {
  rig = await startSecretsRig();
  silent = await startSilentEndpoint();
  secretId = await rig.createSecret(secretValue(generatePlaybackKeyPair(), 1));
});

afterAll(async () => {
  await silent?.close();
  await rig?.stop();
});

describe.each(['import', 'require'])('the built package, loaded with %s', (format) => {
  let results: Record<string, unknown>;
  const faulty: SecretsManagerFaults[] = [];

  beforeAll(async () => {
    const stall = await SecretsManagerFaults.start(rig.moto.endpoint);
    const throttle = await SecretsManagerFaults.start(rig.moto.endpoint);
    faulty.push(stall, throttle);
    stall.modeFromRead(2, 'stall');
    throttle.modeFromRead(2, 'throttle');
    const { stdout } = await promisify(execFile)(process.execPath, [CHECK, format, ROOT], {
      env: {
        PATH: process.env.PATH,
        STALL_ENDPOINT: stall.endpoint,
        THROTTLE_ENDPOINT: throttle.endpoint,
        SILENT_ENDPOINT: silent.endpoint,
        SECRET_ID: secretId,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    results = JSON.parse(stdout);
  });

  afterAll(async () => {
    for (const endpoint of faulty) await endpoint.close();
  });

  test('11: with a key held, sign() does not wait on a stalled refresh, which is the only read', () => {
    expect(results.stalledRefresh).toEqual({ signedAtOnce: 20, reads: 2 });
  });

  test('11: a first read that never gets an answer fails after readTimeoutSeconds', () => {
    expect(results.silentFirstRead).toBe(
      'PlaybackTokenSignerError: Reading the secret "silent" timed out: no answer within readTimeoutSeconds (0.2)',
    );
  });

  test('12: throttling once the refresh is due: every token signs with the held key, and the reads back off', () => {
    const { signed, failed, reads } = results.throttledRefresh as Record<string, number>;
    expect({ signed, failed }).toEqual({ signed: 200, failed: 0 });
    // The first read, then at most one per backoff (0.5 s, 1 s, 2 s, ...) while 200 tokens are signed.
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(10);
  });

  test('13: verify options that would turn the time checks off throw', () => {
    expect(results.toleranceNaN).toMatch(
      /^PlaybackTokenError: verifyPlaybackToken's option clockToleranceSeconds must be a finite number/,
    );
    expect(results.invalidCurrentDate).toMatch(
      /^PlaybackTokenError: verifyPlaybackToken's option currentDate must be a valid Date/,
    );
  });

  test('14: a signature with one more character is refused', () => {
    expect(results.extraSignatureCharacter).toMatch(
      /^PlaybackTokenError: Playback token rejected: its signature is not canonical base64url/,
    );
  });

  test('15: exp out of bounds is refused on sign and verify, naming exp', () => {
    expect(results.absoluteTimeAsExpiresIn).toMatch(/^PlaybackTokenError: exp would be 1800000000 seconds/);
    expect(results.viewerIdExpBeyondDates).toMatch(/^PlaybackTokenError: Playback token rejected: its "exp" claim is/);
  });

  test('17: the origin claim as a JSON array is refused', () => {
    expect(results.originArray).toMatch(
      /^PlaybackTokenError: The token's claim "aws:access-control-allow-origin" must be a string/,
    );
  });

  test('24: a participant token signs with its kid and verifies; its options fail closed', () => {
    expect(results.participantRoundTrip).toEqual({
      header: { alg: 'ES384', typ: 'JWT', kid: 'arn:aws:ivs:us-west-2:123456789012:public-key/AbCdEfGh1234' },
      participantId: 'p-1',
    });
    expect(results.participantToleranceNaN).toMatch(
      /^ParticipantTokenError: verifyParticipantToken's option clockToleranceSeconds must be a finite number/,
    );
  });
});
