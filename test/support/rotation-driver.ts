/**
 * Plays Secrets Manager's rotation service against moto, for the shipped handler: moto cannot invoke
 * a Lambda, and its RotateSecret without a rotation function moves AWSCURRENT onto an empty version
 * (docs/facts/secrets-manager-rotation.md), so the driver does the service's part itself: a fresh
 * token per rotation, refused while another version than AWSCURRENT's carries AWSPENDING (as
 * RotateSecret is), then the four steps, each an invocation of the handler, in order. It also serves
 * both IVS key kinds with the invariant of `expectInSync` (generated-key-rig.ts) written once for both.
 */
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  GENERATED_STAGE_PUBLIC_KEY_RESOURCE_TYPE,
  GENERATION_TAG_KEY,
  OWNER_TAG_KEY,
  RotationSecretTag,
} from '../../lib/shared/contract';
import { signPlaybackToken, verifyPlaybackToken } from '../../lib/tokens';
import { lambdaContext } from '../../tools/stand-ins/response-endpoint';
import { SimulatedResource } from '../../tools/stand-ins/cloudformation';
import type { IvsStandIn, KeyApiStandIn, StandInKeyPair } from '../../tools/stand-ins/ivs-stand-in';
import type { GeneratedKeyRig, GeneratedProperties, Stage } from './generated-key-rig';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** One IVS key kind as the rotation tests drive it. */
export interface KindUnderTest {
  readonly label: string;
  readonly resourceType: string;
  /** The field of the secret's value that names the key's ARN. */
  readonly arnField: 'playbackKeyPairArn' | 'publicKeyArn';
  /** The API's import operation, for the stand-in's faults. */
  readonly importOperation: string;
  /** The stand-in API of this kind. */
  api(ivs: IvsStandIn): KeyApiStandIn<string>;
}

export const KINDS: KindUnderTest[] = [
  {
    label: 'playback key pairs',
    resourceType: GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
    arnField: 'playbackKeyPairArn',
    importOperation: 'ImportPlaybackKeyPair',
    api: (ivs) => ivs.lowLatency as KeyApiStandIn<string>,
  },
  {
    label: 'stage public keys',
    resourceType: GENERATED_STAGE_PUBLIC_KEY_RESOURCE_TYPE,
    arnField: 'publicKeyArn',
    importOperation: 'ImportPublicKey',
    api: (ivs) => ivs.realTime as KeyApiStandIn<string>,
  },
];

/** A version's value, whatever the kind: `keyArn` is its ARN field. */
export interface RotatedKey {
  readonly versionId: string;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly fingerprint: string;
  readonly generation: number;
  readonly keyArn: string;
}

const CHANNEL_ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';

export class RotationDriver {
  private secretCount = 0;

  constructor(
    private readonly rig: GeneratedKeyRig,
    readonly kind: KindUnderTest,
  ) {}

  /** The construct's secret with a rotationSchedule: empty, tagged as the contract says. */
  async rotatingSecret(keepPreviousKey = true): Promise<string> {
    const { ARN } = await this.rig.secretsManager.send(
      new CreateSecretCommand({
        Name: `RotatingKeySecret${++this.secretCount}-AbCdEf`,
        Tags: [
          { Key: RotationSecretTag.RESOURCE_TYPE, Value: this.kind.resourceType },
          { Key: RotationSecretTag.KEEP_PREVIOUS_KEY, Value: String(keepPreviousKey) },
        ],
      }),
    );
    return ARN!;
  }

  resource(logicalResourceId = 'RotatingKey'): SimulatedResource<GeneratedProperties> {
    return new SimulatedResource<GeneratedProperties>(this.rig.handler, logicalResourceId, {
      resourceType: this.kind.resourceType,
    });
  }

  /** The keys of this kind IVS holds. */
  keys(): StandInKeyPair[] {
    return this.kind.api(this.rig.ivs).keys();
  }

  /** Invokes the handler with one step, as Secrets Manager does; rejects with the handler's error. */
  async invoke(secretArn: string, step: RotationStep, token: string, timeoutMs?: number): Promise<void> {
    const handler = this.rig.handler as unknown as (event: object, context: object) => Promise<void>;
    const event = { Step: step, SecretId: secretArn, ClientRequestToken: token, RotationToken: this.rotationToken };
    await handler(event, lambdaContext(timeoutMs));
  }

  /** The `RotationToken` the service sends with every step (sensitive: it must never reach a log line). */
  readonly rotationToken = `rotation-token-${randomUUID()}`;

  /**
   * One rotation as the service runs it: refused while a rotation is in progress, then each step
   * (`times` deliveries of each), stopping at the first that fails (its error is thrown).
   */
  async rotate(secretArn: string, options: { times?: number; token?: string } = {}): Promise<string> {
    const labels = await this.rig.labels(secretArn);
    const inProgress = Object.entries(labels).find(
      ([, stages]) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'),
    );
    if (inProgress) throw new Error(`RotateSecret refused: version ${inProgress[0]} is AWSPENDING (in progress)`);
    const token = options.token ?? randomUUID();
    for (const step of ROTATION_STEPS) {
      for (let delivery = 0; delivery < (options.times ?? 1); delivery++) await this.invoke(secretArn, step, token);
    }
    return token;
  }

  /** The version labelled `stage`. */
  async keyAt(secretArn: string, stage: Stage): Promise<RotatedKey> {
    return this.asRotated(await this.rig.keyAt(secretArn, stage));
  }

  /**
   * The invariant after every step that succeeded and every CloudFormation event: AWSCURRENT once,
   * no AWSPENDING; AWSCURRENT's value (and AWSPREVIOUS's with keepPreviousKey) names a key IVS holds
   * with its key and generation tag; this secret's keys in IVS are exactly those.
   */
  async expectInSync(secretArn: string, keep = true): Promise<{ current: RotatedKey; previous?: RotatedKey }> {
    const versions = await this.rig.labels(secretArn);
    const holders = (stage: Stage) => Object.keys(versions).filter((id) => versions[id].includes(stage));
    expect(holders('AWSPENDING')).toEqual([]);
    expect(holders('AWSCURRENT')).toHaveLength(1);
    const current = await this.keyAt(secretArn, 'AWSCURRENT');
    const previous = holders('AWSPREVIOUS').length ? await this.keyAt(secretArn, 'AWSPREVIOUS') : undefined;
    const owned = this.keys().filter((key) => key.tags[OWNER_TAG_KEY] === secretArn);
    const wanted = keep && previous ? [current, previous] : [current];
    for (const key of wanted) {
      const held = owned.find((candidate) => candidate.arn === key.keyArn);
      expect(held).toBeDefined();
      expect(held!.fingerprint).toBe(key.fingerprint);
      expect(held!.publicKeyMaterial.trim()).toBe(key.publicKeyPem.trim());
      expect(held!.tags[GENERATION_TAG_KEY]).toBe(String(key.generation));
    }
    expect(owned.map((key) => key.arn).sort()).toEqual(wanted.map((key) => key.keyArn).sort());
    return { current, previous };
  }

  async tokenFrom(key: RotatedKey): Promise<string> {
    return signPlaybackToken(key.privateKeyPem, { channelArn: CHANNEL_ARN, expiresIn: 3600 });
  }

  /** Whether some key IVS holds verifies the token: IVS checks a token against every imported key. */
  async playsInIvs(token: string): Promise<boolean> {
    for (const key of this.keys()) {
      const verified = await verifyPlaybackToken(token, key.publicKeyMaterial).then(
        () => true,
        () => false,
      );
      if (verified) return true;
    }
    return false;
  }

  /** The handler's rotation log lines since `from`, parsed. */
  rotationLogs(from = 0): Array<Record<string, unknown>> {
    return this.rig.logLines
      .slice(from)
      .filter((line) => line.startsWith('{"rotationStep"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  private asRotated(key: object): RotatedKey {
    const value = key as RotatedKey & Record<string, string>;
    return { ...value, keyArn: value[this.kind.arnField] };
  }
}
