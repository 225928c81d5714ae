/**
 * The jest hooks and helpers shared by the tests that drive a generated key
 * (`Custom::IvsGeneratedPlaybackKeyPair`, or with `useGeneratedKind` `Custom::IvsGeneratedStagePublicKey`)
 * through the shipped handler bundle, on the Lambda runtime's Node.js, with the IVS stand-in and
 * moto's real Secrets Manager server behind a proxy that can inject faults. The invariant a test checks
 * at chosen steps is `expectInSync`; after every event of `generated()` that succeeds, the rig itself
 * checks `expectLabelsNameImportedKeys`.
 */
import * as fs from 'node:fs';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GENERATION_TAG_KEY, OWNER_TAG_KEY } from '../../lib/shared/contract';
import { signPlaybackToken, verifyPlaybackToken } from '../../lib/tokens';
import {
  RESPONSE_URL,
  SimulatedAnswer,
  SimulatedResource,
  SimulatedResourceOptions,
} from '../../tools/stand-ins/cloudformation';
import { IvsStandIn, KeyApiStandIn, StandInKey } from '../../tools/stand-ins/ivs-stand-in';
import { MotoServer, startMotoServer } from '../../tools/stand-ins/moto-server';
import { SecretsManagerFaults } from '../../tools/stand-ins/secrets-manager-faults';
import { PLAYBACK_KIND, TestKeyKind } from './key-kinds';
import { pemBody } from './keys';
import { loadShippedHandler, OnEventHandler, synthesizeHandlerAsset } from './shipped-handler';

/** A generated key pair's properties as CloudFormation sends them. */
export interface GeneratedProperties {
  readonly SecretArn: string;
  readonly Generation: string;
  readonly KeepPreviousKey: string;
  readonly Name: string;
  readonly Tags?: Record<string, string>;
}

/** One version of the secret: its id and its value. */
export interface SecretKey {
  readonly versionId: string;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly fingerprint: string;
  readonly generation: number;
  /** The ARN the value names, under its kind's field (`playbackKeyPairArn` or `publicKeyArn`). */
  readonly keyArn: string;
  /** The fields as the value holds them (one of them the kind's ARN field). */
  readonly playbackKeyPairArn?: string;
  readonly publicKeyArn?: string;
}

export type Stage = 'AWSCURRENT' | 'AWSPREVIOUS' | 'AWSPENDING';

const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';

export function props(
  secretArn: string,
  generation: number,
  options: { keep?: boolean; name?: string; tags?: Record<string, string> } = {},
): GeneratedProperties {
  return {
    SecretArn: secretArn,
    Generation: String(generation),
    KeepPreviousKey: String(options.keep ?? true),
    Name: options.name ?? 'viewer-key',
    Tags: options.tags ?? { team: 'video' },
  };
}

/** What a test reads from `useGeneratedKeyRig()`; the fields change before each test. */
export class GeneratedKeyRig {
  ivs!: IvsStandIn;
  handler!: OnEventHandler;
  /** The kind of key the running test generates: playback key pairs unless `useGeneratedKind` says otherwise. */
  kind: TestKeyKind = PLAYBACK_KIND;
  /** The Secrets Manager the handler talks to: moto, behind the fault-injecting proxy. */
  secretsFaults!: SecretsManagerFaults;
  /** A client of moto itself, for the test's own reads and writes. */
  secretsManager!: SecretsManagerClient;
  logLines: string[] = [];
  assetDir = '';
  /** Every private key the secrets held, to prove none reached a log line or an answer. */
  readonly privateKeys = new Set<string>();
  private secretCount = 0;

  /** The secret CloudFormation creates for the construct: empty, without GenerateSecretString. */
  async emptySecret(): Promise<string> {
    const { ARN } = await this.secretsManager.send(
      new CreateSecretCommand({ Name: `GeneratedKeySecret${++this.secretCount}-AbCdEf` }),
    );
    return ARN!;
  }

  /** A generated key of the running test's kind; after every event it succeeds, its labels are checked. */
  generated(logicalResourceId = 'GeneratedKey', options: SimulatedResourceOptions = {}) {
    return new SimulatedResource<GeneratedProperties>(this.handler, logicalResourceId, {
      resourceType: this.kind.generatedResourceType,
      afterSuccess: (event, answer) =>
        this.expectLabelsNameImportedKeys(String(event.ResourceProperties.SecretArn), answer),
      ...options,
    });
  }

  /** The stand-in API of the running test's kind. */
  api(): KeyApiStandIn<string> {
    return this.kind.api(this.ivs);
  }

  /** The keys IVS holds of the running test's kind. */
  keys(): StandInKey[] {
    return this.api().keys();
  }

  /**
   * The invariant after every Create and Update that succeeds: AWSCURRENT's value names, in its
   * kind's field (`playbackKeyPairArn` or `publicKeyArn`), the ARN the answer gives and a key IVS
   * holds whose fingerprint is the value's; and when the answer gives a PreviousArn (keepPreviousKey
   * holds it), AWSPREVIOUS's value likewise.
   */
  async expectLabelsNameImportedKeys(secretArn: string, answer: SimulatedAnswer): Promise<void> {
    if (!answer.Data) return; // a Delete: the key pairs are gone, and CloudFormation deletes the secret
    const expectImported = async (stage: Stage, arn: string) => {
      const key = await this.keyAt(secretArn, stage);
      const otherField = this.kind.kind.valueArnField === 'publicKeyArn' ? 'playbackKeyPairArn' : 'publicKeyArn';
      expect({ stage, [this.kind.kind.valueArnField]: key.keyArn, [otherField]: key[otherField] }).toEqual({
        stage,
        [this.kind.kind.valueArnField]: arn,
        [otherField]: undefined,
      });
      const imported = this.keys().find((candidate) => candidate.arn === arn);
      expect({ stage, fingerprint: imported?.fingerprint }).toEqual({ stage, fingerprint: key.fingerprint });
    };
    await expectImported('AWSCURRENT', answer.Data.Arn);
    if (answer.Data.PreviousArn) await expectImported('AWSPREVIOUS', answer.Data.PreviousArn);
  }

  /** The version labelled `stage`, read with an explicit VersionStage (moto 5.2.5 needs it). */
  async keyAt(secretArn: string, stage: Stage): Promise<SecretKey> {
    const { SecretString, VersionId } = await this.secretsManager.send(
      new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }),
    );
    return this.parsed(VersionId!, SecretString!);
  }

  /** The value of the version `versionId`. */
  async keyOf(secretArn: string, versionId: string): Promise<SecretKey> {
    const { SecretString } = await this.secretsManager.send(
      new GetSecretValueCommand({ SecretId: secretArn, VersionId: versionId }),
    );
    return this.parsed(versionId, SecretString!);
  }

  /** Staging labels by version id, from ListSecretVersionIds (deprecated versions included). */
  async labels(secretArn: string): Promise<Record<string, string[]>> {
    const { Versions } = await this.secretsManager.send(
      new ListSecretVersionIdsCommand({ SecretId: secretArn, IncludeDeprecated: true }),
    );
    return Object.fromEntries(
      (Versions ?? []).map((version) => [version.VersionId!, [...(version.VersionStages ?? [])].sort()]),
    );
  }

  /**
   * The invariant after every CloudFormation event: each label on at most one version, AWSCURRENT
   * on one, AWSPENDING on none; AWSCURRENT's value names a key pair IVS holds, whose key (as IVS
   * fingerprints and stores it) is the value's; with keepPreviousKey the same for AWSPREVIOUS
   * (unless `previousBestEffort`: at the quota its key may be missing); and this resource's key
   * pairs in IVS are exactly those, once each, tagged with their generation.
   */
  async expectInSync(
    secretArn: string,
    options: { keep?: boolean; previousBestEffort?: boolean } = {},
  ): Promise<{ current: SecretKey; previous?: SecretKey }> {
    const keep = options.keep ?? true;
    const versions = await this.labels(secretArn);
    const holders = (stage: Stage) => Object.keys(versions).filter((id) => versions[id].includes(stage));
    expect(holders('AWSPENDING')).toEqual([]);
    expect(holders('AWSCURRENT')).toHaveLength(1);
    expect(holders('AWSPREVIOUS').length).toBeLessThanOrEqual(1);
    const current = await this.keyAt(secretArn, 'AWSCURRENT');
    expect(current.versionId).toBe(holders('AWSCURRENT')[0]);
    const previous = holders('AWSPREVIOUS').length ? await this.keyAt(secretArn, 'AWSPREVIOUS') : undefined;
    const imported = this.keys().filter((keyPair) => keyPair.tags[OWNER_TAG_KEY] === secretArn);
    const held = (key: SecretKey) => imported.find((keyPair) => keyPair.arn === key.keyArn);
    const wanted = [current];
    if (keep && previous && !(options.previousBestEffort && !held(previous))) wanted.push(previous);
    for (const key of wanted) {
      const keyPair = held(key);
      expect(keyPair).toBeDefined(); // the value names a key pair IVS holds
      expect(keyPair!.fingerprint).toBe(key.fingerprint);
      expect(keyPair!.publicKeyMaterial.trim()).toBe(key.publicKeyPem.trim());
      expect(keyPair!.tags[GENERATION_TAG_KEY]).toBe(String(key.generation));
    }
    expect(imported.map((keyPair) => keyPair.arn).sort()).toEqual(wanted.map((key) => key.keyArn).sort());
    return { current, previous };
  }

  /** The ARN of the key pair holding `fingerprint`. */
  arnOf(fingerprint: string): string {
    return this.keys().find((keyPair) => keyPair.fingerprint === fingerprint)!.arn;
  }

  /** Runs one event; returns its result and the IVS and Secrets Manager operations it called. */
  async step<T>(event: () => Promise<T>): Promise<{ result: T; ivsCalls: string[]; secretsCalls: string[] }> {
    this.ivs.resetCalls();
    const logCount = this.logLines.length;
    const result = await event();
    return {
      result,
      ivsCalls: this.api().calls.map((call) => call.operation),
      secretsCalls: this.secretsCallsSince(logCount),
    };
  }

  /** Runs one event that must fail; returns its error and the calls it made. */
  async failingStep(
    event: () => Promise<unknown>,
  ): Promise<{ error: Error; ivsCalls: string[]; secretsCalls: string[] }> {
    this.ivs.resetCalls();
    const logCount = this.logLines.length;
    const error = await event().then(
      () => {
        throw new Error('expected the event to fail');
      },
      (e: Error) => e,
    );
    return {
      error,
      ivsCalls: this.api().calls.map((call) => call.operation),
      secretsCalls: this.secretsCallsSince(logCount),
    };
  }

  /** The handler's JSON log lines since `logCount`, parsed. */
  handlerLogs(logCount = 0): Array<Record<string, unknown>> {
    return this.logLines
      .slice(logCount)
      .filter((line) => line.startsWith('{"requestType"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async tokenFrom(key: SecretKey): Promise<string> {
    return signPlaybackToken(key.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 600 });
  }

  /** Whether some key pair IVS holds verifies the token, as IVS checks it against every imported key. */
  async playsInIvs(token: string): Promise<boolean> {
    for (const keyPair of this.keys()) {
      if (
        await verifyPlaybackToken(token, keyPair.publicKeyMaterial).then(
          () => true,
          () => false,
        )
      )
        return true;
    }
    return false;
  }

  private parsed(versionId: string, secretString: string): SecretKey {
    const value = JSON.parse(secretString);
    this.privateKeys.add(value.privateKeyPem);
    return { versionId, ...value, keyArn: value[this.kind.kind.valueArnField] };
  }

  private secretsCallsSince(logCount: number): string[] {
    return this.handlerLogs(logCount).flatMap((line) => (line.secretsManagerCalls ?? []) as string[]);
  }
}

/** Makes the tests of the enclosing describe block generate keys of `kind` (the rig's helpers follow). */
export function useGeneratedKind(rig: GeneratedKeyRig, kind: TestKeyKind): void {
  beforeEach(() => {
    rig.kind = kind;
  });
  afterEach(() => {
    rig.kind = PLAYBACK_KIND;
  });
}

/**
 * Synthesizes the handler asset and starts moto once per file; a fresh IVS stand-in, fault proxy,
 * handler and log capture per test; after each test, checks that no log line holds the ResponseURL
 * or a private key.
 */
export function useGeneratedKeyRig(): GeneratedKeyRig {
  const rig = new GeneratedKeyRig();
  let assemblyDir = '';
  let moto: MotoServer;
  beforeAll(async () => {
    ({ assemblyDir, assetDir: rig.assetDir } = synthesizeHandlerAsset());
    moto = await startMotoServer();
  });
  beforeEach(async () => {
    await moto.reset();
    rig.ivs = await IvsStandIn.start();
    rig.secretsFaults = await SecretsManagerFaults.start(moto.endpoint);
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = rig.secretsFaults.endpoint;
    rig.handler = loadShippedHandler(rig.assetDir, rig.ivs);
    rig.secretsManager = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
    });
    rig.logLines = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        rig.logLines.push(args.map(String).join(' '));
      });
    }
  });
  afterEach(async () => {
    try {
      for (const line of rig.logLines) {
        expect(line).not.toContain(RESPONSE_URL);
        for (const privateKey of rig.privateKeys) expect(line).not.toContain(pemBody(privateKey).slice(0, 32));
      }
    } finally {
      jest.useRealTimers();
      jest.restoreAllMocks();
      rig.secretsManager.destroy();
      await rig.secretsFaults.close();
      await rig.ivs.stop();
    }
  });
  afterAll(async () => {
    await moto?.stop();
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  });
  return rig;
}
