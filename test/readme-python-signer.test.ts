/**
 * The Python backend of docs/viewer-token-backends.md, run as written (its PyJWT snippet and its boto3 signer) with
 * the Python of tools/python/.venv against moto's Secrets Manager: one read for many tokens, a rotation
 * seen after refresh_after, and every token verified with verifyPlaybackToken.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { generatePlaybackKeyPair, PlaybackKeyPairMaterial } from '../lib/backend/key-material';
import { verifyPlaybackToken } from '../lib/backend/playback-token';
import { MotoServer, startMotoServer } from '../tools/stand-ins/moto-server';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..');
const PYTHON = path.join(ROOT, 'tools', 'python', '.venv', 'bin', 'python');
const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGh1234';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** Drives the snippets: five tokens, then (after the test rotates the secret and says so) one more after refresh_after. */
const DRIVER = `
import sys
signer = PlaybackTokenSigner(os.environ["PLAYBACK_KEY_SECRET_ARN"], refresh_after=1.0)
reads = []
signer._client.meta.events.register("before-call.secrets-manager.GetSecretValue", lambda **_: reads.append(1))
print(json.dumps({"tokens": [signer.sign(sys.argv[1]) for _ in range(5)], "reads": len(reads)}), flush=True)
sys.stdin.readline()
time.sleep(1.1)
print(json.dumps({"tokens": [signer.sign(sys.argv[1])], "reads": len(reads)}), flush=True)
`;

let moto: MotoServer;
let admin: SecretsManagerClient;

beforeAll(async () => {
  moto = await startMotoServer();
  admin = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-west-2', credentials: CREDENTIALS });
});

afterAll(async () => {
  admin?.destroy();
  await moto?.stop();
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

const secretValue = (key: PlaybackKeyPairMaterial, generation: number) => JSON.stringify({ ...key, generation });

async function signedBy(token: string, key: PlaybackKeyPairMaterial): Promise<boolean> {
  return verifyPlaybackToken(token, key.publicKeyPem).then(
    (verified) => verified.channelArn === CHANNEL_ARN,
    () => false,
  );
}

test("the README's Python signer reads the secret once per refresh time and follows a rotation", async () => {
  const first = generatePlaybackKeyPair();
  const second = generatePlaybackKeyPair();
  const { ARN } = await admin.send(
    new CreateSecretCommand({ Name: 'python-backend-key', SecretString: secretValue(first, 1) }),
  );
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-python-')), 'backend.py');
  fs.writeFileSync(
    script,
    [readmeSnippet('import jwt'), readmeSnippet('class PlaybackTokenSigner'), DRIVER].join('\n'),
  );

  const python = spawn(PYTHON, [script, CHANNEL_ARN], {
    env: {
      PATH: process.env.PATH,
      PLAYBACK_KEY_SECRET_ARN: ARN!,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  python.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => python.once('exit', resolve));
  const lines = createInterface({ input: python.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the Python backend stopped: ${stderr}`);
    return JSON.parse(value) as { tokens: string[]; reads: number };
  };

  const before = await nextLine();
  await admin.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: secretValue(second, 2) }));
  python.stdin.end('rotated\n');
  const after = await nextLine();

  expect(await exited).toBe(0);
  expect(stderr).toBe('');
  expect(before.reads).toBe(1);
  for (const token of before.tokens) expect(await signedBy(token, first)).toBe(true);
  expect(after.reads).toBe(2);
  expect(await signedBy(after.tokens[0], second)).toBe(true);
  expect(await signedBy(after.tokens[0], first)).toBe(false);
});
