/**
 * Scheduled rotation (issue 23): Secrets Manager's four rotation steps, played by the rotation driver
 * (moto cannot invoke a Lambda), against the shipped handler bundle on the Lambda runtime's Node.js,
 * with the IVS stand-in and moto's real Secrets Manager, for both kinds of generated key; and the
 * CloudFormation events of the same resource before and after. After every step that succeeds the
 * invariant of `RotationDriver.expectInSync` holds.
 */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { verifyPlaybackToken } from '../../lib/backend/playback-token';
import { playbackTokenSignerOn } from '../../lib/backend/token-signer';
import { GENERATION_TAG_KEY, OWNER_TAG_KEY, RotationSecretTag } from '../../lib/shared/contract';
import { props, useGeneratedKeyRig } from '../support/generated-key-rig';
import { p384 } from '../support/keys';
import { ManualClock, settle } from '../support/manual-clock';
import { KINDS, RotationDriver } from '../support/rotation-driver';

jest.setTimeout(60_000);

const rig = useGeneratedKeyRig();

describe.each(KINDS)('scheduled rotation of $label', (kind) => {
  let driver: RotationDriver;
  beforeEach(() => {
    driver = new RotationDriver(rig, kind);
  });

  /** A deployed resource of generation 1 whose secret rotates on a schedule. */
  async function deployed(keep = true) {
    const secretArn = await driver.rotatingSecret(keep);
    const resource = driver.resource();
    await resource.create(props(secretArn, 1, { keep }));
    return { secretArn, resource, ...(await driver.expectInSync(secretArn, keep)) };
  }

  /**
   * The AWSPENDING version Secrets Manager creates without a value (RotateSecret, a new schedule's test). moto cannot
   * hold a version without a value: a placeholder whose next read answers as AWS's empty version does.
   */
  async function emptyPendingVersion(secretArn: string, token: string): Promise<void> {
    await rig.secretsManager.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        ClientRequestToken: token,
        SecretString: '{}',
        VersionStages: ['AWSPENDING'],
      }),
    );
    rig.secretsFaults.failNext('GetSecretValue', 'ResourceNotFoundException');
  }

  test('a full rotation writes a new key under the token, makes it current and keeps the old one imported', async () => {
    const { secretArn, current: before } = await deployed();
    const signedBefore = await driver.tokenFrom(before);
    const from = rig.logLines.length;

    const token = await driver.rotate(secretArn);

    const { current, previous } = await driver.expectInSync(secretArn);
    expect(current.versionId).toBe(token);
    // A scheduled rotation keeps the generation: a template raise still rotates exactly once.
    expect(current).toMatchObject({ generation: 1, keyArn: expect.stringContaining(':') });
    expect(current.fingerprint).not.toBe(before.fingerprint);
    expect(previous!.versionId).toBe(before.versionId);
    const [newKey] = driver.keys().filter((key) => key.arn === current.keyArn);
    expect(newKey).toMatchObject({ name: 'viewer-key', tags: { team: 'video', [GENERATION_TAG_KEY]: '1' } });
    expect(await driver.playsInIvs(signedBefore)).toBe(true);
    expect(await driver.playsInIvs(await driver.tokenFrom(current))).toBe(true);
    expect(driver.rotationLogs(from).map((line) => line.rotationStep)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect(driver.rotationLogs(from).every((line) => line.error === undefined)).toBe(true);
    for (const line of rig.logLines) expect(line).not.toContain(driver.rotationToken);
  });

  test('the calls of each step (docs/lifecycle-rules.md, rule G12)', async () => {
    const { secretArn } = await deployed();
    const [list, importKey, get] =
      kind.arnField === 'playbackKeyPairArn'
        ? ['ListPlaybackKeyPairs', 'ImportPlaybackKeyPair', 'GetPlaybackKeyPair']
        : ['ListPublicKeys', 'ImportPublicKey', 'GetPublicKey'];
    const calls = (from: number) =>
      driver.rotationLogs(from).map(({ rotationStep, ivsCalls, secretsManagerCalls }) => ({
        rotationStep,
        ivsCalls,
        secretsManagerCalls,
      }));
    const read = ['DescribeSecret', 'ListSecretVersionIds'];
    const from = rig.logLines.length;
    await driver.rotate(secretArn);
    expect(calls(from)).toEqual([
      { rotationStep: 'createSecret', ivsCalls: [list, importKey], secretsManagerCalls: [...read, 'PutSecretValue'] },
      { rotationStep: 'setSecret', ivsCalls: [list, get], secretsManagerCalls: [...read, 'GetSecretValue'] },
      { rotationStep: 'testSecret', ivsCalls: [list, get], secretsManagerCalls: [...read, 'GetSecretValue'] },
      {
        rotationStep: 'finishSecret',
        ivsCalls: [list, get],
        secretsManagerCalls: [...read, 'GetSecretValue', 'UpdateSecretVersionStage', 'UpdateSecretVersionStage'],
      },
    ]);
    // The second rotation reads the value of AWSCURRENT's version once per step (its id is a token), and retires one key.
    const again = rig.logLines.length;
    await driver.rotate(secretArn);
    const second = calls(again);
    expect(second[0].secretsManagerCalls).toEqual([...read, 'GetSecretValue', 'PutSecretValue']);
    expect(second[3].ivsCalls).toEqual([
      list,
      get,
      kind.arnField === 'playbackKeyPairArn' ? 'DeletePlaybackKeyPair' : 'DeletePublicKey',
    ]);
  });

  test('a token whose version Secrets Manager created empty (RotateSecret in AWS) gets the new key', async () => {
    const { secretArn } = await deployed();
    const token = 'rotation-token-empty-0123456789abcdef0123';
    await emptyPendingVersion(secretArn, token);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)
      await driver.invoke(secretArn, step, token);
    const { current } = await driver.expectInSync(secretArn);
    expect(current.versionId).toBe(token);
  });

  test("a new schedule's configuration test (testSecret alone, on an empty pending version) succeeds and changes nothing", async () => {
    // With RotateImmediatelyOnUpdate false, Secrets Manager creates an AWSPENDING version, runs testSecret on it,
    // then removes it (docs/facts/secrets-manager-rotation.md): a FAILED test would fail the stack's deploy.
    const { secretArn, current: before } = await deployed();
    const token = 'schedule-configuration-test-0123456789abcdef';
    await emptyPendingVersion(secretArn, token);
    const keysBefore = driver.keys().map((key) => key.arn);
    const from = rig.logLines.length;

    await driver.invoke(secretArn, 'testSecret', token);

    expect(driver.keys().map((key) => key.arn)).toEqual(keysBefore);
    expect((await driver.keyAt(secretArn, 'AWSCURRENT')).versionId).toBe(before.versionId);
    const [line] = driver.rotationLogs(from);
    expect(line.rotationStep).toBe('testSecret');
    expect(line.error).toBeUndefined();
    expect(line.ivsCalls).not.toContainEqual(expect.stringMatching(/^(Import|Delete)/));
    expect(line.secretsManagerCalls).not.toContainEqual(expect.stringMatching(/^(Put|Update)/));
    // An absent version (the test's version already removed when a delivery repeats) is no failure either.
    await driver.invoke(secretArn, 'testSecret', 'schedule-configuration-test-absent-0123456789');
  });

  test('each step delivered twice rotates once', async () => {
    const { secretArn, current: before } = await deployed();
    const token = await driver.rotate(secretArn, { times: 2 });
    const { current, previous } = await driver.expectInSync(secretArn);
    expect(current.versionId).toBe(token);
    expect(previous!.versionId).toBe(before.versionId);
    expect(driver.keys()).toHaveLength(2);
    expect(Object.keys(await rig.labels(secretArn))).toHaveLength(2);
  });

  test('two rotations in a row: the oldest key is deleted; a token plays until the next rotation (keepPreviousKey)', async () => {
    const { secretArn, current: first } = await deployed();
    const signedWithFirst = await driver.tokenFrom(first);
    await driver.rotate(secretArn);
    expect(await driver.playsInIvs(signedWithFirst)).toBe(true);
    const { current: second } = await driver.expectInSync(secretArn);
    const signedWithSecond = await driver.tokenFrom(second);

    await driver.rotate(secretArn);

    const { previous } = await driver.expectInSync(secretArn);
    expect(previous!.versionId).toBe(second.versionId);
    expect(driver.keys().map((key) => key.arn)).not.toContain(first.keyArn);
    expect(await driver.playsInIvs(signedWithFirst)).toBe(false);
    expect(await driver.playsInIvs(signedWithSecond)).toBe(true);
  });

  test('without keepPreviousKey the rotation deletes the old key once the new one is current', async () => {
    const { secretArn, current: before } = await deployed(false);
    await driver.rotate(secretArn);
    const { current } = await driver.expectInSync(secretArn, false);
    expect(driver.keys().map((key) => key.arn)).toEqual([current.keyArn]);
    expect(current.keyArn).not.toBe(before.keyArn);
  });

  test('a tags-only deploy after a rotation undoes nothing', async () => {
    const { secretArn, resource } = await deployed();
    const token = await driver.rotate(secretArn);
    const rotated = await driver.expectInSync(secretArn);

    const { Data } = await resource.update(props(secretArn, 1, { tags: { team: 'audio' } }));

    const { current, previous } = await driver.expectInSync(secretArn);
    expect(current.versionId).toBe(token);
    expect(previous!.versionId).toBe(rotated.previous!.versionId);
    expect(Data).toMatchObject({ Arn: current.keyArn, PreviousArn: previous!.keyArn, Generation: '1' });
    for (const key of driver.keys()) expect(key.tags.team).toBe('audio');
  });

  test('a generation raise after a rotation rotates once more, keeping the scheduled key as the previous one', async () => {
    const { secretArn, resource, current: first } = await deployed();
    const token = await driver.rotate(secretArn);
    const scheduled = await driver.keyAt(secretArn, 'AWSCURRENT');

    const { Data } = await resource.update(props(secretArn, 2));

    const { current, previous } = await driver.expectInSync(secretArn);
    expect(current.generation).toBe(2);
    expect(previous!.versionId).toBe(token);
    expect(Data).toMatchObject({ Arn: current.keyArn, PreviousArn: scheduled.keyArn, Generation: '2' });
    expect(driver.keys().map((key) => key.arn)).not.toContain(first.keyArn);
    // The same template again rotates nothing.
    await resource.update(props(secretArn, 2, { tags: { team: 'video', more: 'x' } }));
    expect((await driver.expectInSync(secretArn)).current.versionId).toBe(current.versionId);
  });

  test('testSecret after the pending key was deleted out of band fails; AWSCURRENT stays; the next rotation succeeds', async () => {
    const { secretArn, current: before } = await deployed();
    const token = 'rotation-token-0123456789abcdef01234567';
    await driver.invoke(secretArn, 'createSecret', token);
    await driver.invoke(secretArn, 'setSecret', token);
    const pending = (await rig.keyOf(secretArn, token)) as unknown as Record<string, string>;
    expect(kind.api(rig.ivs).deleteBehindTheBack(pending[kind.arnField])).toBe(true);

    await expect(driver.invoke(secretArn, 'testSecret', token)).rejects.toThrow(
      `The pending key of version ${token} is not in IVS: ${pending[kind.arnField]} was deleted outside this rotation`,
    );
    await expect(driver.invoke(secretArn, 'finishSecret', token)).rejects.toThrow('is not labelled AWSPENDING');

    const { current } = await driver.expectInSync(secretArn);
    expect(current.versionId).toBe(before.versionId);
    const next = await driver.rotate(secretArn);
    expect((await driver.expectInSync(secretArn)).current.versionId).toBe(next);
  });

  test('at the quota with one foreign key: the rotation first deletes the key it retires anyway', async () => {
    const { secretArn } = await deployed();
    kind.api(rig.ivs).importAsSomeoneElse(p384().publicKeyPem, 'foreign');
    await driver.rotate(secretArn); // current + previous + foreign: the region is full
    const { current: second } = await driver.expectInSync(secretArn);

    await driver.rotate(secretArn);

    const { previous } = await driver.expectInSync(secretArn);
    expect(previous!.versionId).toBe(second.versionId);
    expect(driver.keys()).toHaveLength(3);
    expect(driver.keys().map((key) => key.name)).toContain('foreign');
  });

  test('at the quota with two foreign keys: createSecret fails naming the holders and changes nothing', async () => {
    const { secretArn, current: before } = await deployed();
    for (const name of ['foreign-a', 'foreign-b']) kind.api(rig.ivs).importAsSomeoneElse(p384().publicKeyPem, name);
    const keysBefore = driver.keys().map((key) => key.arn);
    const labelsBefore = await rig.labels(secretArn);

    const error = await driver.rotate(secretArn).catch((e: Error) => e);

    expect((error as Error).message).toMatch(/hold them all, none of which this deploy retires/);
    for (const arn of keysBefore) expect((error as Error).message).toContain(arn);
    expect(driver.keys().map((key) => key.arn)).toEqual(keysBefore);
    expect(await rig.labels(secretArn)).toEqual(labelsBefore);
    expect((await driver.keyAt(secretArn, 'AWSCURRENT')).versionId).toBe(before.versionId);
  });

  test('a deploy in the middle of a rotation removes its AWSPENDING and its key; the rotation cannot finish, the next one can', async () => {
    const { secretArn, resource, current: before } = await deployed();
    const token = 'rotation-token-abcdef0123456789abcdef01';
    await driver.invoke(secretArn, 'createSecret', token);
    expect(driver.keys()).toHaveLength(2);

    await resource.update(props(secretArn, 1, { tags: { team: 'audio' } }));

    expect((await driver.expectInSync(secretArn)).current.versionId).toBe(before.versionId);
    expect(driver.keys()).toHaveLength(1);
    await expect(driver.invoke(secretArn, 'finishSecret', token)).rejects.toThrow('is not labelled AWSPENDING');
    await driver.rotate(secretArn);
    await driver.expectInSync(secretArn);
  });

  test('an import that never answers fails createSecret before the Lambda timeout, naming the call; nothing is written', async () => {
    const { secretArn } = await deployed();
    const labelsBefore = await rig.labels(secretArn);
    kind.api(rig.ivs).hangNext(kind.importOperation);

    await expect(
      driver.invoke(secretArn, 'createSecret', 'rotation-token-hang-0123456789abcdef0123', 4_000),
    ).rejects.toThrow(
      `The rotation step stopped at its deadline (3 s, before the Lambda timeout); Secrets Manager rotates again at the next schedule: IVS ${kind.importOperation} did not finish`,
    );
    expect(await rig.labels(secretArn)).toEqual(labelsBefore);
    await driver.rotate(secretArn);
    await driver.expectInSync(secretArn);
  });

  test("AWSCURRENT's key deleted out of band: createSecret fails asking for a deploy, which restores it; then the rotation succeeds", async () => {
    const { secretArn, resource, current } = await deployed();
    kind.api(rig.ivs).deleteBehindTheBack(current.keyArn);
    await expect(driver.rotate(secretArn)).rejects.toThrow(
      `AWSCURRENT's ${kind.arnField === 'playbackKeyPairArn' ? 'playback key pair' : 'public key'} ${current.keyArn} is not in IVS`,
    );
    expect(Object.values(await rig.labels(secretArn)).flat()).not.toContain('AWSPENDING');
    await resource.update(props(secretArn, 1));
    await driver.rotate(secretArn);
    await driver.expectInSync(secretArn);
  });

  test('a stack Delete after two rotations leaves no key', async () => {
    const { secretArn, resource } = await deployed();
    await driver.rotate(secretArn);
    await driver.rotate(secretArn);
    expect(driver.keys()).toHaveLength(2);
    await resource.delete();
    expect(driver.keys()).toEqual([]);
  });

  test("a secret without the construct's tags is refused, naming the tag; nothing changes", async () => {
    const secretArn = await rig.emptySecret();
    await driver.resource().create(props(secretArn, 1));
    const keysBefore = driver.keys().length + rig.ivs.keyPairs().length;
    await expect(driver.rotate(secretArn)).rejects.toThrow(
      `its tag ${RotationSecretTag.RESOURCE_TYPE} is missing, expected one of`,
    );
    expect(driver.keys().length + rig.ivs.keyPairs().length).toBe(keysBefore);
    expect(Object.values(await rig.labels(secretArn)).flat()).not.toContain('AWSPENDING');
  });

  test('an event with an unknown Step is refused naming the steps', async () => {
    const { secretArn } = await deployed();
    const handler = rig.handler as unknown as (event: object, context: object) => Promise<void>;
    await expect(
      handler(
        { Step: 'rotateSecret', SecretId: secretArn, ClientRequestToken: 'x'.repeat(36) },
        { getRemainingTimeInMillis: () => 300_000 },
      ),
    ).rejects.toThrow('expected one of createSecret, setSecret, testSecret, finishSecret');
    expect(driver.keys()[0].tags[OWNER_TAG_KEY]).toBe(secretArn);
  });
});

test('createPlaybackTokenSigner picks up a scheduled rotation within refreshAfterSeconds', async () => {
  const driver = new RotationDriver(rig, KINDS[0]);
  const secretArn = await driver.rotatingSecret();
  await driver.resource().create(props(secretArn, 1));
  const first = await driver.keyAt(secretArn, 'AWSCURRENT');
  const client = new SecretsManagerClient({
    endpoint: rig.secretsFaults.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
  });
  const reads: Promise<unknown>[] = [];
  const counting = {
    send: (command: never, options: never) => {
      const sent = client.send(command, options);
      reads.push(sent.catch(() => undefined));
      return sent;
    },
  } as unknown as SecretsManagerClient;
  const clock = new ManualClock();
  const signer = playbackTokenSignerOn(clock, { secretId: secretArn, refreshAfterSeconds: 60, client: counting });
  const claims = { channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456', expiresIn: 300 };
  const signedBy = (token: string, publicKeyPem: string) =>
    verifyPlaybackToken(token, publicKeyPem).then(
      () => true,
      () => false,
    );
  try {
    expect(await signedBy(await signer.sign(claims), first.publicKeyPem)).toBe(true);
    await driver.rotate(secretArn);
    const second = await driver.keyAt(secretArn, 'AWSCURRENT');

    clock.advanceSeconds(59);
    expect(await signedBy(await signer.sign(claims), first.publicKeyPem)).toBe(true);
    clock.advanceSeconds(1);
    await signer.sign(claims); // due: starts a read in the background
    await settle();
    await Promise.all(reads);
    await settle();
    const afterRefresh = await signer.sign(claims);

    expect(await signedBy(afterRefresh, second.publicKeyPem)).toBe(true);
    expect(await driver.playsInIvs(afterRefresh)).toBe(true);
    expect(reads).toHaveLength(2);
  } finally {
    client.destroy();
  }
});

test('a rotation of a stage public key uses the real-time API only', async () => {
  const driver = new RotationDriver(rig, KINDS[1]);
  const secretArn = await driver.rotatingSecret();
  await driver.resource().create(props(secretArn, 1));
  rig.ivs.resetCalls();
  await driver.rotate(secretArn);
  expect(rig.ivs.calls).toEqual([]);
  expect(rig.ivs.realTime.calls.map((call) => call.operation)).toContain('ImportPublicKey');
});
