import { ConflictException, ServiceQuotaExceededException } from '@aws-sdk/client-ivs';
import type {
  CloudFormationCustomResourceCreateEvent, CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { isPlaybackKeyPairArn, OWNER_TAG_KEY } from '../../lib/validation';
import { DesiredKeyPair, desiredKeyPair, holdsSameKey, previousName } from './desired-key-pair';
import { IvsSession, KeyPair, KeyPairSummary } from './ivs-session';

/** What an event did, for the Provider framework's answer and the log line. */
export interface Outcome {
  readonly physicalResourceId: string;
  /** The key pair now behind the resource; absent after a Delete. */
  readonly keyPair?: KeyPair;
  /** What was done, in a few words, for the log. */
  readonly action: string;
}

/** Rule 1, 9, 10, 11: import; adopt our own key after a lost answer; explain conflicts and the quota. */
export async function onCreate(event: CloudFormationCustomResourceCreateEvent, ivs: IvsSession): Promise<Outcome> {
  return importKeyPair(ivs, desiredKeyPair(event.ResourceProperties, event));
}

/** Rules 2 to 7: tags in place, key changes by import-first, renames by re-import, the quota, lost keys. */
export async function onUpdate(event: CloudFormationCustomResourceUpdateEvent, ivs: IvsSession): Promise<Outcome> {
  const desired = desiredKeyPair(event.ResourceProperties, event);
  const currentArn = event.PhysicalResourceId;
  if (!isPlaybackKeyPairArn(currentArn)) {
    return importKeyPair(ivs, desired);
  }
  if (!holdsSameKey(event.OldResourceProperties, desired)) {
    // The old key stays until CloudFormation's cleanup Delete, so a rollback can return to it.
    return importKeyPair(ivs, desired, currentArn);
  }
  if (previousName(event.OldResourceProperties) !== desired.name) {
    return reimportUnderNewName(ivs, currentArn, desired);
  }
  return updateTagsInPlace(ivs, currentArn, desired);
}

/** Rules 7 and 8: a missing key or an id that is not a key pair's ARN is already deleted. */
export async function onDelete(event: CloudFormationCustomResourceDeleteEvent, ivs: IvsSession): Promise<Outcome> {
  const arn = event.PhysicalResourceId;
  if (!isPlaybackKeyPairArn(arn)) {
    return { physicalResourceId: arn, action: 'nothing to delete: not a playback key pair ARN' };
  }
  const deleted = await ivs.deleteKeyPair(arn);
  return { physicalResourceId: arn, action: deleted ? 'deleted' : 'already deleted' };
}

/**
 * Imports the desired key. When IVS already holds it, adopts it if this resource imported it
 * (a rollback, or a Create whose answer was lost). At the quota, frees `ownSlot` (this resource's
 * current key, which the previous template can restore) and tries once more.
 */
async function importKeyPair(ivs: IvsSession, desired: DesiredKeyPair, ownSlot?: string): Promise<Outcome> {
  try {
    return imported(await ivs.importKeyPair(desired), 'imported');
  } catch (error) {
    if (error instanceof ConflictException) {
      return adoptOwnKey(ivs, desired);
    }
    if (!(error instanceof ServiceQuotaExceededException)) {
      throw error;
    }
  }
  if (ownSlot && await ivs.deleteKeyPair(ownSlot)) {
    const outcome = await importKeyPair(ivs, desired);
    return { ...outcome, action: `deleted ${ownSlot} to make room (quota of 3), then ${outcome.action}` };
  }
  // Whether IVS checks the quota or the duplicate first is undocumented: the key may be ours already.
  const summaries = await ivs.listKeyPairs();
  const ownKey = await findByFingerprint(ivs, ownedBy(desired, summaries), desired.fingerprint);
  if (ownKey) {
    return bringInLine(ivs, ownKey, desired);
  }
  throw quotaExceeded(summaries);
}

async function adoptOwnKey(ivs: IvsSession, desired: DesiredKeyPair): Promise<Outcome> {
  const summaries = await ivs.listKeyPairs();
  const ours = ownedBy(desired, summaries);
  const ownKey = await findByFingerprint(ivs, ours, desired.fingerprint);
  if (ownKey) {
    return bringInLine(ivs, ownKey, desired);
  }
  const holder = await findByFingerprint(ivs, summaries.filter((summary) => !ours.includes(summary)), desired.fingerprint);
  throw holder ? importedBySomeoneElse(holder) : new Error(`IVS reports that the public key with fingerprint ${desired.fingerprint} `
    + `is already imported, but none of the ${summaries.length} key pairs it lists holds it. Deploy again in a minute.`);
}

function ownedBy(desired: DesiredKeyPair, summaries: KeyPairSummary[]): KeyPairSummary[] {
  return summaries.filter((summary) => summary.tags[OWNER_TAG_KEY] === desired.owner);
}

async function findByFingerprint(ivs: IvsSession, candidates: KeyPairSummary[], fingerprint: string): Promise<KeyPair | undefined> {
  for (const candidate of candidates) {
    const keyPair = await ivs.getKeyPair(candidate.arn);
    if (keyPair?.fingerprint === fingerprint) return keyPair;
  }
  return undefined;
}

/** Our own key: tags to the wanted set; a different name means a re-import, as for a rename. */
async function bringInLine(ivs: IvsSession, ownKey: KeyPair, desired: DesiredKeyPair): Promise<Outcome> {
  if (ownKey.name !== desired.name) {
    return reimportUnderNewName(ivs, ownKey.arn, desired);
  }
  await ivs.syncTags(ownKey.arn, ownKey.tags, desired.tags);
  return imported({ ...ownKey, tags: desired.tags }, 'adopted the key pair this resource imported before');
}

/** IVS cannot rename, nor hold one key twice: delete, then import under the new name. */
async function reimportUnderNewName(ivs: IvsSession, arn: string, desired: DesiredKeyPair): Promise<Outcome> {
  await ivs.deleteKeyPair(arn);
  const outcome = await importKeyPair(ivs, desired);
  return { ...outcome, action: `deleted ${arn} and re-imported the key as "${desired.name}"` };
}

async function updateTagsInPlace(ivs: IvsSession, arn: string, desired: DesiredKeyPair): Promise<Outcome> {
  const keyPair = await ivs.getKeyPair(arn);
  if (!keyPair) {
    const outcome = await importKeyPair(ivs, desired);
    return { ...outcome, action: `${arn} was deleted outside CloudFormation; ${outcome.action} again` };
  }
  await ivs.syncTags(arn, keyPair.tags, desired.tags);
  return imported({ ...keyPair, tags: desired.tags }, 'updated tags in place');
}

function imported(keyPair: KeyPair, action: string): Outcome {
  return { physicalResourceId: keyPair.arn, keyPair, action };
}

function importedBySomeoneElse(holder: KeyPair): Error {
  return new Error(`This public key is already imported into IVS as playback key pair ${holder.arn} `
    + `(name "${holder.name}", fingerprint ${holder.fingerprint}), which this stack did not import, and IVS `
    + 'cannot hold the same key twice. Either reuse that key pair with '
    + `PlaybackKeyPair.fromPlaybackKeyPairArn(this, 'Key', '${holder.arn}'), or delete it `
    + `(aws ivs delete-playback-key-pair --arn ${holder.arn}) and deploy again.`);
}

function quotaExceeded(inUse: KeyPairSummary[]): Error {
  const listed = inUse.map((keyPair) => `${keyPair.arn} ("${keyPair.name}")`).join(', ');
  return new Error('IVS allows 3 playback key pairs per account and region, and this region already holds '
    + `${inUse.length}: ${listed || 'none listed'}. Delete one that is no longer needed, or reuse one with `
    + 'PlaybackKeyPair.fromPlaybackKeyPairArn.');
}
