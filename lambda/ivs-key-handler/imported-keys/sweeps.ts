import { OWNER_TAG_KEY } from '../../../lib/shared/contract';
import { KeySession, IvsKey, IvsKeySummary } from '../ivs-apis/key-session';

/**
 * A key pair this resource may have left behind, recognised by the key itself: it must carry one
 * of the resource's owner tag values, the name and the key's fingerprint. The owner tag alone is
 * not enough: after `cdk refactor` a sibling's tag still names the old logical ID until a key
 * change heals it, and a newcomer at that logical ID (with that default name) must never touch it.
 */
export interface LeftBehindKey {
  readonly ownerTagValues: readonly string[];
  readonly name: string;
  readonly fingerprint: string;
}

/**
 * The key pairs matching `key` among `summaries`, except `keep`: List gives owner tag and name,
 * one Get per remaining candidate (none when a Get of this event already described it) gives
 * the fingerprint.
 */
export async function findLeftBehind(
  ivs: KeySession,
  summaries: IvsKeySummary[],
  key: LeftBehindKey,
  keep?: string,
): Promise<IvsKey[]> {
  const candidates = summaries.filter(
    (summary) =>
      summary.arn !== keep && key.ownerTagValues.includes(summary.tags[OWNER_TAG_KEY]) && summary.name === key.name,
  );
  const found: IvsKey[] = [];
  for (const candidate of candidates) {
    const keyPair = ivs.fetched.get(candidate.arn) ?? (await ivs.getKey(candidate.arn));
    if (keyPair?.fingerprint === key.fingerprint) found.push(keyPair);
  }
  return found;
}

/** Deletes what `findLeftBehind` finds; returns the ARNs deleted. */
export async function deleteLeftBehind(
  ivs: KeySession,
  summaries: IvsKeySummary[],
  key: LeftBehindKey,
  keep?: string,
): Promise<string[]> {
  const deleted: string[] = [];
  for (const keyPair of await findLeftBehind(ivs, summaries, key, keep)) {
    if (await ivs.deleteKey(keyPair.arn)) deleted.push(keyPair.arn);
  }
  return deleted;
}

/** The key pairs the List of this event showed, if it made one (saving a call), else a new List. */
export async function listOnce(ivs: KeySession): Promise<IvsKeySummary[]> {
  return ivs.hasListed ? dedupe(ivs.listed) : ivs.listKeys();
}

function dedupe(summaries: IvsKeySummary[]): IvsKeySummary[] {
  return [...new Map(summaries.map((summary) => [summary.arn, summary])).values()];
}
