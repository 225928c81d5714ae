/**
 * The secret side of a generated key's event, once IVS holds the keys: write a version for each
 * key whose key pair no version names yet, then move the labels so that AWSCURRENT is the key that
 * signs and AWSPREVIOUS the one before it, and leave no AWSPENDING. Each step is its own function.
 */
import { serializeKeyValue, versionIdOf } from '../../../lib/shared/generated-key';
import type { KeyKind } from '../../../lib/shared/key-kinds';
import type { HeldKey, ResourceKeyPairs } from './key-pairs';
import { CURRENT, KnownVersion, PENDING, PREVIOUS, SecretVersions, Stage } from './secret-versions';
import type { SecretsSession } from './secrets-session';

/** The secret of one event, and where its steps record what they did. */
export interface SecretOfEvent {
  readonly secretArn: string;
  /** The kind of its keys, which names the ARN's field in a value. */
  readonly kind: KeyKind;
  readonly secrets: SecretsSession;
  readonly versions: SecretVersions;
  readonly keyPairs: ResourceKeyPairs;
}

/** What the labels must say after the event. */
export interface WantedLabels {
  /** The key that signs, held by a key pair. */
  readonly current: HeldKey;
  /** The key before it: held (keepPreviousKey), or only kept in the secret (its version). */
  readonly previous?: { readonly held?: HeldKey; readonly version?: KnownVersion };
}

/** Writes what is missing and moves the labels, in the order that never labels a key no key pair holds. */
export async function settleLabels(secret: SecretOfEvent, wanted: WantedLabels): Promise<void> {
  const current = wanted.current.version ?? (await writeVersion(secret, wanted.current, PENDING));
  await moveLabel(secret, CURRENT, current);
  const previous = wanted.previous?.held;
  if (previous && !previous.version) await writeVersion(secret, previous, PREVIOUS);
  else await moveLabel(secret, PREVIOUS, previous?.version ?? wanted.previous?.version);
  await moveLabel(secret, PENDING, undefined);
}

/**
 * Writes `held`'s key as a version naming its key pair, labelled `stage` (the label leaves the
 * version that had it). Its id comes from the generation and the key pair, so a repeat of the same
 * write is a no-op. A secret's first version gets AWSCURRENT from Secrets Manager as well.
 */
export async function writeVersion(secret: SecretOfEvent, held: HeldKey, stage: Stage): Promise<KnownVersion> {
  const value = held.value!;
  const versionId = versionIdOf(held.generation, held.arn);
  const first = secret.versions.all.length === 0;
  await secret.secrets.putVersion(secret.secretArn, versionId, serializeKeyValue(value, secret.kind), [stage]);
  secret.keyPairs.wrote(held.arn);
  return secret.versions.wrote(versionId, value, first ? [stage, CURRENT] : [stage]);
}

/**
 * Puts `stage` on `to` (or, `to` undefined, removes it) unless it is there already. Moving
 * AWSCURRENT makes Secrets Manager move AWSPREVIOUS to the version it left.
 */
export async function moveLabel(secret: SecretOfEvent, stage: Stage, to: KnownVersion | undefined): Promise<void> {
  const from = secret.versions.labelled(stage);
  if (from?.versionId === to?.versionId) return;
  await secret.secrets.moveStage(secret.secretArn, stage, { to: to?.versionId, from: from?.versionId });
  secret.versions.moved(stage, to && secret.versions.get(to.versionId));
}
