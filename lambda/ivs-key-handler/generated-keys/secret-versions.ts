/**
 * A generated key's secret as one event sees it: its versions, their labels, what their ids say
 * (generation, and which key pair holds the key), and their values, read once each. The labels are
 * the state: AWSCURRENT the key that signs, AWSPREVIOUS the one before it, AWSPENDING a version
 * written but not yet current (none between events).
 */
import {
  GeneratedKeyMaterial,
  GeneratedKeyValue,
  keyPairDigest,
  parseVersionId,
} from '../../../lib/shared/generated-key';
import type { KeyKind } from '../../../lib/shared/key-kinds';
import { SecretsSession, SecretVersion } from './secrets-session';

export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
export const PENDING = 'AWSPENDING';
export type Stage = typeof CURRENT | typeof PREVIOUS | typeof PENDING;

/** A version of the secret, with what its id says when the handler wrote it. */
export interface KnownVersion extends SecretVersion {
  /** The generation of its key; undefined for a version the handler did not write. */
  readonly generation?: number;
  /** The digest of the ARN of the key pair its value names (see `keyPairDigest`). */
  readonly keyPairDigest?: string;
}

export class SecretVersions {
  /**
   * Reads the versions of `secretArn`, a secret of keys of `kind` (one ListSecretVersionIds), and
   * what a scheduled rotation's versions hold: their id is Secrets Manager's token, so the generation
   * and the key pair come from the value (one GetSecretValue per such version labelled AWSCURRENT
   * or AWSPREVIOUS).
   */
  static async read(secrets: SecretsSession, secretArn: string, kind: KeyKind): Promise<SecretVersions> {
    const versions = new SecretVersions(secrets, secretArn, kind, await secrets.versions(secretArn));
    for (const version of [...versions.all]) {
      if (version.generation === undefined && version.stages.some((stage) => stage === CURRENT || stage === PREVIOUS))
        await versions.resolve(version);
    }
    return versions;
  }

  public readonly all: KnownVersion[];
  private readonly values = new Map<string, Promise<GeneratedKeyValue>>();

  private constructor(
    private readonly secrets: SecretsSession,
    private readonly secretArn: string,
    private readonly kind: KeyKind,
    versions: SecretVersion[],
  ) {
    this.all = versions.map((version) => ({ ...version, ...parseVersionId(version.versionId) }));
  }

  /** The version that carries `stage`, if any. */
  public labelled(stage: Stage): KnownVersion | undefined {
    return this.all.find((version) => version.stages.includes(stage));
  }

  /** The versions the handler wrote for `generation`. */
  public ofGeneration(generation: number): KnownVersion[] {
    return this.all.filter((version) => version.generation === generation);
  }

  /** The value of `version` (one GetSecretValue, the first time). */
  public valueOf(version: KnownVersion): Promise<GeneratedKeyValue> {
    let value = this.values.get(version.versionId);
    if (!value) {
      value = this.secrets
        .versionValue(this.secretArn, version.versionId)
        .then((text) => parseValue(text, version.versionId, this.kind));
      this.values.set(version.versionId, value);
    }
    return value;
  }

  /** Records a version this event wrote, as the next read would show it. */
  public wrote(versionId: string, value: GeneratedKeyValue, stages: Stage[]): KnownVersion {
    for (const version of this.all) this.withoutStages(version, stages);
    const written = {
      versionId,
      stages,
      generation: value.generation,
      keyPairDigest: keyPairDigest(value.keyArn),
    };
    this.all.push(written);
    this.values.set(versionId, Promise.resolve(value));
    return written;
  }

  /**
   * Records a label moved (or removed, `to` undefined) by this event. Secrets Manager moves
   * AWSPREVIOUS to the version AWSCURRENT leaves, so the record does too.
   */
  public moved(stage: Stage, to: KnownVersion | undefined): void {
    const from = this.labelled(stage);
    if (from) this.setStages(from.versionId, (stages) => stages.filter((held) => held !== stage));
    if (to) this.setStages(to.versionId, (stages) => [...stages, stage]);
    if (stage === CURRENT && from && to && from.versionId !== to.versionId) {
      this.moved(PREVIOUS, undefined);
      this.setStages(from.versionId, (stages) => [...stages, PREVIOUS]);
    }
  }

  /**
   * Fills in the generation and key pair of a version whose id does not name them (a scheduled
   * rotation's), from its value; leaves a value written by hand unknown. Returns the version as recorded.
   */
  public async resolve(version: KnownVersion): Promise<KnownVersion> {
    if (version.generation !== undefined) return version;
    const value = await this.valueOf(version).catch((error: unknown) => {
      if (error instanceof NotAGeneratedKeyError) return undefined;
      throw error;
    });
    if (!value?.keyArn) return version;
    this.setFields(version.versionId, { generation: value.generation, keyPairDigest: keyPairDigest(value.keyArn) });
    return this.get(version.versionId)!;
  }

  /** The version `versionId` as recorded now. */
  public get(versionId: string): KnownVersion | undefined {
    return this.all.find((version) => version.versionId === versionId);
  }

  private setFields(versionId: string, fields: Pick<KnownVersion, 'generation' | 'keyPairDigest'>): void {
    const index = this.all.findIndex((version) => version.versionId === versionId);
    if (index >= 0) this.all[index] = { ...this.all[index], ...fields };
  }

  private withoutStages(version: KnownVersion, stages: readonly string[]): void {
    this.setStages(version.versionId, (held) => held.filter((stage) => !stages.includes(stage)));
  }

  private setStages(versionId: string, change: (stages: readonly string[]) => string[]): void {
    const index = this.all.findIndex((version) => version.versionId === versionId);
    if (index >= 0) this.all[index] = { ...this.all[index], stages: change(this.all[index].stages) };
  }
}

/**
 * A version's value; the message never quotes it (it holds a private key). A value without the
 * key pair's ARN (written by hand) reads as held by no key pair: its key is imported again.
 */
function parseValue(text: string, versionId: string, kind: KeyKind): GeneratedKeyValue {
  try {
    const value = JSON.parse(text) as Partial<GeneratedKeyMaterial> & Record<string, unknown>;
    if (
      typeof value.publicKeyPem === 'string' &&
      typeof value.privateKeyPem === 'string' &&
      typeof value.fingerprint === 'string' &&
      typeof value.generation === 'number'
    ) {
      const material: GeneratedKeyMaterial = value as GeneratedKeyMaterial;
      return { ...material, keyArn: String(value[kind.valueArnField] ?? '') };
    }
  } catch {
    // reported below
  }
  throw new NotAGeneratedKeyError(
    `The secret's version ${versionId} does not hold a generated key ` +
      '(JSON with privateKeyPem, publicKeyPem, fingerprint and generation); it was changed outside this construct.',
  );
}

/** A version's value is not a generated key (it was written by hand). */
export class NotAGeneratedKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAGeneratedKeyError';
  }
}
