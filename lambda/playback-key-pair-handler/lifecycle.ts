// The lifecycle rules. "Rule N" here, and anywhere in lambda/ and lib/, is the rule of that number in
// docs/lifecycle-rules.md, which also names the tests that prove it.
import { ConflictException, ResourceNotFoundException, ServiceQuotaExceededException } from '@aws-sdk/client-ivs';
import type {
  CloudFormationCustomResourceCreateEvent, CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { NOTHING_IMPORTED_PHYSICAL_ID, OWNER_TAG_KEY } from '../../lib/shared/contract';
import { isPlaybackKeyPairArn } from '../../lib/shared/validation';
import {
  DesiredKeyPair, desiredKeyPair, holdsSameKey, logicalIdInStack, ownerOf, previousName, ResourceIdentity,
} from './desired-key-pair';
import { IvsSession, KeyPair, KeyPairSummary } from './ivs-session';

/** What an event did, for the answer to CloudFormation and the log line. */
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
    // The old key stays until CloudFormation's cleanup Delete, so a rollback can return to it,
    // and a rollback finds it by its owner tag: make sure that tag names this resource.
    await claimOwnership(ivs, currentArn, desired);
    return importKeyPair(ivs, desired, currentArn);
  }
  if (previousName(event.OldResourceProperties) !== desired.name) {
    return reimportUnderNewName(ivs, currentArn, desired);
  }
  return updateTagsInPlace(ivs, currentArn, desired);
}

/**
 * Rules 7 and 8: a missing key is already deleted; an id that is not a key pair's ARN may hide the
 * key pair of a Create whose answer was lost, found by its owner tag.
 */
export async function onDelete(event: CloudFormationCustomResourceDeleteEvent, ivs: IvsSession): Promise<Outcome> {
  const arn = event.PhysicalResourceId;
  if (arn === NOTHING_IMPORTED_PHYSICAL_ID) {
    return { physicalResourceId: arn, action: 'nothing to delete: the failed Create imported nothing' };
  }
  if (!isPlaybackKeyPairArn(arn)) {
    return deleteLeftBehind(ivs, arn, event, previousName(event.ResourceProperties));
  }
  const deleted = await ivs.deleteKeyPair(arn);
  return { physicalResourceId: arn, action: deleted ? 'deleted' : 'already deleted' };
}

/**
 * CloudFormation invents a physical id when a Create's answer never arrived; that Create may have
 * imported a key pair, which carries exactly this resource's owner tag and the name the Create
 * asked for. Nothing else is touched: the name also spares a sibling that `cdk refactor` moved
 * away from this logical ID and whose owner tag was not healed yet.
 */
async function deleteLeftBehind(ivs: IvsSession, physicalResourceId: string, resource: ResourceIdentity, name: string): Promise<Outcome> {
  const owner = ownerOf(resource);
  const leftBehind = (await ivs.listKeyPairs()).filter((summary) => summary.tags[OWNER_TAG_KEY] === owner && summary.name === name);
  for (const keyPair of leftBehind) {
    await ivs.deleteKeyPair(keyPair.arn);
  }
  const action = leftBehind.length === 0
    ? 'nothing to delete: not a playback key pair ARN, and no key pair carries this resource\'s owner tag and name'
    : `deleted ${leftBehind.map((keyPair) => keyPair.arn).join(', ')}, left behind by a Create whose answer was lost`;
  return { physicalResourceId, action };
}

/**
 * Puts this resource's owner tag on its current key pair: `cdk refactor` can give the resource a
 * new logical ID without an event, and the event cannot tell whether the tag is stale, so one
 * idempotent TagResource. A key pair deleted outside CloudFormation has nothing to heal (rule 7).
 */
async function claimOwnership(ivs: IvsSession, arn: string, desired: DesiredKeyPair): Promise<void> {
  try {
    // Tags to add, nothing to remove: exactly one TagResource.
    await ivs.syncTags(arn, {}, { [OWNER_TAG_KEY]: desired.owner });
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}

/**
 * Imports the desired key. When IVS already holds it, adopts it if this resource imported it
 * (a rollback, or a Create whose answer was lost). At the quota, keeps `ownSlot` (this resource's
 * current key pair) if it already holds the key; otherwise frees that slot (the previous template
 * can restore its key) and tries once more.
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
  const current = ownSlot ? await ivs.getKeyPair(ownSlot) : undefined;
  if (current?.fingerprint === desired.fingerprint) {
    // A rollback, and IVS reported the quota before the duplicate: the current key pair is the one wanted.
    return bringInLine(ivs, current, desired);
  }
  if (current && await ivs.deleteKeyPair(current.arn)) {
    const outcome = await importKeyPair(ivs, desired);
    return { ...outcome, action: `deleted ${current.arn} to make room (quota of 3), then ${outcome.action}` };
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
  if (!holder) {
    throw notFoundAfterConflict(desired, summaries);
  }
  const sibling = logicalIdInStack(holder.tags[OWNER_TAG_KEY], desired.stackId);
  throw sibling ? heldByThisStack(holder, sibling) : importedBySomeoneElse(holder);
}

function notFoundAfterConflict(desired: DesiredKeyPair, summaries: KeyPairSummary[]): Error {
  return new Error(`IVS reports that the public key with fingerprint ${desired.fingerprint} `
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

/**
 * The key belongs to another resource of this very stack: a construct that moved (new logical ID,
 * created before the old one is deleted), or two key pairs given one key. The ways out keep the
 * key pair; removing it, or referring to it by ARN, would leave the stack deleting a key it uses.
 */
function heldByThisStack(holder: KeyPair, logicalId: string): Error {
  return new Error(`This public key (fingerprint ${holder.fingerprint}) is already imported into IVS as playback key pair `
    + `${holder.arn} (name "${holder.name}") by the resource "${logicalId}" of this same stack, and IVS cannot hold the `
    + 'same key twice. This happens when a PlaybackKeyPair moves in the construct tree (or into a nested stack) and so '
    + 'gets a new logical ID: CloudFormation creates the resource under the new logical ID before it deletes the one '
    + `under the old. To move it and keep the key pair alive, either keep its logical ID: set playbackKeyPairName: `
    + `"${holder.name}" (the default name follows the construct path) and pin the ID with `
    + `(keyPair.node.findChild('Resource').node.defaultChild as CfnResource).overrideLogicalId('${logicalId}'), or `
    + 'with that explicit name let `cdk refactor` match the resource and move it to its new logical ID before you '
    + 'deploy; or move it in two deploys: first add the key pair at its new place with a new key while the old one '
    + 'stays (IVS holds both, so tokens signed with either keep working), then remove the old one. If two '
    + 'PlaybackKeyPairs of this stack were given the same key, give each its own key.');
}

function quotaExceeded(inUse: KeyPairSummary[]): Error {
  const listed = inUse.map((keyPair) => `${keyPair.arn} ("${keyPair.name}")`).join(', ');
  return new Error('IVS allows 3 playback key pairs per account and region, and this region already holds '
    + `${inUse.length}: ${listed || 'none listed'}. Delete one that is no longer needed, or reuse one with `
    + 'PlaybackKeyPair.fromPlaybackKeyPairArn.');
}
