/**
 * What the construct and the handler share about a `GeneratedPlaybackKeyPair`: the secret's value,
 * its version ids, the checks of its properties and the slots it takes. `node:crypto` only: the
 * handler bundles this file.
 *
 * @internal
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { GENERATED_KEY_VERSION_PREFIX, GENERATION_TAG_KEY } from './contract';
import type { KeyKind } from './key-kinds';
import { fingerprintOfDer, PlaybackKeyPairValidationError, validateTags } from './validation';

/** A generated key as it exists in memory, before any key pair holds it. */
export interface GeneratedKeyMaterial {
  /** PKCS#8 PEM of the private half: signs viewer tokens. */
  readonly privateKeyPem: string;
  /** SubjectPublicKeyInfo PEM of the public half: what IVS imports. */
  readonly publicKeyPem: string;
  /** The fingerprint IVS reports for the public half. */
  readonly fingerprint: string;
  /** The construct's generation that created this key. */
  readonly generation: number;
}

/**
 * The value of each version of a generated key's secret (JSON): the key and the ARN IVS gave it (a
 * version is written only after IVS imported its key). The ARN's field is the kind's
 * (`playbackKeyPairArn` or `publicKeyArn`, see key-kinds.ts); readers that ignore it keep working.
 */
export interface GeneratedKeyValue extends GeneratedKeyMaterial {
  /** The ARN of the playback key pair or public key that holds this key. */
  readonly keyArn: string;
}

/** IVS allows 50 tags; the owner tag and the generation tag take two (and the event marker one when room is left). */
export const MAX_GENERATED_KEY_USER_TAGS = 48;

/** A fresh ECDSA P-384 key for `generation`, in memory only. */
export function generateKeyValue(generation: number): GeneratedKeyMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: fingerprintOfDer(publicKey.export({ type: 'spki', format: 'der' })),
    generation,
  };
}

/**
 * The value as the secret stores it, its fields in one order, so that writing it twice writes the
 * same text; the ARN under the field of `kind` (`playbackKeyPairArn`, `publicKeyArn`).
 */
export function serializeKeyValue(value: GeneratedKeyValue, kind: Pick<KeyKind, 'valueArnField'>): string {
  const { privateKeyPem, publicKeyPem, fingerprint, generation, keyArn } = value;
  return JSON.stringify({ privateKeyPem, publicKeyPem, fingerprint, generation, [kind.valueArnField]: keyArn });
}

/** 32 hex digits of the SHA-256 of a key pair's ARN: what a version id says of the key pair that holds its key. */
export function keyPairDigest(keyPairArn: string): string {
  return createHash('sha256').update(keyPairArn).digest('hex').slice(0, 32);
}

/** The VersionId (and ClientRequestToken) of the version of `generation` whose key `keyPairArn` holds. */
export function versionIdOf(generation: number, keyPairArn: string): string {
  return `${GENERATED_KEY_VERSION_PREFIX}${generation}-${keyPairDigest(keyPairArn)}`;
}

/** What a VersionId the handler wrote says; undefined for a version it did not write. */
export function parseVersionId(versionId: string): { generation: number; keyPairDigest: string } | undefined {
  const match = /^(\d{1,16})-([0-9a-f]{32})$/.exec(
    versionId.startsWith(GENERATED_KEY_VERSION_PREFIX) ? versionId.slice(GENERATED_KEY_VERSION_PREFIX.length) : '',
  );
  const generation = Number(match?.[1]);
  return match && isValidGeneration(generation) ? { generation, keyPairDigest: match[2] } : undefined;
}

/** The highest generation (16 digits at most, so that a VersionId fits Secrets Manager's 64 characters; a JSON number). */
const MAX_GENERATION = Number.MAX_SAFE_INTEGER;

function isValidGeneration(generation: number): boolean {
  return Number.isSafeInteger(generation) && generation >= 1 && generation <= MAX_GENERATION;
}

/** Checks a generation: a positive integer. */
export function validateGeneration(generation: number): void {
  if (!isValidGeneration(generation)) {
    throw new PlaybackKeyPairValidationError(
      `Invalid generation ${JSON.stringify(generation)}: use a whole number ` +
        'from 1 upwards, and raise it to rotate the key',
    );
  }
}

/** Checks the user's tags of a generated key pair: IVS's limits, and both reserved keys. */
export function validateGeneratedKeyTags(
  tags: Record<string, string>,
  isUnresolved: (value: string) => boolean = () => false,
): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_GENERATED_KEY_USER_TAGS) {
    throw new PlaybackKeyPairValidationError(
      `Too many tags (${keys.length}): at most ${MAX_GENERATED_KEY_USER_TAGS} ` +
        'are allowed (IVS allows 50 per key and a generated key uses two to recognise its keys)',
    );
  }
  if (keys.includes(GENERATION_TAG_KEY)) {
    throw new PlaybackKeyPairValidationError(
      `Invalid tag key "${GENERATION_TAG_KEY}": it is reserved for the tag that ` +
        'names the generation of a generated key',
    );
  }
  validateTags(tags, isUnresolved);
}

/** The key pairs a generated key pair holds between deploys: the current one, and the previous one if kept. */
export function generatedKeySlots(keepPreviousKey: boolean): number {
  return keepPreviousKey ? 2 : 1;
}

/**
 * The owner tag of a generated key's key pairs: its secret's ARN, which follows the resource through
 * `cdk refactor` (a new logical ID) and is unique to it; hashed when too long for a tag value.
 */
export function ownerOfSecret(secretArn: string): string {
  return secretArn.length <= 256 ? secretArn : `sha256:${createHash('sha256').update(secretArn).digest('hex')}`;
}

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** Whether `arn` is a Secrets Manager secret's ARN. */
export function isSecretArn(arn: string): boolean {
  return SECRET_ARN.test(arn);
}
