/**
 * Issue 21, items 11 and 12: the token signer through a Secrets Manager outage. moto's Secrets
 * Manager sits behind an endpoint that can stall every request (accept it, never answer) or throttle
 * it (400 ThrottlingException in Secrets Manager's JSON 1.1 shape), and a bare TCP server stands for a
 * network path that has gone silent. The signer's clock is one the test moves (ManualClock, jitter at
 * its least), so the refresh time, the read timeout and the backoff fall exactly where the test says,
 * however fast the machine is; only the requests themselves are real.
 */
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { generatePlaybackKeyPair, PlaybackKeyPairMaterial } from '../lib/backend/key-material';
import {
  PlaybackTokenSignerError,
  PlaybackTokenSignerOptions,
  playbackTokenSignerOn,
} from '../lib/backend/token-signer';
import { SecretsManagerFaults, SilentEndpoint, startSilentEndpoint } from '../tools/stand-ins/secrets-manager-faults';
import { ManualClock, settle } from './support/manual-clock';
import {
  CLAIMS,
  countingClient,
  CountingClient,
  rejection,
  rotate,
  secretValue,
  SecretsRig,
  signedBy,
  startSecretsRig,
} from './support/signer-rig';

jest.setTimeout(60_000);

let rig: SecretsRig;
let faulty: SecretsManagerFaults;
const clients: CountingClient[] = [];

beforeAll(async () => {
  rig = await startSecretsRig();
  faulty = await SecretsManagerFaults.start(rig.moto.endpoint);
});

beforeEach(() => {
  faulty.mode = 'pass';
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await faulty?.close();
  await rig?.stop();
});

/** A signer whose key was read once, through the faulty endpoint, on a clock the test moves. */
async function signerHoldingKey(options: Omit<PlaybackTokenSignerOptions, 'client' | 'secretId'> = {}) {
  const key = generatePlaybackKeyPair();
  const secretId = await rig.createSecret(secretValue(key, 1));
  const clock = new ManualClock();
  // One attempt per read, as the signer's default client makes.
  const counting = countingClient(faulty.endpoint, { maxAttempts: 1 });
  clients.push(counting);
  const failures: Error[] = [];
  const signer = playbackTokenSignerOn(clock, {
    secretId,
    client: counting.client,
    onReadFailure: (error) => failures.push(error),
    ...options,
  });
  expect(await signedBy(await signer.sign(CLAIMS), key)).toBe(true);
  return { key, secretId, clock, signer, failures, ...counting };
}

/** Signs `count` tokens one after another; each call must resolve (this fails the test if one waits on a read). */
async function signMany(signer: { sign(claims: typeof CLAIMS): Promise<string> }, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await resolvedNow(signer.sign(CLAIMS)));
  return tokens;
}

/** The promise's value, provided it settles before any I/O or timer does: signing with a held key waits on nothing. */
async function resolvedNow<T>(promise: Promise<T>): Promise<T> {
  const outcome = await Promise.race([promise.then((value) => ({ value })), settle().then(() => undefined)]);
  if (!outcome) throw new Error('sign() waited on something: it did not resolve before the next I/O callback');
  return outcome.value;
}

async function allSignedBy(tokens: string[], key: PlaybackKeyPairMaterial): Promise<boolean> {
  for (const token of tokens) if (!(await signedBy(token, key))) return false;
  return true;
}

/** Waits for real I/O the test cannot drive itself (a socket closing at the far end). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('11: a stalled read', () => {
  test('never holds up signing: the held key signs while the read hangs, the read is abandoned after readTimeoutSeconds, and the next waits for the backoff', async () => {
    const { key, secretId, clock, signer, failures, reads } = await signerHoldingKey({
      refreshAfterSeconds: 60,
      readTimeoutSeconds: 5,
    });
    faulty.mode = 'stall';
    clock.advanceSeconds(60);

    expect(await allSignedBy(await signMany(signer, 100), key)).toBe(true);
    await faulty.readsReach(2);
    expect(reads()).toBe(2);
    expect(faulty.unanswered).toBe(1);

    clock.advanceSeconds(4.999);
    await signMany(signer, 10);
    expect(failures).toEqual([]);
    clock.advanceSeconds(0.001);
    await settle();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(PlaybackTokenSignerError);
    expect(failures[0].message).toBe(
      `Reading the secret "${secretId}" timed out: no answer within readTimeoutSeconds (5)`,
    );
    // The abandoned request's socket is closed, not left open.
    await until(() => faulty.unanswered === 0);

    // The first backoff, with the jitter at its least: half a second, with no read meanwhile.
    clock.advanceSeconds(0.499);
    expect(await allSignedBy(await signMany(signer, 10), key)).toBe(true);
    expect(reads()).toBe(2);
    clock.advanceSeconds(0.001);
    await signMany(signer, 10);
    expect(reads()).toBe(3);
    await faulty.readsReach(3);
    expect(faulty.unanswered).toBe(1);
  });

  test('a network path that has gone silent (a TCP server that accepts and never answers): the first sign() fails after readTimeoutSeconds, and the calls during the backoff fail at once without a read', async () => {
    const silent: SilentEndpoint = await startSilentEndpoint();
    const counting = countingClient(silent.endpoint, { maxAttempts: 1 });
    clients.push(counting);
    try {
      const clock = new ManualClock();
      const signer = playbackTokenSignerOn(clock, { secretId: 'silent', client: counting.client });
      const first = rejection(signer.sign(CLAIMS));
      await until(() => silent.connections === 1);
      clock.advanceSeconds(2.999);
      await settle();
      expect(clock.pendingTimers).toBe(1);
      clock.advanceSeconds(0.001);

      const error = await first;
      expect(error).toBeInstanceOf(PlaybackTokenSignerError);
      expect(error.message).toBe('Reading the secret "silent" timed out: no answer within readTimeoutSeconds (3)');
      const again = await rejection(signer.sign(CLAIMS));
      expect(again.message).toMatch(
        /^No key to sign with yet \(1 failed read\); reads back off after failures, and the next starts in 1 s\. The last read failed: Reading the secret "silent" timed out/,
      );
      expect(counting.reads()).toBe(1);
      expect(silent.connections).toBe(1);
    } finally {
      await silent.close();
    }
  });
});

describe('12: an outage', () => {
  test('throttling: every token signs with the held key, and the reads are bounded by the backoff, not by the calls', async () => {
    const { key, secretId, clock, signer, failures, reads, readsSettled } = await signerHoldingKey({
      refreshAfterSeconds: 60,
    });
    faulty.mode = 'throttle';
    clock.advanceSeconds(60);

    // One viewer every 100 ms for 5 minutes: 3,000 signatures.
    const tokens: string[] = [];
    let readsSeen = reads();
    for (let step = 0; step < 3000; step++) {
      tokens.push(await resolvedNow(signer.sign(CLAIMS)));
      if (reads() !== readsSeen) {
        readsSeen = reads();
        await readsSettled();
      }
      clock.advance(100);
    }

    expect(await allSignedBy(tokens, key)).toBe(true);
    // With the jitter at its least, each wait is half its ceiling (1, 2, 4, 8, 16, then 30 s): reads at
    // 0, 0.5, 1.5, 3.5, 7.5 and 15.5 s, then every 15 s from 30.5 s: 24 in 300 s, one per sign() before.
    expect(reads() - 1).toBe(24);
    expect(failures).toHaveLength(24);
    for (const failure of failures) {
      expect(failure.message).toBe(`Reading the secret "${secretId}" failed: ThrottlingException: Rate exceeded`);
    }
  });

  test('a value that is not a key pair in AWSCURRENT: signing goes on with the held key, the bad value is reported to onReadFailure', async () => {
    const { key, secretId, clock, signer, failures, reads, readsSettled } = await signerHoldingKey({
      refreshAfterSeconds: 60,
    });
    await rig.admin.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: 'not json' }));
    clock.advanceSeconds(60);

    expect(await allSignedBy(await signMany(signer, 5), key)).toBe(true);
    await readsSettled();
    expect(await allSignedBy(await signMany(signer, 5), key)).toBe(true);
    expect(reads()).toBe(2);
    expect(failures.map((failure) => failure.message)).toEqual([
      `The AWSCURRENT value of the secret "${secretId}" is not a playback key pair: it is not JSON. ` +
        'Expected JSON {"privateKeyPem": <PKCS#8 PEM>, "publicKeyPem": ..., "fingerprint": ..., "generation": ..., ' +
        '"playbackKeyPairArn": ...}, ' +
        'as GeneratedPlaybackKeyPair writes it (only privateKeyPem is required).',
    ]);
  });

  test('past maxKeyAgeSeconds, sign() fails saying why, without reading while it backs off; the first read that succeeds lets it sign again, with the new key', async () => {
    const { secretId, clock, signer, reads, readsSettled } = await signerHoldingKey({
      refreshAfterSeconds: 60,
      maxKeyAgeSeconds: 120,
    });
    faulty.mode = 'throttle';
    clock.advanceSeconds(60);
    let readsSeen = reads();
    for (let second = 60; second < 120; second++) {
      await resolvedNow(signer.sign(CLAIMS));
      if (reads() !== readsSeen) {
        readsSeen = reads();
        await readsSettled();
      }
      clock.advanceSeconds(1);
    }
    // 120 s after the key was read. Each read comes at the first whole second after its wait: 0, 1, 2, 4, 8,
    // 16, 31 and 46 s into the outage; the next is due at 61 s.
    const readsBefore = reads();
    expect(readsBefore - 1).toBe(8);
    const error = await rejection(signer.sign(CLAIMS));
    expect(error).toBeInstanceOf(PlaybackTokenSignerError);
    expect(error.message).toBe(
      `The key read from the secret "${secretId}" 120 s ago is older than maxKeyAgeSeconds (120), and no read ` +
        'since has succeeded (8 failed reads in a row); reads back off after failures, and the next starts in 1 s. ' +
        `The last read failed: Reading the secret "${secretId}" failed: ThrottlingException: Rate exceeded`,
    );
    expect(error.cause).toBeInstanceOf(PlaybackTokenSignerError);
    expect(reads()).toBe(readsBefore);

    const next = generatePlaybackKeyPair();
    faulty.mode = 'pass';
    await rotate(rig.admin, secretId, next, 2);
    clock.advanceSeconds(0.999);
    await expect(signer.sign(CLAIMS)).rejects.toThrow(/the next starts in 1 s/);
    expect(reads()).toBe(readsBefore);
    clock.advanceSeconds(0.001);
    expect(await signedBy(await signer.sign(CLAIMS), next)).toBe(true);
    expect(reads()).toBe(readsBefore + 1);
  });

  test('past maxKeyAgeSeconds with a read in flight, every call waits for that one read and fails with it, naming the bound', async () => {
    const { secretId, clock, signer, reads } = await signerHoldingKey({
      refreshAfterSeconds: 60,
      maxKeyAgeSeconds: 62,
      readTimeoutSeconds: 5,
    });
    faulty.mode = 'stall';
    clock.advanceSeconds(60);
    await signMany(signer, 1);
    clock.advanceSeconds(3);
    const waiting = Array.from({ length: 5 }, () => rejection(signer.sign(CLAIMS)));
    clock.advanceSeconds(2);

    for (const error of await Promise.all(waiting)) {
      expect(error).toBeInstanceOf(PlaybackTokenSignerError);
      expect(error.message).toBe(
        `The key read from the secret "${secretId}" 65 s ago is older than maxKeyAgeSeconds (62), and no read since ` +
          `has succeeded. The last read failed: Reading the secret "${secretId}" timed out: no answer within readTimeoutSeconds (5)`,
      );
    }
    expect(reads()).toBe(2);
  });

  test('the default bound is an hour: the held key signs through 59 minutes of throttling, and not after 60', async () => {
    const { clock, signer, reads, readsSettled } = await signerHoldingKey();
    faulty.mode = 'throttle';
    clock.advanceSeconds(300);
    let readsSeen = reads();
    for (let second = 300; second < 3600; second += 5) {
      await resolvedNow(signer.sign(CLAIMS));
      if (reads() !== readsSeen) {
        readsSeen = reads();
        await readsSettled();
      }
      clock.advanceSeconds(5);
    }
    await expect(signer.sign(CLAIMS)).rejects.toThrow(/ 3600 s ago is older than maxKeyAgeSeconds \(3600\)/);
  });
});
