/**
 * The lifecycle of a `Custom::IvsGeneratedPlaybackKeyPair`. Its state lives in its secret: the
 * version labelled AWSCURRENT holds the key that signs, AWSPREVIOUS the one before it, and each
 * version's value names the key pair that holds its key. Every Create and Update converges IVS and
 * the labels on that state: exactly the AWSCURRENT key (and the AWSPREVIOUS key with
 * keepPreviousKey, best effort at the quota) imported, once each, each named by its version. A
 * template generation above AWSCURRENT's rotates first: a new key is imported, then written, then
 * made current. Steps: key-pairs.ts (IVS), labels.ts and secret-versions.ts (the secret).
 */
import { InvalidRequestException, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceEvent } from 'aws-lambda';
import { GeneratedKeyPairAttribute, NOTHING_IMPORTED_PHYSICAL_ID, OWNER_TAG_KEY } from '../../../lib/shared/contract';
import { generateKeyValue, isSecretArn, keyPairDigest, ownerOfSecret } from '../../../lib/shared/generated-key';
import { isKeyArn } from '../../../lib/shared/validation';
import { checkNotSuperseded } from '../event-marker';
import { KeySession } from '../ivs-apis/key-session';
import { eventClock } from '../stale-event';
import { desiredGeneratedKey, secretArnOf, SignedEvent } from './desired';
import { GeneratedKeyEvent, HeldKey, KeyToHold, ResourceKeyPairs } from './key-pairs';
import { moveLabel, settleLabels } from './labels';
import { CURRENT, KnownVersion, NotAGeneratedKeyError, PENDING, PREVIOUS, SecretVersions } from './secret-versions';
import { SecretsSession } from './secrets-session';

/** What an event did: the answer's physical id and attributes, and a few words for the log. */
export interface GeneratedOutcome {
  readonly physicalResourceId: string;
  readonly action: string;
  readonly data?: Record<string, string>;
}

/** Create and Update converge on the secret's state; Delete removes every key pair the resource imported. */
export function onGeneratedKeyPairEvent(
  event: CloudFormationCustomResourceEvent,
  ivs: KeySession,
  secrets: SecretsSession,
): Promise<GeneratedOutcome> {
  if (event.RequestType === 'Delete') return deleteKeyPairs(event, ivs, secrets);
  return converge(event, ivs, secrets);
}

/**
 * The physical id of a failed event: an Update or Delete keeps its own; a Create names its secret,
 * whose owner tag the Delete looks for (or, with no valid secret ARN, says that nothing was imported).
 */
export function generatedPhysicalIdAfterFailure(event: CloudFormationCustomResourceEvent): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId;
  return secretArnOf(event.ResourceProperties) ?? NOTHING_IMPORTED_PHYSICAL_ID;
}

/** Which keys the event wants, from the labels and the template's generation. */
interface Plan {
  /** Whether the template's generation is above AWSCURRENT's (or the secret has no key yet). */
  readonly rotating: boolean;
  readonly current: KeyToHold;
  /** The version of the key before the current one, if the secret has one. */
  readonly previous?: KnownVersion;
}

async function converge(
  event: CloudFormationCustomResourceEvent,
  ivs: KeySession,
  secrets: SecretsSession,
): Promise<GeneratedOutcome> {
  const desired = desiredGeneratedKey(event.ResourceProperties, event, ivs.api.kind);
  watchForLaterEvents(ivs, desired.owner, event);
  const context: GeneratedKeyEvent = { desired, ivs, notes: [] };
  const { kind } = ivs.api;
  const versions = await SecretVersions.read(secrets, desired.secretArn, kind);
  const keyPairs = await ResourceKeyPairs.list(context);
  const plan = planOf(context, versions, keyPairs);
  const secret = { secretArn: desired.secretArn, kind, secrets, versions, keyPairs };
  let current: HeldKey;
  let previous: HeldKey | undefined;
  try {
    keyPairs.protect(plan.current.version);
    if (desired.keepPreviousKey) keyPairs.protect(plan.previous);
    // Before AWSCURRENT moves onto a version found by the List, IVS's fingerprint is compared with its value's.
    current = (await keyPairs.hold(plan.current, { verify: plan.rotating }))!;
    previous =
      desired.keepPreviousKey && plan.previous
        ? await keyPairs.hold(storedKey(versions, plan.previous), { bestEffort: true })
        : undefined;
    await settleLabels(secret, { current, previous: { held: previous, version: plan.previous } });
  } catch (error) {
    // As far as the services still answer (not after the deadline); any later event finishes the job.
    await keyPairs.deleteUnwritten();
    await moveLabel(secret, PENDING, undefined).catch(() => undefined);
    throw error;
  }
  if (plan.rotating) context.notes.unshift(`rotated to generation ${current.generation}`);
  await keyPairs.retireUnheld();
  return answer(context, versions, current, previous);
}

/** The physical id (the secret), the attributes of the current and previous key pairs, and the notes for the log. */
async function answer(
  { desired, notes }: GeneratedKeyEvent,
  versions: SecretVersions,
  current: HeldKey,
  previous: HeldKey | undefined,
): Promise<GeneratedOutcome> {
  const { fingerprint } = current.value ?? (await versions.valueOf(current.version!));
  return {
    physicalResourceId: desired.secretArn,
    action: notes.length ? notes.join('; ') : 'in place',
    data: {
      [GeneratedKeyPairAttribute.ARN]: current.arn,
      [GeneratedKeyPairAttribute.FINGERPRINT]: fingerprint,
      [GeneratedKeyPairAttribute.PREVIOUS_ARN]: previous?.arn ?? '',
      [GeneratedKeyPairAttribute.GENERATION]: String(current.generation),
    },
  };
}

/**
 * A template generation above AWSCURRENT's (or no key yet) rotates to it; one at or below it
 * rotates nothing, so a rollback never brings a retired key back. A version the handler did not
 * write (a value set by hand) is no key: it is rotated away, and never kept as AWSPREVIOUS.
 */
function planOf(event: GeneratedKeyEvent, versions: SecretVersions, keyPairs: ResourceKeyPairs): Plan {
  const current = versions.labelled(CURRENT);
  const currentGeneration = current?.generation;
  if (currentGeneration !== undefined && event.desired.generation <= currentGeneration) {
    const previous = versions.labelled(PREVIOUS);
    return {
      rotating: false,
      current: storedKey(versions, current!),
      previous: previous?.generation !== undefined ? previous : undefined,
    };
  }
  return {
    rotating: true,
    current: rotationKey(event.desired.generation, versions, keyPairs),
    previous: currentGeneration !== undefined ? current : undefined,
  };
}

/**
 * The key of a rotation to `generation`: the one an earlier delivery of it wrote (preferably one
 * whose key pair the List shows), else a new one, generated here and imported before it is written.
 */
function rotationKey(generation: number, versions: SecretVersions, keyPairs: ResourceKeyPairs): KeyToHold {
  const written = versions.ofGeneration(generation);
  const version = written.find((candidate) => keyPairs.namedBy(candidate)) ?? written.at(-1);
  if (version) return storedKey(versions, version);
  const fresh = { ...generateKeyValue(generation), keyArn: '' };
  return { generation, value: () => Promise.resolve(fresh) };
}

function storedKey(versions: SecretVersions, version: KnownVersion): KeyToHold {
  return { generation: version.generation!, version, value: () => versions.valueOf(version) };
}

/** Stops the event, unanswered, when a key pair of this resource records a later event (event-marker.ts). */
function watchForLaterEvents(ivs: KeySession, owner: string, event: SignedEvent): void {
  const { signedAtMs } = eventClock(event);
  ivs.onKeySeen = (keyPair) => checkNotSuperseded(keyPair, [owner], signedAtMs, Date.now());
}

/**
 * Every key pair carrying this resource's owner tag (its secret's ARN), and every key pair a
 * labelled version names that the List did not show (a List can lag an import). The secret comes
 * from the physical id, or from the properties when CloudFormation made an id up after a lost
 * Create answer. CloudFormation deletes the secret itself.
 */
async function deleteKeyPairs(
  event: CloudFormationCustomResourceDeleteEvent,
  ivs: KeySession,
  secrets: SecretsSession,
): Promise<GeneratedOutcome> {
  const physicalResourceId = event.PhysicalResourceId;
  const secretArn = isSecretArn(physicalResourceId) ? physicalResourceId : secretArnOf(event.ResourceProperties);
  if (!secretArn) {
    return {
      physicalResourceId,
      action: `nothing to delete: no secret names this resource's ${ivs.api.kind.shortNounPlural}`,
    };
  }
  const owner = ownerOfSecret(secretArn);
  watchForLaterEvents(ivs, owner, event);
  const ours = (await ivs.listKeys()).filter((keyPair) => keyPair.tags[OWNER_TAG_KEY] === owner);
  const unlisted = await unlistedKeyPairs(ivs, secrets, secretArn, new Set(ours.map((keyPair) => keyPair.arn)));
  const deleted: string[] = [];
  for (const arn of [...ours.map((keyPair) => keyPair.arn), ...unlisted]) {
    if (await ivs.deleteKey(arn)) deleted.push(arn);
  }
  return { physicalResourceId, action: deleted.length ? `deleted ${deleted.join(', ')}` : 'nothing to delete' };
}

/**
 * The ARNs the labelled versions name whose key pairs the List did not show (one GetSecretValue
 * each; the version ids tell which the List showed). A secret already deleted, or scheduled for
 * deletion, names none; a value written by hand names none.
 */
async function unlistedKeyPairs(
  ivs: KeySession,
  secrets: SecretsSession,
  secretArn: string,
  listed: Set<string>,
): Promise<string[]> {
  const listedDigests = new Set([...listed].map(keyPairDigest));
  const arns: string[] = [];
  try {
    const versions = await SecretVersions.read(secrets, secretArn, ivs.api.kind);
    for (const version of versions.all) {
      if (version.stages.length === 0 || !version.keyPairDigest || listedDigests.has(version.keyPairDigest)) continue;
      const { keyArn } = await versions.valueOf(version).catch((error: unknown) => {
        if (error instanceof NotAGeneratedKeyError) return { keyArn: '' };
        throw error;
      });
      if (isKeyArn(ivs.api.kind, keyArn) && !listed.has(keyArn)) arns.push(keyArn);
    }
  } catch (error) {
    if (error instanceof ResourceNotFoundException || error instanceof InvalidRequestException) return arns;
    throw error;
  }
  return arns;
}
