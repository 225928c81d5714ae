/**
 * The Python signer of docs/viewer-token-backends.md, run as written (one block: sign_playback_token and PlaybackTokenSigner)
 * with the Python of tools/python/.venv against moto's Secrets Manager, directly or behind an endpoint
 * that stalls or throttles after the first read, and against a TCP server that never answers. Each
 * driver below runs after the block in the same module; it rebinds the block's `time.monotonic` and
 * `random.random` to a clock it moves and a jitter at its least, so the refresh time and the backoff
 * fall where the test says; only the reads are real. Every token is checked with verifyPlaybackToken.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { generatePlaybackKeyPair, PlaybackKeyPairMaterial } from '../lib/backend/key-material';
import {
  SecretsManagerFaults,
  SecretsManagerMode,
  startSilentEndpoint,
} from '../tools/stand-ins/secrets-manager-faults';
import { CHANNEL_ARN, CREDENTIALS, secretValue, SecretsRig, signedBy, startSecretsRig } from './support/signer-rig';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..');
const PYTHON = path.join(ROOT, 'tools', 'python', '.venv', 'bin', 'python');

/** Runs after the docs page's block: a clock the driver moves, the jitter at its least, and helpers. */
const DRIVER_PRELUDE = `
import sys
import types

clock = [1_000_000]  # milliseconds, whole: no drift over many steps
time = types.SimpleNamespace(monotonic=lambda: clock[0] / 1000, time=__import__("time").time)
random = types.SimpleNamespace(random=lambda: 0.0)
CHANNEL = sys.argv[1]


def advance(seconds):
    clock[0] += round(seconds * 1000)


def settle(signer):
    """Waits until the signer's read, if one runs, has answered or failed."""
    with signer._changed:
        signer._changed.wait_for(lambda: not signer._reading)


def report(**values):
    print(json.dumps(values), flush=True)


def error_of(call):
    try:
        call()
    except PlaybackTokenSignerError as error:
        return f"{type(error).__name__}: {error}"
    return "signed"
`;

/** One read for many tokens; after refresh_after, the held key signs while the read runs, then the new key. */
const ROTATION_DRIVER = `
s = PlaybackTokenSigner(os.environ["PLAYBACK_KEY_SECRET_ARN"], refresh_after=60)
report(tokens=[s.sign(CHANNEL) for _ in range(5)])
sys.stdin.readline()  # the test has rotated the secret
advance(59.9)
within = s.sign(CHANNEL)
advance(0.1)
during = s.sign(CHANNEL)
settle(s)
report(within=within, during=during, after=s.sign(CHANNEL))
`;

/** Throttled from the second read: 60 s of signing (every 100 ms), then max_key_age passes. */
const THROTTLE_DRIVER = `
s = PlaybackTokenSigner(os.environ["PLAYBACK_KEY_SECRET_ARN"], refresh_after=60, max_key_age=120)
first = s.sign(CHANNEL)
advance(60)
tokens = []
for _ in range(600):
    tokens.append(s.sign(CHANNEL))
    settle(s)
    advance(0.1)
report(first=first, tokens=tokens[::50], signed=len(tokens), failures=s._failures, past_bound=error_of(lambda: s.sign(CHANNEL)))
`;

/** Stalled from the second read: signing goes on while the read hangs; the test drops it; the backoff follows. */
const STALL_DRIVER = `
s = PlaybackTokenSigner(os.environ["PLAYBACK_KEY_SECRET_ARN"], refresh_after=60, read_timeout=30)
s.sign(CHANNEL)
advance(60)
tokens = [s.sign(CHANNEL) for _ in range(20)]
report(tokens=tokens, reading=s._reading)
sys.stdin.readline()  # the test has dropped the stalled connection
settle(s)
advance(0.49)
s.sign(CHANNEL)
reading_within_backoff = s._reading
advance(0.01)
s.sign(CHANNEL)
report(failures=s._failures, last_error=type(s._last_error).__name__, reading_within_backoff=reading_within_backoff, reading_after_backoff=s._reading)
sys.stdin.readline()  # the test has seen the third read arrive
`;

/** A server that never answers, and no key yet: the first sign() fails after read_timeout, the next at once. */
const SILENT_DRIVER = `
s = PlaybackTokenSigner(os.environ["PLAYBACK_KEY_SECRET_ARN"], read_timeout=0.5)
report(first=error_of(lambda: s.sign(CHANNEL)), again=error_of(lambda: s.sign(CHANNEL)))
`;

let rig: SecretsRig;

beforeAll(async () => {
  rig = await startSecretsRig();
});

afterAll(async () => {
  await rig?.stop();
});

function readmeSnippet(marker: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'docs', 'viewer-token-backends.md'), 'utf8');
  const snippets = [...readme.matchAll(/^( *)```python\n([\s\S]*?)^ *```/gm)]
    .map(([, indent, code]) =>
      code
        .split('\n')
        .map((line) => line.slice(indent.length))
        .join('\n'),
    )
    .filter((code) => code.includes(marker));
  expect(snippets).toHaveLength(1);
  return snippets[0];
}

/** The docs page's block and a driver, as one Python process talking JSON lines; no region in its environment. */
function startPython(driver: string, secretArn: string, endpoint: string) {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-python-')), 'backend.py');
  fs.writeFileSync(script, [readmeSnippet('class PlaybackTokenSigner'), DRIVER_PRELUDE, driver].join('\n'));
  const python: ChildProcessWithoutNullStreams = spawn(PYTHON, [script, CHANNEL_ARN], {
    env: {
      PATH: process.env.PATH,
      PLAYBACK_KEY_SECRET_ARN: secretArn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  let stderr = '';
  python.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => python.once('exit', resolve));
  const lines = createInterface({ input: python.stdout })[Symbol.asyncIterator]();
  return {
    nextLine: async <T>(): Promise<T> => {
      const { value, done } = await lines.next();
      if (done) throw new Error(`the Python backend stopped: ${stderr}`);
      return JSON.parse(value) as T;
    },
    tell: (line: string) => python.stdin.write(`${line}\n`),
    finished: async () => {
      python.stdin.end();
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
    },
  };
}

async function secretArn(key: PlaybackKeyPairMaterial): Promise<string> {
  const { ARN } = await rig.admin.send(
    new CreateSecretCommand({
      Name: `python-backend-key-${Math.random().toString(36).slice(2)}`,
      SecretString: secretValue(key, 1),
    }),
  );
  return ARN!;
}

async function withFaults<T>(
  mode: SecretsManagerMode,
  run: (endpoint: SecretsManagerFaults) => Promise<T>,
): Promise<T> {
  const endpoint = await SecretsManagerFaults.start(rig.moto.endpoint);
  endpoint.modeFromRead(2, mode);
  try {
    return await run(endpoint);
  } finally {
    await endpoint.close();
  }
}

test("the README's Python signer reads the secret once per refresh time and follows a rotation without waiting on the read, with the region from the secret's ARN", async () => {
  const [first, second] = [generatePlaybackKeyPair(), generatePlaybackKeyPair()];
  const arn = await secretArn(first);
  await withFaults('pass', async (endpoint) => {
    const python = startPython(ROTATION_DRIVER, arn, endpoint.endpoint);
    const before = await python.nextLine<{ tokens: string[] }>();
    expect(endpoint.reads).toBe(1);
    await rig.admin.send(new PutSecretValueCommand({ SecretId: arn, SecretString: secretValue(second, 2) }));
    python.tell('rotated');
    const after = await python.nextLine<{ within: string; during: string; after: string }>();
    await python.finished();

    for (const token of before.tokens) expect(await signedBy(token, first)).toBe(true);
    // Within refresh_after, and while the read runs: the held key.
    expect(await signedBy(after.within, first)).toBe(true);
    expect(await signedBy(after.during, first)).toBe(true);
    expect(await signedBy(after.after, second)).toBe(true);
    expect(endpoint.reads).toBe(2);
  });
});

test('throttled: every token signs with the held key, the reads follow the backoff, and past max_key_age sign() raises saying why', async () => {
  const key = generatePlaybackKeyPair();
  const arn = await secretArn(key);
  await withFaults('throttle', async (endpoint) => {
    const python = startPython(THROTTLE_DRIVER, arn, endpoint.endpoint);
    const result = await python.nextLine<{
      first: string;
      tokens: string[];
      signed: number;
      failures: number;
      past_bound: string;
    }>();
    await python.finished();

    expect(result.signed).toBe(600);
    for (const token of [result.first, ...result.tokens]) expect(await signedBy(token, key)).toBe(true);
    // As the TypeScript signer: reads at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 30.5 and 45.5 s into the outage.
    expect(endpoint.reads - 1).toBe(8);
    expect(result.failures).toBe(8);
    expect(result.past_bound).toBe(
      `PlaybackTokenSignerError: The key read from the secret ${arn} 120 s ago is older than max_key_age (120) ` +
        `(failed reads in a row: 8; the last: ClientError('An error occurred (ThrottlingException) when calling the ` +
        `GetSecretValue operation (reached max retries: 0): Rate exceeded')); the next read starts in 0.5 s`,
    );
  });
});

test('stalled: sign() does not wait on the read that hangs; once it fails, the next read waits for the backoff', async () => {
  const key = generatePlaybackKeyPair();
  const arn = await secretArn(key);
  await withFaults('stall', async (endpoint) => {
    const python = startPython(STALL_DRIVER, arn, endpoint.endpoint);
    const during = await python.nextLine<{ tokens: string[]; reading: boolean }>();
    // The read hangs (read_timeout is 30 s): 20 tokens were signed while it did.
    expect(during.reading).toBe(true);
    // The background thread's request may reach the endpoint after the tokens were printed.
    await endpoint.readsReach(2);
    expect(endpoint.unanswered).toBe(1);
    for (const token of during.tokens) expect(await signedBy(token, key)).toBe(true);
    endpoint.dropUnanswered();
    python.tell('dropped');
    const after = await python.nextLine<Record<string, unknown>>();
    await endpoint.readsReach(3);
    await python.finished();

    expect(after).toEqual({
      failures: 1,
      last_error: expect.stringMatching(/Error$/),
      reading_within_backoff: false,
      reading_after_backoff: true,
    });
    expect(endpoint.reads).toBe(3);
  });
});

test('a server that never answers, and no key yet: the first sign() raises after read_timeout, the next at once without a read', async () => {
  const silent = await startSilentEndpoint();
  try {
    const arn = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:silent-AbCdEf';
    const python = startPython(SILENT_DRIVER, arn, silent.endpoint);
    const result = await python.nextLine<{ first: string; again: string }>();
    await python.finished();

    expect(result.first).toMatch(
      new RegExp(
        `^PlaybackTokenSignerError: No key read from the secret ${arn} yet \\(failed reads in a row: 1; the last: ReadTimeoutError\\(.*Read timeout`,
      ),
    );
    expect(result.again).toMatch(/; the next read starts in 0\.5 s$/);
    expect(silent.connections).toBe(1);
  } finally {
    await silent.close();
  }
});
