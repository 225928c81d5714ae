import { GENERATION_TAG_KEY, GeneratedKeyPairProperty, OWNER_TAG_KEY } from '../../../lib/shared/contract';
import {
  isSecretArn,
  ownerOfSecret,
  validateGeneratedKeyTags,
  validateGeneration,
} from '../../../lib/shared/generated-key';
import { PlaybackKeyPairValidationError, validatePlaybackKeyPairName } from '../../../lib/shared/validation';

/** What a generated key pair's properties ask for, checked as at synth time. */
export interface DesiredGeneratedKey {
  readonly secretArn: string;
  readonly generation: number;
  readonly keepPreviousKey: boolean;
  readonly name: string;
  readonly userTags: Record<string, string>;
  /** The owner tag's value: the secret's ARN. */
  readonly owner: string;
}

type Properties = Record<string, unknown>;

/** Reads and validates the properties; throws the construct's messages. */
export function desiredGeneratedKey(properties: Properties): DesiredGeneratedKey {
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
  const name = String(properties[GeneratedKeyPairProperty.NAME] ?? '');
  validatePlaybackKeyPairName(name);
  const userTags = tagsOf(properties);
  validateGeneratedKeyTags(userTags);
  return {
    secretArn,
    generation,
    keepPreviousKey: keepPrevious === 'true',
    name,
    userTags,
    owner: ownerOfSecret(secretArn),
  };
}

/** The secret's ARN if the properties hold a valid one. */
export function secretArnOf(properties: Properties | undefined): string | undefined {
  const arn = String(properties?.[GeneratedKeyPairProperty.SECRET_ARN] ?? '');
  return isSecretArn(arn) ? arn : undefined;
}

/** The tags of the key pair that holds `generation`: the user's, the owner tag and the generation tag. */
export function tagsFor(desired: DesiredGeneratedKey, generation: number): Record<string, string> {
  return { ...desired.userTags, [OWNER_TAG_KEY]: desired.owner, [GENERATION_TAG_KEY]: String(generation) };
}

function tagsOf(properties: Properties): Record<string, string> {
  const tags = properties[GeneratedKeyPairProperty.TAGS];
  if (tags && typeof tags === 'object' && !Array.isArray(tags)) {
    return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, String(value)]));
  }
  return {};
}
