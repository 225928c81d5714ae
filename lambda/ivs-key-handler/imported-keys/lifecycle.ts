// The lifecycle rules. "Rule N" here, and anywhere in lambda/ and lib/, is the rule of that number in
// docs/lifecycle-rules.md, which also names the tests that prove it.
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { NOTHING_IMPORTED_PHYSICAL_ID, OWNER_TAG_KEY } from '../../../lib/shared/contract';
import type { KeyKind } from '../../../lib/shared/key-kinds';
import { isKeyArn } from '../../../lib/shared/validation';
import {
  DesiredKeyPair,
  desiredKeyPair,
  EventIdentity,
  fingerprintOf,
  holdsSameKey,
  previousName,
} from './desired-key-pair';
import { checkNotSuperseded } from '../event-marker';
import { KeySession, IvsKey, IvsKeySummary } from '../ivs-apis/key-session';
import { isConflict, isNotFound, isQuotaExceeded, quotaNote, quotaSentence } from '../ivs-apis/key-api';
import { ownerTagValues, Sibling, siblingInStack } from './owner-tag';
import { eventClock } from '../stale-event';
import { deleteLeftBehind, findLeftBehind, LeftBehindKey, listOnce } from './sweeps';

/** What an event did, for the answer to CloudFormation and the log line. */
export interface Outcome {
  readonly physicalResourceId: string;
  /** The key pair now behind the resource; absent after a Delete. */
  readonly keyPair?: IvsKey;
  /** What was done, in a few words, for the log. */
  readonly action: string;
}

/** Rule 1, 9, 10, 11: import; adopt our own key after a lost answer; explain conflicts and the quota. */
export async function onCreate(event: CloudFormationCustomResourceCreateEvent, ivs: KeySession): Promise<Outcome> {
  watchForLaterEvents(ivs, event);
  return importKeyPair(ivs, desiredKeyPair(event.ResourceProperties, event, ivs.api.kind));
}

/** Rules 2 to 7: tags in place, key changes by import-first, renames by re-import, the quota, lost keys. */
export async function onUpdate(event: CloudFormationCustomResourceUpdateEvent, ivs: KeySession): Promise<Outcome> {
  watchForLaterEvents(ivs, event);
  const desired = desiredKeyPair(event.ResourceProperties, event, ivs.api.kind);
  const currentArn = event.PhysicalResourceId;
  if (!isKeyArn(ivs.api.kind, currentArn)) {
    return importKeyPair(ivs, desired);
  }
  if (!holdsSameKey(event.OldResourceProperties, desired)) {
    // The old key stays until CloudFormation's cleanup Delete, so a rollback can return to it,
    // and a rollback finds it by its owner tag: make sure that tag names this resource.
    const { current, listed } = await claimOwnership(ivs, currentArn, desired);
    const failedKey = failedKeyOf(event, desired);
    const outcome = await importKeyPair(ivs, desired, { current, failedKey, listed });
    return outcome.physicalResourceId === currentArn && failedKey
      ? sweepFailedUpdate(ivs, outcome, failedKey)
      : outcome;
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
export async function onDelete(event: CloudFormationCustomResourceDeleteEvent, ivs: KeySession): Promise<Outcome> {
  watchForLaterEvents(ivs, event);
  const arn = event.PhysicalResourceId;
  if (arn === NOTHING_IMPORTED_PHYSICAL_ID) {
    return { physicalResourceId: arn, action: 'nothing to delete: the failed Create imported nothing' };
  }
  if (!isKeyArn(ivs.api.kind, arn)) {
    return deleteCreatedButUnanswered(ivs, arn, event);
  }
  const deleted = await ivs.deleteKey(arn);
  return { physicalResourceId: arn, action: deleted ? 'deleted' : 'already deleted' };
}

/**
 * CloudFormation invents a physical id when a Create's answer never arrived; that Create may have
 * imported a key pair, which carries exactly this resource's owner tag, the name and the key the
 * Create asked for. Nothing else is touched (see `LeftBehindKey`). A key that cannot be read was
 * refused before any IVS call, so there is nothing to look for.
 */
async function deleteCreatedButUnanswered(
  ivs: KeySession,
  physicalResourceId: string,
  event: CloudFormationCustomResourceDeleteEvent,
): Promise<Outcome> {
  const fingerprint = fingerprintOf(event.ResourceProperties);
  if (!fingerprint) {
    return {
      physicalResourceId,
      action: 'nothing to delete: the properties hold no valid key, so the Create imported nothing',
    };
  }
  const key = { ownerTagValues: ownerTagValues(event), name: previousName(event.ResourceProperties), fingerprint };
  const deleted = await deleteLeftBehind(ivs, await ivs.listKeys(), key);
  const action =
    deleted.length === 0
      ? `nothing to delete: not a ${ivs.api.kind.noun} ARN, and no ${ivs.api.kind.shortNoun} carries this resource's owner tag, name and key`
      : `deleted ${deleted.join(', ')}, left behind by a Create whose answer was lost`;
  return { physicalResourceId, action };
}

/** Stops the event, unanswered, when a key pair of this resource records a later event (event-marker.ts). */
function watchForLaterEvents(ivs: KeySession, event: EventIdentity): void {
  const owners = ownerTagValues(event);
  const { signedAtMs } = eventClock(event);
  ivs.onKeySeen = (keyPair) => checkNotSuperseded(keyPair, owners, signedAtMs, Date.now());
}

/**
 * The current key pair is gone (its Get answered 404). Before importing anything, looks at this
 * resource's key pairs: one marked by a later event means this one was superseded (a repeat after
 * the next deploy deleted the key pair it names), and the List throws (event-marker.ts). Only this
 * case pays for the List: a current key pair that exists shows the marker itself.
 */
async function lookForLaterEvents(ivs: KeySession): Promise<IvsKeySummary[]> {
  return ivs.listKeys();
}

/**
 * The key a failed key-change Update asked for, as OldResourceProperties of the Update that undoes
 * it (the rollback) name it. If CloudFormation never learned that key pair's ARN (its Import's
 * outcome was unknown), no Delete will ever come for it: the rollback removes it.
 */
function failedKeyOf(
  event: CloudFormationCustomResourceUpdateEvent,
  desired: DesiredKeyPair,
): LeftBehindKey | undefined {
  const fingerprint = fingerprintOf(event.OldResourceProperties);
  return fingerprint
    ? { ownerTagValues: desired.ownerTagValues, name: previousName(event.OldResourceProperties), fingerprint }
    : undefined;
}

/**
 * The Update kept its current key pair, which already held the wanted key: it undoes an Update
 * that failed before CloudFormation learned a new ARN. Delete what that Update may have imported.
 */
async function sweepFailedUpdate(ivs: KeySession, outcome: Outcome, failedKey: LeftBehindKey): Promise<Outcome> {
  const deleted = await deleteLeftBehind(ivs, await listOnce(ivs), failedKey, outcome.physicalResourceId);
  return deleted.length === 0
    ? outcome
    : { ...outcome, action: `${outcome.action}; deleted ${deleted.join(', ')}, imported by the failed update` };
}

/**
 * Reads the current key pair and puts this resource's owner tag on it when it names another
 * logical ID: `cdk refactor` can give the resource a new logical ID without an event. The Get also
 * shows whether a later event already ran (event-marker.ts) before anything is imported. A key
 * pair deleted outside CloudFormation has nothing to heal (rule 7).
 */
async function claimOwnership(
  ivs: KeySession,
  arn: string,
  desired: DesiredKeyPair,
): Promise<Pick<Slots, 'current' | 'listed'>> {
  const current = await ivs.getKey(arn);
  if (!current) return { listed: await lookForLaterEvents(ivs) };
  if (current.tags[OWNER_TAG_KEY] === desired.owner) return { current };
  try {
    // Tags to add, nothing to remove: exactly one TagResource.
    await ivs.syncTags(arn, {}, { [OWNER_TAG_KEY]: desired.owner });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return {};
  }
  return { current: { ...current, tags: { ...current.tags, [OWNER_TAG_KEY]: desired.owner } } };
}

/** What a key change may free at the quota: its current key pair, and the key of a failed update. */
interface Slots {
  /** This resource's current key pair, as a Get of this event described it. */
  readonly current?: IvsKey;
  /** The key a failed key change may have left behind (see `failedKeyOf`). */
  readonly failedKey?: LeftBehindKey;
  /** What a List of this event showed before the Import, nothing written since: a refused Import needs no second. */
  readonly listed?: IvsKeySummary[];
}

/**
 * Imports the desired key. When IVS already holds it, adopts it if this resource imported it
 * (a rollback, or a Create whose answer was lost). At the quota, keeps the current key pair if it
 * already holds the key; otherwise frees its slot (the previous template can restore its key), or
 * else the slot of a failed update's key, and tries once more.
 */
async function importKeyPair(ivs: KeySession, desired: DesiredKeyPair, slots: Slots = {}): Promise<Outcome> {
  try {
    return imported(await ivs.importKey(desired), 'imported');
  } catch (error) {
    if (isConflict(error)) {
      return adoptOwnKey(ivs, desired);
    }
    if (!isQuotaExceeded(error)) {
      throw error;
    }
  }
  const current = slots.current;
  if (current?.fingerprint === desired.fingerprint) {
    // A rollback, and IVS reported the quota before the duplicate: the current key pair is the one wanted.
    return bringInLine(ivs, current, desired);
  }
  if (current && (await ivs.deleteKey(current.arn))) {
    const outcome = await importKeyPair(ivs, desired);
    return {
      ...outcome,
      action: `deleted ${current.arn} to make room ${quotaNote(ivs.api.kind)}, then ${outcome.action}`,
    };
  }
  // Whether IVS checks the quota or the duplicate first is undocumented: the key may be ours already.
  const summaries = slots.listed ?? (await ivs.listKeys());
  const ownKey = await findByFingerprint(ivs, ownedBy(desired, summaries), desired.fingerprint);
  if (ownKey) {
    return bringInLine(ivs, ownKey, desired);
  }
  const [failed] = slots.failedKey ? await findLeftBehind(ivs, summaries, slots.failedKey) : [];
  if (failed && (await ivs.deleteKey(failed.arn))) {
    const outcome = await importKeyPair(ivs, desired);
    return {
      ...outcome,
      action: `deleted ${failed.arn}, imported by a failed update, to make room ${quotaNote(ivs.api.kind)}, then ${outcome.action}`,
    };
  }
  throw quotaExceeded(ivs.api.kind, summaries);
}

async function adoptOwnKey(ivs: KeySession, desired: DesiredKeyPair): Promise<Outcome> {
  const summaries = await ivs.listKeys();
  const ours = ownedBy(desired, summaries);
  const ownKey = await findByFingerprint(ivs, ours, desired.fingerprint);
  if (ownKey) {
    return bringInLine(ivs, ownKey, desired);
  }
  const holder = await findByFingerprint(
    ivs,
    summaries.filter((summary) => !ours.includes(summary)),
    desired.fingerprint,
  );
  if (!holder) {
    throw notFoundAfterConflict(ivs.api.kind, desired, summaries);
  }
  const sibling = siblingInStack(holder.tags[OWNER_TAG_KEY], desired.stackId);
  throw sibling ? heldByThisStack(ivs.api.kind, holder, sibling) : importedBySomeoneElse(ivs.api.kind, holder);
}

function notFoundAfterConflict(kind: KeyKind, desired: DesiredKeyPair, summaries: IvsKeySummary[]): Error {
  return new Error(
    `IVS reports that the public key with fingerprint ${desired.fingerprint} is already imported, but none of ` +
      `the ${summaries.length} ${kind.shortNounPlural} it lists holds it. Deploy again in a minute.`,
  );
}

function ownedBy(desired: DesiredKeyPair, summaries: IvsKeySummary[]): IvsKeySummary[] {
  return summaries.filter((summary) => desired.ownerTagValues.includes(summary.tags[OWNER_TAG_KEY]));
}

async function findByFingerprint(
  ivs: KeySession,
  candidates: IvsKeySummary[],
  fingerprint: string,
): Promise<IvsKey | undefined> {
  for (const candidate of candidates) {
    // A key pair this event already described (the current one, read before a key change) costs no second Get.
    const keyPair = ivs.fetched.get(candidate.arn) ?? (await ivs.getKey(candidate.arn));
    if (keyPair?.fingerprint === fingerprint) return keyPair;
  }
  return undefined;
}

/** Our own key: tags to the wanted set; a different name means a re-import, as for a rename. */
async function bringInLine(ivs: KeySession, ownKey: IvsKey, desired: DesiredKeyPair): Promise<Outcome> {
  if (ownKey.name !== desired.name) {
    return reimportUnderNewName(ivs, ownKey.arn, desired);
  }
  await ivs.syncTags(ownKey.arn, ownKey.tags, desired.tags);
  return imported(
    { ...ownKey, tags: desired.tags },
    `adopted the ${ivs.api.kind.shortNoun} this resource imported before`,
  );
}

/** IVS cannot rename, nor hold one key twice: delete, then import under the new name. */
async function reimportUnderNewName(ivs: KeySession, arn: string, desired: DesiredKeyPair): Promise<Outcome> {
  await ivs.deleteKey(arn);
  const outcome = await importKeyPair(ivs, desired);
  return { ...outcome, action: `deleted ${arn} and re-imported the key as "${desired.name}"` };
}

async function updateTagsInPlace(ivs: KeySession, arn: string, desired: DesiredKeyPair): Promise<Outcome> {
  const keyPair = await ivs.getKey(arn);
  if (!keyPair) {
    const outcome = await importKeyPair(ivs, desired, { listed: await lookForLaterEvents(ivs) });
    return { ...outcome, action: `${arn} was deleted outside CloudFormation; ${outcome.action} again` };
  }
  await ivs.syncTags(arn, keyPair.tags, desired.tags);
  return imported({ ...keyPair, tags: desired.tags }, 'updated tags in place');
}

function imported(keyPair: IvsKey, action: string): Outcome {
  return { physicalResourceId: keyPair.arn, keyPair, action };
}

function importedBySomeoneElse(kind: KeyKind, holder: IvsKey): Error {
  return new Error(
    `This public key is already imported into IVS as ${kind.noun} ${holder.arn} ` +
      `(name "${holder.name}", fingerprint ${holder.fingerprint}), which this stack did not import, and IVS ` +
      `cannot hold the same key twice. Either reuse that ${kind.shortNoun} with ` +
      `${kind.fromArn}(this, 'Key', '${holder.arn}'), or delete it ` +
      `(${kind.deleteCommand} --arn ${holder.arn}) and deploy again.`,
  );
}

/**
 * The key belongs to another resource of this very stack: a construct that moved (new logical ID,
 * created before the old one is deleted), or two key pairs given one key. The ways out keep the
 * key pair; removing it, or referring to it by ARN, would leave the stack deleting a key it uses.
 */
function heldByThisStack(kind: KeyKind, holder: IvsKey, sibling: Sibling): Error {
  // A tag hashed for length still names the stack, but not the logical ID.
  const logicalId = sibling.logicalId ?? '<its logical ID>';
  const resource = sibling.logicalId
    ? `the resource "${logicalId}"`
    : 'a resource (whose logical ID is too long for its owner tag)';
  return new Error(
    `This public key (fingerprint ${holder.fingerprint}) is already imported into IVS as ${kind.noun} ` +
      `${holder.arn} (name "${holder.name}") by ${resource} of this same stack, and IVS cannot hold the ` +
      `same key twice. This happens when a ${kind.importedConstruct} moves in the construct tree (or into a nested stack) and so ` +
      'gets a new logical ID: CloudFormation creates the resource under the new logical ID before it deletes the one ' +
      `under the old. To move it and keep the ${kind.noun} alive, either keep its logical ID: set ${kind.nameOption}: ` +
      `"${holder.name}" (the default name follows the construct path) and pin the ID with ` +
      `(key.node.findChild('Resource').node.defaultChild as CfnResource).overrideLogicalId('${logicalId}'), or ` +
      'with that explicit name let `cdk refactor` match the resource and move it to its new logical ID before you ' +
      `deploy; or move it in two deploys: first add the ${kind.noun} at its new place with a new key while the old one ` +
      'stays (IVS holds both, so tokens signed with either keep working), then remove the old one. If two ' +
      `${kind.importedConstruct}s of this stack were given the same key, give each its own key.`,
  );
}

function quotaExceeded(kind: KeyKind, inUse: IvsKeySummary[]): Error {
  const listed = inUse.map((keyPair) => `${keyPair.arn} ("${keyPair.name}")`).join(', ');
  return new Error(
    `${quotaSentence(kind)}, and this region already holds ` +
      `${inUse.length}: ${listed || 'none listed'}. Delete one that is no longer needed, or reuse one with ` +
      `${kind.fromArn}.`,
  );
}
