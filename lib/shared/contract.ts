/**
 * The contract between the construct (which writes the custom resource into the template) and
 * the handler (which serves it at deploy time), in one place: the resource type, the property and
 * attribute names, the owner tag, the physical-id markers and the handler's Node.js major.
 *
 * Imported by the construct (lib/construct/), the handler (lambda/) and the build scripts
 * (scripts/, through the compiled lib/shared/contract.js). Constants only: no imports at all.
 *
 * @internal
 */

/** The CloudFormation resource type of a `PlaybackKeyPair`. */
export const PLAYBACK_KEY_PAIR_RESOURCE_TYPE = 'Custom::IvsPlaybackKeyPair';

/** The properties the construct writes and the handler reads (all arrive as strings or a tag map). */
export const KeyPairProperty = {
  /** The public key, a PEM SubjectPublicKeyInfo block. */
  PUBLIC_KEY_MATERIAL: 'PublicKeyMaterial',
  /** The key pair's name in IVS. */
  NAME: 'Name',
  /** The user's tags, a map (an older template format may send a list of `{Key, Value}`). */
  TAGS: 'Tags',
} as const;

/** The attributes the handler answers with and the construct reads with `Fn::GetAtt`. */
export const KeyPairAttribute = {
  /** The imported key pair's ARN. */
  ARN: 'Arn',
  /** The fingerprint IVS computed for the imported key. */
  FINGERPRINT: 'Fingerprint',
} as const;

/**
 * The tag the handler puts on every key pair it imports, naming the stack and logical resource
 * that own it. Users cannot set it, so they can neither remove nor overwrite it.
 */
export const OWNER_TAG_KEY = 'cdk-ivs-playback-key-pair:owner';

/**
 * The PhysicalResourceId a failed Create answers with when it knows that it imported nothing
 * (CloudFormation requires an id in every answer, FAILED included). The Delete that CloudFormation
 * sends for it after the failed Create succeeds without calling IVS. Every other id that is not a
 * playback-key ARN may hide a key pair whose Create answer was lost.
 */
export const NOTHING_IMPORTED_PHYSICAL_ID = 'cdk-ivs-playback-key-pair:create-failed:nothing-imported';

/**
 * The PhysicalResourceId a failed Create answers with when an Import may have created a key pair
 * without the handler learning its ARN (no answer from IVS, the handler's deadline, a 5xx), or when
 * it saw a key pair carrying this resource's owner tag. Not an ARN, and not
 * `NOTHING_IMPORTED_PHYSICAL_ID`: the Delete for it looks for this resource's key pairs by owner tag.
 */
export const IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID = 'cdk-ivs-playback-key-pair:create-failed:import-outcome-unknown';

/**
 * The Node.js major version the custom-resource handler runs on in Lambda (`nodejs<major>.x`).
 *
 * The construct's Lambda runtime, the esbuild target of the handler bundle
 * (scripts/bundle-handler.mjs) and the Node.js the handler's tests run on (scripts/with-node.mjs,
 * from tools/node-versions/) all read it, so they move together.
 */
export const HANDLER_NODE_MAJOR = 24;

// ---- Stale and repeated deliveries, owner tags that were hashed (issue 16) ----

/**
 * The tag on which the handler records, on every key pair it imports or re-tags, when CloudFormation
 * signed the event that did it (the ResponseURL's signing time, `YYYYMMDDTHHMMSSZ`). CloudFormation
 * sends one resource's events one after another, so an event signed before a key pair's marker was
 * superseded by a later one: a late or repeated delivery, which changes nothing. Users cannot set it.
 */
export const EVENT_MARKER_TAG_KEY = 'cdk-ivs-playback-key-pair:event-signed-at';

/**
 * How an owner tag too long for a tag value (256) is written: this prefix, the SHA-256 of the stack
 * id, then `/<logical id>` when that fits, or `:<SHA-256 of stack id/logical id>` when it does not.
 * Either way the handler recognises the stack by recomputing the first hash from the event.
 */
export const HASHED_OWNER_PREFIX = 'sha256-stack:';

/** The largest `PublicKeyMaterial` the construct and the handler accept, in characters (a P-384 PEM has 215). */
export const MAX_PUBLIC_KEY_MATERIAL_LENGTH = 4096;

// ---- GeneratedPlaybackKeyPair (issue 17) ----

/** The CloudFormation resource type of a `GeneratedPlaybackKeyPair`, served by the same handler. */
export const GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE = 'Custom::IvsGeneratedPlaybackKeyPair';

/** The properties of a generated key pair (all arrive as strings or a tag map). */
export const GeneratedKeyPairProperty = {
  /** The ARN of the secret that holds the key pairs: its staging labels are the resource's state. */
  SECRET_ARN: 'SecretArn',
  /** A positive integer; raising it rotates at the next deploy. */
  GENERATION: 'Generation',
  /** `"true"` or `"false"`: whether the key before the current one stays imported. */
  KEEP_PREVIOUS_KEY: 'KeepPreviousKey',
  /** The key pairs' name in IVS (current and previous share it). */
  NAME: 'Name',
  /** The user's tags, a map. */
  TAGS: 'Tags',
} as const;

/** The attributes a generated key pair answers with. */
export const GeneratedKeyPairAttribute = {
  /** The current key pair's ARN. */
  ARN: 'Arn',
  /** The current key pair's fingerprint. */
  FINGERPRINT: 'Fingerprint',
  /** The previous key pair's ARN, or "" when there is none. */
  PREVIOUS_ARN: 'PreviousArn',
  /** The generation of the current key (after a rollback, higher than the template's). */
  GENERATION: 'Generation',
} as const;

/**
 * The tag naming the generation of the key a generated key pair holds, so that one
 * ListPlaybackKeyPairs tells the current key pair from the previous one. Reserved like the owner tag.
 */
export const GENERATION_TAG_KEY = 'cdk-ivs-playback-key-pair:generation';

/**
 * A secret version the handler writes has the VersionId (and ClientRequestToken)
 * `<prefix><generation>-<32 hex digits of the SHA-256 of the ARN of the key pair that holds its key>`
 * (47 to 62 characters; Secrets Manager allows 32 to 64): one version per key and key pair, so a
 * repeated event finds, by the ids alone, what an earlier delivery wrote, and a repeated write of
 * the same value is a no-op.
 */
export const GENERATED_KEY_VERSION_PREFIX = 'cdk-ivs-key-g';

/** Playback key pairs IVS allows per account and region (not adjustable). */
export const KEY_PAIR_QUOTA = 3;

// ---- IVS Real-Time stage public keys (issue 24): the same properties and attributes as their playback twins ----

/** The CloudFormation resource type of a `StagePublicKey` (its properties are `KeyPairProperty`'s). */
export const STAGE_PUBLIC_KEY_RESOURCE_TYPE = 'Custom::IvsStagePublicKey';

/** The CloudFormation resource type of a `GeneratedStagePublicKey` (its properties are `GeneratedKeyPairProperty`'s). */
export const GENERATED_STAGE_PUBLIC_KEY_RESOURCE_TYPE = 'Custom::IvsGeneratedStagePublicKey';

// ---- Scheduled rotation (issue 23): Secrets Manager invokes the same handler with its own events ----

/**
 * The tags the construct puts on a generated key's secret when it has a `rotationSchedule`, so that a
 * rotation event (which names only the secret) tells the handler what the template says:
 * which generated resource type the secret serves (its kind) and whether the key before the current
 * one stays imported. The key's name and user tags are those of the key AWSCURRENT's version names in
 * IVS. Reserved like the owner tag.
 */
export const RotationSecretTag = {
  /** The generated resource type, e.g. `Custom::IvsGeneratedPlaybackKeyPair`. */
  RESOURCE_TYPE: 'cdk-ivs-playback-key-pair:resource-type',
  /** `"true"` or `"false"`, the resource's `KeepPreviousKey`. */
  KEEP_PREVIOUS_KEY: 'cdk-ivs-playback-key-pair:keep-previous-key',
} as const;

/**
 * The shortest and longest `rotationSchedule` the constructs accept, in hours (4 hours to 999 days):
 * a Secrets Manager `rate()` expression "can rotate a secret as often as every four hours. The maximum
 * rotation period is 999 days" (user guide, "Rotation schedules"; `AutomaticallyAfterDays` allows 1000,
 * but cannot say hours). docs/facts/secrets-manager-rotation.md.
 */
export const ROTATION_SCHEDULE_HOURS = { MIN: 4, MAX: 23_976 } as const;
