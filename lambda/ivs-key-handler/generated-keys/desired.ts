import {
  EVENT_MARKER_TAG_KEY,
  GENERATION_TAG_KEY,
  GeneratedKeyPairProperty,
  OWNER_TAG_KEY,
} from '../../../lib/shared/contract';
import {
  isSecretArn,
  MAX_GENERATED_KEY_USER_TAGS,
  ownerOfSecret,
  validateGeneratedKeyTags,
  validateGeneration,
} from '../../../lib/shared/generated-key';
import {
  PlaybackKeyPairValidationError,
  tagsFromProperty,
  validatePlaybackKeyPairName,
} from '../../../lib/shared/validation';
import { KeyKind, PLAYBACK_KEY_PAIRS } from '../../../lib/shared/key-kinds';
import { eventMarker } from '../event-marker';
import { eventClock } from '../stale-event';

/** What a generated key pair's properties ask for, checked as at synth time. */
export interface DesiredGeneratedKey {
  readonly secretArn: string;
  readonly generation: number;
  readonly keepPreviousKey: boolean;
  readonly name: string;
  readonly userTags: Record<string, string>;
  /** The owner tag's value: the secret's ARN. */
  readonly owner: string;
  /** The event marker's tag (event-marker.ts), when the event's signing time is known and IVS's 50 tags leave room. */
  readonly markerTag: Record<string, string>;
}

type Properties = Record<string, unknown>;

/** What the handler reads from the event besides the properties: when CloudFormation signed it. */
export interface SignedEvent {
  readonly ResponseURL?: string;
  readonly ResourceProperties?: Properties;
}

/** Reads and validates the properties; throws the construct's messages. */
export function desiredGeneratedKey(
  properties: Properties,
  event: SignedEvent = {},
  kind: Pick<KeyKind, 'nameOption'> = PLAYBACK_KEY_PAIRS,
): DesiredGeneratedKey {
  const secretArn = secretArnOf(properties);
  if (!secretArn) {
    throw new PlaybackKeyPairValidationError(
      `Invalid ${GeneratedKeyPairProperty.SECRET_ARN}: expected a Secrets Manager secret ARN`,
    );
  }
  const generation = Number(properties[GeneratedKeyPairProperty.GENERATION] ?? '1');
  validateGeneration(generation);
  const keepPrevious = String(properties[GeneratedKeyPairProperty.KEEP_PREVIOUS_KEY] ?? 'true');
  if (keepPrevious !== 'true' && keepPrevious !== 'false') {
    throw new PlaybackKeyPairValidationError(
      `Invalid ${GeneratedKeyPairProperty.KEEP_PREVIOUS_KEY} ${JSON.stringify(keepPrevious)}: ` +
        'expected "true" or "false"',
    );
  }
  const name = properties[GeneratedKeyPairProperty.NAME] ?? '';
  validatePlaybackKeyPairName(name as string, kind.nameOption);
  // The checks and messages of PlaybackKeyPair's Tags (a map of strings, or the list form of older templates).
  const userTags = tagsFromProperty(properties[GeneratedKeyPairProperty.TAGS]);
  validateGeneratedKeyTags(userTags);
  const { signedAtMs } = eventClock(event);
  return {
    secretArn,
    generation,
    keepPreviousKey: keepPrevious === 'true',
    name: name as string,
    userTags,
    owner: ownerOfSecret(secretArn),
    markerTag:
      signedAtMs !== undefined && Object.keys(userTags).length < MAX_GENERATED_KEY_USER_TAGS
        ? { [EVENT_MARKER_TAG_KEY]: eventMarker(signedAtMs) }
        : {},
  };
}

/** The secret's ARN if the properties hold a valid one. */
export function secretArnOf(properties: Properties | undefined): string | undefined {
  const arn = String(properties?.[GeneratedKeyPairProperty.SECRET_ARN] ?? '');
  return isSecretArn(arn) ? arn : undefined;
}

/**
 * The tags of the key pair that holds `generation`: the user's, the owner tag, the generation tag
 * and, when there is room, the event marker.
 */
export function tagsFor(desired: DesiredGeneratedKey, generation: number): Record<string, string> {
  return {
    ...desired.userTags,
    [OWNER_TAG_KEY]: desired.owner,
    [GENERATION_TAG_KEY]: String(generation),
    ...desired.markerTag,
  };
}
