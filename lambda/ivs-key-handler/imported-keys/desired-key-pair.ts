import { EVENT_MARKER_TAG_KEY, KeyPairProperty, OWNER_TAG_KEY } from '../../../lib/shared/contract';
import { KeyKind, PLAYBACK_KEY_PAIRS } from '../../../lib/shared/key-kinds';
import {
  MAX_USER_TAGS,
  tagsFromProperty,
  validatePlaybackKeyPairName,
  validatePublicKeyMaterial,
  validateTags,
} from '../../../lib/shared/validation';
import { eventMarker } from '../event-marker';
import { IvsKeyToImport } from '../ivs-apis/key-session';
import { ownerOf, ownerTagValues, ResourceIdentity } from './owner-tag';
import { eventClock } from '../stale-event';

export { ownerOf } from './owner-tag';
export type { ResourceIdentity } from './owner-tag';

/** The key pair a resource's properties ask for, checked as IVS would check it. */
export interface DesiredKeyPair extends IvsKeyToImport {
  /** The public key's DER, to tell a key change from a reformatted PEM. */
  readonly der: Buffer;
  /** The fingerprint IVS will give the key, to find it among existing key pairs. */
  readonly fingerprint: string;
  /** The owner tag's value: this stack and logical resource. */
  readonly owner: string;
  /** Every owner tag value that marks this resource's key pairs (today's, and an older hash). */
  readonly ownerTagValues: readonly string[];
  /** This stack's id, to tell its other resources' key pairs from strangers'. */
  readonly stackId: string;
}

/** What the handler reads from an event to know the resource and when CloudFormation sent it. */
export interface EventIdentity extends ResourceIdentity {
  readonly ResponseURL?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}

type Properties = Record<string, unknown>;

/**
 * Reads and validates the properties; throws the same messages the construct throws at synth time.
 * The tags to write are the user's, the owner tag and, when the event's signing time is known and
 * IVS's 50 tags leave room, the event marker (see event-marker.ts).
 */
export function desiredKeyPair(
  properties: Properties,
  event: EventIdentity,
  kind: Pick<KeyKind, 'nameOption'> = PLAYBACK_KEY_PAIRS,
): DesiredKeyPair {
  const {
    der,
    fingerprint,
    pem: publicKeyMaterial,
  } = validatePublicKeyMaterial((properties[KeyPairProperty.PUBLIC_KEY_MATERIAL] ?? '') as string);
  const name = properties[KeyPairProperty.NAME] ?? '';
  validatePlaybackKeyPairName(name as string, kind.nameOption);
  const userTags = tagsFromProperty(properties[KeyPairProperty.TAGS]);
  validateTags(userTags);
  const owner = ownerOf(event);
  const { signedAtMs } = eventClock(event);
  const marker: Record<string, string> =
    signedAtMs !== undefined && Object.keys(userTags).length < MAX_USER_TAGS
      ? { [EVENT_MARKER_TAG_KEY]: eventMarker(signedAtMs) }
      : {};
  return {
    publicKeyMaterial,
    name: name as string,
    der,
    fingerprint,
    owner,
    ownerTagValues: ownerTagValues(event),
    stackId: event.StackId,
    tags: { ...userTags, [OWNER_TAG_KEY]: owner, ...marker },
  };
}

/** The fingerprint of the key in `properties`, or undefined when it cannot be read. */
export function fingerprintOf(properties: Properties | undefined): string | undefined {
  try {
    return validatePublicKeyMaterial(properties?.[KeyPairProperty.PUBLIC_KEY_MATERIAL] as string).fingerprint;
  } catch {
    return undefined;
  }
}

/** Whether the previous properties held the same public key (false when they cannot be read). */
export function holdsSameKey(previous: Properties | undefined, desired: DesiredKeyPair): boolean {
  try {
    return validatePublicKeyMaterial(previous?.[KeyPairProperty.PUBLIC_KEY_MATERIAL] as string).der.equals(desired.der);
  } catch {
    return false;
  }
}

/** The previous name, if the previous properties had one. */
export function previousName(previous: Properties | undefined): string {
  return String(previous?.[KeyPairProperty.NAME] ?? '');
}
