/**
 * The two backends of docs/participant-tokens.md and the README's Python sketch, run as written: the JavaScript one (type-checked under strict by
 * readme-snippets.test.ts) as an ES module importing the built package, on Node.js; the Python one with
 * tools/python/.venv's boto3 and PyJWT. Both read a stage key's secret (the format GeneratedStagePublicKey writes)
 * from moto's Secrets Manager and the stage from the IVS stand-in's GetStage, each pointed at by the SDKs' endpoint
 * variables (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_IVS_REALTIME), and every token they sign is checked
 * with verifyParticipantToken.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { generatePlaybackKeyPair } from '../lib/backend/key-material';
import { verifyParticipantToken } from '../lib/backend/participant-token';
import { IvsStandIn, StandInStage } from '../tools/stand-ins/ivs-stand-in';
import { CREDENTIALS, REGION, SecretsRig, startSecretsRig } from './support/signer-rig';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..');
const PAGE = path.join(ROOT, 'docs', 'participant-tokens.md');
const PYTHON = path.join(ROOT, 'tools', 'python', '.venv', 'bin', 'python');
const PACKAGE_NAME = 'cdk-ivs-playback-key-pair';

let rig: SecretsRig;
let ivs: IvsStandIn;
let stage: StandInStage;
let secretId: string;
const key = generatePlaybackKeyPair();
let publicKeyArn: string;
let workDir: string;

beforeAll(async () => {
  rig = await startSecretsRig();
  ivs = await IvsStandIn.start();
  publicKeyArn = ivs.realTime.importAsSomeoneElse(key.publicKeyPem).arn;
  stage = ivs.createStage('room');
  secretId = await rig.createSecret(JSON.stringify({ ...key, generation: 1, publicKeyArn }));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'participant-tokens-doc-'));
  // The package as a backend's dependency, resolved through its package.json `exports` (the built lib/tokens.mjs).
  fs.mkdirSync(path.join(workDir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(workDir, 'node_modules', PACKAGE_NAME), 'dir');
});

afterAll(async () => {
  fs.rmSync(workDir, { recursive: true, force: true });
  await ivs?.stop();
  await rig?.stop();
});

beforeEach(() => ivs.resetCalls());

/** The page's one block of `language`, its list-item indentation removed. */
function block(language: string): string {
  const page = fs.readFileSync(PAGE, 'utf8');
  const blocks = [...page.matchAll(new RegExp(`^( *)\`\`\`${language}\\n([\\s\\S]*?)^ *\`\`\``, 'gm'))].map(
    ([, indent, code]) =>
      code
        .split('\n')
        .map((line) => line.slice(indent.length))
        .join('\n'),
  );
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

/** What the backends' SDKs need: moto and the stand-in by endpoint variables, fake credentials, no config files. */
function backendEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...ivs.clientEnvironment(),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: rig.moto.endpoint,
    // The secret's region (moto keeps one store per region); the stage's region comes from its ARN.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    STAGE_KEY_SECRET_ARN: secretId,
    STAGE_ARN: stage.arn,
  };
}

async function verified(token: string) {
  return verifyParticipantToken(token, key.publicKeyPem, { stageArn: stage.arn, publicKeyArn });
}

test('the JavaScript backend signs with the key and kid of the secret and the endpoints of GetStage', async () => {
  fs.writeFileSync(path.join(workDir, 'handler.mjs'), block('js'));
  const driver = `
import { handler } from './handler.mjs';
const host = await handler({ userId: 'user-1', displayName: 'Ana', host: true });
const guest = await handler({ userId: 'user-2', displayName: 'Bo', host: false });
console.log(JSON.stringify([host.token, guest.token]));
`;
  fs.writeFileSync(path.join(workDir, 'driver.mjs'), driver);
  const { stdout } = await promisify(execFile)(process.execPath, ['driver.mjs'], {
    cwd: workDir,
    env: backendEnvironment(),
  });
  const [host, guest] = JSON.parse(stdout) as string[];

  const hostClaims = await verified(host);
  expect(hostClaims).toMatchObject({
    publicKeyArn,
    stageId: stage.arn.split('/')[1],
    eventsUrl: stage.endpoints.events,
    whipUrl: stage.endpoints.whip,
    userId: 'user-1',
    attributes: { displayName: 'Ana' },
    capabilities: { publish: true, subscribe: true },
  });
  expect(hostClaims.expiresAt.getTime() - hostClaims.issuedAt.getTime()).toBe(3_600_000);
  expect(await verified(guest)).toMatchObject({ userId: 'user-2', capabilities: { publish: false, subscribe: true } });
  // One GetStage for both tokens.
  expect(ivs.realTime.calls.map((call) => call.operation)).toEqual(['GetStage']);
});

test('the Python backend (boto3, PyJWT) signs a token verifyParticipantToken accepts', async () => {
  const script = path.join(workDir, 'backend.py');
  const driver = `
import os
signer = ParticipantTokenSigner(os.environ["STAGE_KEY_SECRET_ARN"])
stage = os.environ["STAGE_ARN"]
print(json.dumps([
    signer.sign(stage, user_id="py-user", attributes={"displayName": "Ana"}, publish=False, expires_in=600),
    signer.sign(stage),
]))
`;
  fs.writeFileSync(script, `${block('python')}\n${driver}`);
  const { stdout } = await promisify(execFile)(PYTHON, [script], { env: backendEnvironment() });
  const [first, second] = JSON.parse(stdout) as string[];

  const header = JSON.parse(Buffer.from(first.split('.')[0], 'base64url').toString());
  expect(header).toEqual({ alg: 'ES384', typ: 'JWT', kid: publicKeyArn });
  const firstClaims = await verified(first);
  expect(firstClaims).toMatchObject({
    publicKeyArn,
    eventsUrl: stage.endpoints.events,
    whipUrl: stage.endpoints.whip,
    userId: 'py-user',
    attributes: { displayName: 'Ana' },
    capabilities: { publish: false, subscribe: true },
  });
  expect(firstClaims.expiresAt.getTime() - firstClaims.issuedAt.getTime()).toBe(600_000);
  const secondClaims = await verified(second);
  expect(secondClaims).toMatchObject({ capabilities: { publish: true, subscribe: true } });
  expect(secondClaims.userId).toBeUndefined();
  expect(secondClaims.participantId).not.toBe(firstClaims.participantId);
  expect(ivs.realTime.calls.map((call) => call.operation)).toEqual(['GetStage']);
});

test("the README's Python participant-token sketch (boto3, PyJWT) signs a token verifyParticipantToken accepts", async () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const sketches = [...readme.matchAll(/^```python\n([\s\S]*?)^```/gm)]
    .map(([, code]) => code)
    .filter((code) => code.includes('def participant_token'));
  expect(sketches).toHaveLength(1);
  const script = path.join(workDir, 'readme_backend.py');
  fs.writeFileSync(script, `${sketches[0]}\nprint(participant_token(os.environ["STAGE_ARN"], "readme-user"))\n`);
  const { stdout } = await promisify(execFile)(PYTHON, [script], { env: backendEnvironment() });
  const token = stdout.trim();

  expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({
    alg: 'ES384',
    typ: 'JWT',
    kid: publicKeyArn,
  });
  const claims = await verified(token);
  expect(claims).toMatchObject({
    publicKeyArn,
    stageId: stage.arn.split('/')[1],
    eventsUrl: stage.endpoints.events,
    whipUrl: stage.endpoints.whip,
    userId: 'readme-user',
    capabilities: { publish: true, subscribe: true },
  });
  expect(claims.expiresAt.getTime() - claims.issuedAt.getTime()).toBe(3_600_000);
});
