/**
 * The lifecycle of a `Custom::IvsGeneratedPlaybackKeyPair`. Its state lives in its secret: the
 * version labelled AWSCURRENT holds the key that signs, AWSPREVIOUS the one before it. Every Create
 * and Update converges IVS on that state: exactly the AWSCURRENT key (and the AWSPREVIOUS key with
 * keepPreviousKey) imported, once each, tagged with the secret's ARN as owner and their generation.
 * A template generation above AWSCURRENT's rotates first; one at or below it rotates nothing.
 */
import { ConflictException, ServiceQuotaExceededException } from '@aws-sdk/client-ivs';
import type { CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  GENERATION_TAG_KEY,
  GeneratedKeyPairAttribute,
  KEY_PAIR_QUOTA,
  NOTHING_IMPORTED_PHYSICAL_ID,
  OWNER_TAG_KEY,
} from '../../../lib/shared/contract';
import {
  GeneratedKeyValue,
  generateKeyValue,
  generationOfVersionId,
  isSecretArn,
  ownerOfSecret,
  versionIdOf,
} from '../../../lib/shared/generated-key';
import { IvsSession, KeyPair, KeyPairSummary } from '../ivs-session';
import { DesiredGeneratedKey, desiredGeneratedKey, secretArnOf, tagsFor } from './desired';
import { SecretsSession } from './secrets-session';

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const PENDING = 'AWSPENDING';

/** What an event did: the answer's physical id and attributes, and a few words for the log. */
export interface GeneratedOutcome {
  readonly physicalResourceId: string;
  readonly action: string;
  readonly data?: Record<string, string>;
}

/** Create and Update converge on the secret's state; Delete removes every key pair the resource imported. */
export function onGeneratedKeyPairEvent(
  event: CloudFormationCustomResourceEvent,
  ivs: IvsSession,
  secrets: SecretsSession,
): Promise<GeneratedOutcome> {
  if (event.RequestType === 'Delete') return deleteKeyPairs(event, ivs);
  return converge(desiredGeneratedKey(event.ResourceProperties), ivs, secrets);
}

/**
 * The physical id of a failed event: an Update or Delete keeps its own; a Create names its secret,
 * whose owner tag the Delete looks for (or, with no valid secret ARN, says that nothing was imported).
 */
export function generatedPhysicalIdAfterFailure(event: CloudFormationCustomResourceEvent): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId;
  return secretArnOf(event.ResourceProperties) ?? NOTHING_IMPORTED_PHYSICAL_ID;
}

/** A key pair of this resource, with the generation its tag names. */
interface OwnedKeyPair extends KeyPairSummary {
  readonly generation?: number;
}

/** One Create or Update. */
class Convergence {
  private owned: OwnedKeyPair[] = [];
  private readonly values = new Map<number, GeneratedKeyValue>();
  private readonly held = new Map<number, { arn: string; fingerprint?: string }>();
  private readonly notes: string[] = [];

  constructor(
    private readonly desired: DesiredGeneratedKey,
    private readonly ivs: IvsSession,
    private readonly secrets: SecretsSession,
  ) {}

  public async run(): Promise<GeneratedOutcome> {
    const { secretArn, keepPreviousKey, generation } = this.desired;
    const versions = await this.secrets.labelledVersions(secretArn);
    const current = versions.find((version) => version.stages.includes(CURRENT));
    const previous = versions.find((version) => version.stages.includes(PREVIOUS));
    const currentGeneration = current && generationOfVersionId(current.versionId);
    this.owned = this.ownedOf(await this.ivs.listKeyPairs());

    const rotating = currentGeneration === undefined || generation > currentGeneration;
    const target = rotating ? generation : currentGeneration;
    const before = rotating ? currentGeneration : previous && generationOfVersionId(previous.versionId);
    const wanted = keepPreviousKey && before !== undefined ? [target, before] : [target];

    if (!rotating) {
      await this.holdKeys(wanted);
    } else {
      const versionId = versionIdOf(target);
      const wrote = !this.values.has(target) && (await this.writeVersion(target));
      const pending = wrote || versions.some((v) => v.versionId === versionId && v.stages.includes(PENDING));
      try {
        await this.holdKeys(wanted);
        // Secrets Manager labels a secret's first version AWSCURRENT by itself.
        const firstVersion = wrote && versions.length === 0;
        if (!firstVersion)
          await this.secrets.moveStage(secretArn, CURRENT, { to: versionId, from: current?.versionId });
      } catch (error) {
        // A failed rotation leaves no label behind: the version it wrote stays, unlabelled, for the retry.
        if (pending) await this.secrets.moveStage(secretArn, PENDING, { from: versionId }).catch(() => undefined);
        throw error;
      }
      if (pending) await this.secrets.moveStage(secretArn, PENDING, { from: versionId });
      // A value that is not a key (written by hand) never stays labelled AWSPREVIOUS.
      if (current && currentGeneration === undefined)
        await this.secrets.moveStage(secretArn, PREVIOUS, { from: current.versionId });
      this.notes.unshift(`rotated to generation ${target}`);
    }
    await this.retireAllBut(wanted);
    return this.outcome(target, wanted[1]);
  }

  /**
   * Writes generation `n`'s version labelled AWSPENDING. Returns false when a repeated event finds
   * the version it wrote before (Secrets Manager keeps one version per id), and reads that instead.
   */
  private async writeVersion(generation: number): Promise<boolean> {
    const fresh = generateKeyValue(generation);
    if (
      await this.secrets.putVersion(this.desired.secretArn, versionIdOf(generation), JSON.stringify(fresh), PENDING)
    ) {
      this.values.set(generation, fresh);
      return true;
    }
    await this.valueOf(generation);
    return false;
  }

  /** Makes sure IVS holds each wanted generation's key under the wanted name and tags. */
  private async holdKeys(wanted: number[]): Promise<void> {
    for (const generation of wanted) {
      const existing = this.owned.find((keyPair) => keyPair.generation === generation);
      if (existing && existing.name === this.desired.name) {
        await this.ivs.syncTags(existing.arn, existing.tags, tagsFor(this.desired, generation));
        this.held.set(generation, { arn: existing.arn });
        continue;
      }
      if (existing) {
        // IVS cannot rename: delete, then import the same key under the new name.
        await this.ivs.deleteKeyPair(existing.arn);
        this.owned = this.owned.filter((keyPair) => keyPair !== existing);
        this.notes.push(`re-imported generation ${generation} as "${this.desired.name}"`);
      }
      const keyPair = await this.importKey(generation, wanted);
      this.held.set(generation, { arn: keyPair.arn, fingerprint: keyPair.fingerprint });
    }
  }

  /**
   * Imports generation `n`'s public key. At the quota, first deletes the key pairs this event
   * retires anyway, but only when that makes room; otherwise fails having deleted nothing.
   */
  private async importKey(generation: number, wanted: number[]): Promise<KeyPair> {
    const value = await this.valueOf(generation);
    const toImport = {
      publicKeyMaterial: value.publicKeyPem,
      name: this.desired.name,
      tags: tagsFor(this.desired, generation),
    };
    try {
      return await this.ivs.importKeyPair(toImport);
    } catch (error) {
      if (error instanceof ConflictException) return this.adopt(generation, value);
      if (!(error instanceof ServiceQuotaExceededException)) throw error;
    }
    const all = await this.ivs.listKeyPairs();
    const held = new Set([...this.held.values()].map((keyPair) => keyPair.arn));
    const retiring = this.ownedOf(all).filter(
      (keyPair) => !wanted.includes(keyPair.generation ?? 0) && !held.has(keyPair.arn),
    );
    if (retiring.length === 0 || all.length - retiring.length >= KEY_PAIR_QUOTA)
      throw quotaExceeded(all, this.desired.owner);
    for (const keyPair of retiring) await this.ivs.deleteKeyPair(keyPair.arn);
    this.owned = this.owned.filter((keyPair) => !retiring.some((retired) => retired.arn === keyPair.arn));
    this.notes.push(
      `deleted ${retiring.map((keyPair) => keyPair.arn).join(', ')} first to make room (quota of ${KEY_PAIR_QUOTA})`,
    );
    try {
      return await this.ivs.importKeyPair(toImport);
    } catch (error) {
      if (error instanceof ServiceQuotaExceededException)
        throw quotaExceeded(await this.ivs.listKeyPairs(), this.desired.owner);
      throw error;
    }
  }

  /** IVS holds the key already, without this resource's tags (they were edited): claim it. */
  private async adopt(generation: number, value: GeneratedKeyValue): Promise<KeyPair> {
    const summaries = await this.ivs.listKeyPairs();
    for (const summary of summaries) {
      const keyPair = await this.ivs.getKeyPair(summary.arn);
      if (keyPair?.fingerprint !== value.fingerprint) continue;
      if (keyPair.name !== this.desired.name) {
        await this.ivs.deleteKeyPair(keyPair.arn);
        return this.ivs.importKeyPair({
          publicKeyMaterial: value.publicKeyPem,
          name: this.desired.name,
          tags: tagsFor(this.desired, generation),
        });
      }
      await this.ivs.syncTags(keyPair.arn, keyPair.tags, tagsFor(this.desired, generation));
      this.notes.push(`adopted the key pair of generation ${generation}`);
      return keyPair;
    }
    throw new Error(
      `IVS reports that the key of generation ${generation} (fingerprint ${value.fingerprint}) is already ` +
        `imported, but none of the ${summaries.length} key pairs it lists holds it. Deploy again in a minute.`,
    );
  }

  /** Deletes this resource's key pairs that hold no wanted generation (the key this rotation retired). */
  private async retireAllBut(wanted: number[]): Promise<void> {
    const held = new Set([...this.held.values()].map((keyPair) => keyPair.arn));
    for (const keyPair of this.owned.filter(
      (owned) => !wanted.includes(owned.generation ?? 0) && !held.has(owned.arn),
    )) {
      await this.ivs.deleteKeyPair(keyPair.arn);
      this.notes.push(`deleted generation ${keyPair.generation ?? '?'} (${keyPair.arn})`);
    }
  }

  private async outcome(target: number, previous: number | undefined): Promise<GeneratedOutcome> {
    const current = this.held.get(target)!;
    const fingerprint = current.fingerprint ?? (await this.valueOf(target)).fingerprint;
    return {
      physicalResourceId: this.desired.secretArn,
      action: this.notes.length ? this.notes.join('; ') : 'in place',
      data: {
        [GeneratedKeyPairAttribute.ARN]: current.arn,
        [GeneratedKeyPairAttribute.FINGERPRINT]: fingerprint,
        [GeneratedKeyPairAttribute.PREVIOUS_ARN]: previous === undefined ? '' : (this.held.get(previous)?.arn ?? ''),
        [GeneratedKeyPairAttribute.GENERATION]: String(target),
      },
    };
  }

  private async valueOf(generation: number): Promise<GeneratedKeyValue> {
    let value = this.values.get(generation);
    if (!value) {
      value = parseValue(await this.secrets.versionValue(this.desired.secretArn, versionIdOf(generation)), generation);
      this.values.set(generation, value);
    }
    return value;
  }

  private ownedOf(summaries: KeyPairSummary[]): OwnedKeyPair[] {
    return summaries
      .filter((summary) => summary.tags[OWNER_TAG_KEY] === this.desired.owner)
      .map((summary) => ({ ...summary, generation: generationOfTag(summary.tags[GENERATION_TAG_KEY]) }));
  }
}

function converge(desired: DesiredGeneratedKey, ivs: IvsSession, secrets: SecretsSession): Promise<GeneratedOutcome> {
  return new Convergence(desired, ivs, secrets).run();
}

/**
 * Every key pair carrying this resource's owner tag (its secret's ARN). The secret comes from the
 * physical id, or from the properties when CloudFormation made an id up after a lost Create answer.
 */
async function deleteKeyPairs(
  event: CloudFormationCustomResourceDeleteEvent,
  ivs: IvsSession,
): Promise<GeneratedOutcome> {
  const physicalResourceId = event.PhysicalResourceId;
  const secretArn = isSecretArn(physicalResourceId) ? physicalResourceId : secretArnOf(event.ResourceProperties);
  if (!secretArn) return { physicalResourceId, action: "nothing to delete: no secret names this resource's key pairs" };
  const owner = ownerOfSecret(secretArn);
  const ours = (await ivs.listKeyPairs()).filter((keyPair) => keyPair.tags[OWNER_TAG_KEY] === owner);
  for (const keyPair of ours) await ivs.deleteKeyPair(keyPair.arn);
  return {
    physicalResourceId,
    action: ours.length ? `deleted ${ours.map((keyPair) => keyPair.arn).join(', ')}` : 'nothing to delete',
  };
}

function generationOfTag(value: string | undefined): number | undefined {
  const generation = Number(value);
  return Number.isSafeInteger(generation) && generation >= 1 ? generation : undefined;
}

/** The secret's value of generation `n`; the message never quotes it (it holds a private key). */
function parseValue(text: string, generation: number): GeneratedKeyValue {
  try {
    const value = JSON.parse(text) as GeneratedKeyValue;
    if (typeof value.publicKeyPem === 'string' && typeof value.fingerprint === 'string') return value;
  } catch {
    // reported below
  }
  throw new Error(
    `The secret's version ${versionIdOf(generation)} does not hold a generated key ` +
      '(JSON with publicKeyPem and fingerprint); it was changed outside this construct.',
  );
}

function quotaExceeded(inUse: KeyPairSummary[], owner: string): Error {
  const listed = inUse.map(
    (keyPair) =>
      `${keyPair.arn} ("${keyPair.name}"${keyPair.tags[OWNER_TAG_KEY] === owner ? ", this key pair's" : ''})`,
  );
  return new Error(
    `IVS allows ${KEY_PAIR_QUOTA} playback key pairs per account and region, and the key pairs ` +
      `${listed.join(', ') || '(none listed)'} hold them all, none of which this deploy retires. No key pair was imported ` +
      'or deleted. Delete a key pair that is no longer needed, or set keepPreviousKey: false, and deploy again.',
  );
}
