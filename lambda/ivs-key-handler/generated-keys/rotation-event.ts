/**
 * Secrets Manager's rotation events, as the same function receives them besides CloudFormation's:
 * what one looks like, its checks, and which generated key its secret serves (the tags the construct
 * puts on the secret, `RotationSecretTag` in lib/shared/contract.ts). The steps are in rotation.ts.
 */
import { RotationSecretTag } from '../../../lib/shared/contract';
import { KeyKind, keyKindOf, PLAYBACK_KEY_PAIRS, STAGE_PUBLIC_KEYS } from '../../../lib/shared/key-kinds';
import type { SecretsSession } from './secrets-session';

/** The four steps Secrets Manager invokes a rotation function with, in this order. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/**
 * A rotation event: `Step`, `SecretId` (the secret's ARN) and `ClientRequestToken` (the id of the
 * version the rotation writes); `RotationToken` too since 2024, which PutSecretValue passes back.
 */
export interface RotationEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken?: string;
}

/** Whether `event` comes from Secrets Manager's rotation rather than CloudFormation (it has a `Step`, no `RequestType`). */
export function isRotationEvent(event: object): boolean {
  return 'Step' in event && !('RequestType' in event);
}

/** Checks the event's fields; throws naming the field and what is allowed. */
export function validRotationEvent(event: Record<string, unknown>): RotationEvent {
  const { Step, SecretId, ClientRequestToken, RotationToken } = event;
  if (!ROTATION_STEPS.includes(Step as RotationStep)) {
    throw new Error(
      `Invalid rotation Step ${JSON.stringify(Step)}: expected one of ${ROTATION_STEPS.join(', ')}; nothing was changed.`,
    );
  }
  if (typeof SecretId !== 'string' || SecretId.length === 0) {
    throw new Error('Invalid rotation event: SecretId must name the secret; nothing was changed.');
  }
  // Secrets Manager's version ids are 32 to 64 characters.
  if (typeof ClientRequestToken !== 'string' || !/^[\x21-\x7e]{32,64}$/.test(ClientRequestToken)) {
    throw new Error(
      `Invalid rotation ClientRequestToken ${JSON.stringify(ClientRequestToken)}: expected a version id of ` +
        '32 to 64 printable characters; nothing was changed.',
    );
  }
  if (RotationToken !== undefined && typeof RotationToken !== 'string') {
    throw new Error('Invalid rotation event: RotationToken must be a string; nothing was changed.');
  }
  return { Step: Step as RotationStep, SecretId, ClientRequestToken, RotationToken };
}

/** What the secret's tags say about the generated key it holds. */
export interface RotationTarget {
  /** The secret's full ARN: the owner tag of its key pairs. */
  readonly secretArn: string;
  readonly kind: KeyKind;
  readonly keepPreviousKey: boolean;
}

/**
 * Reads the secret's tags (one DescribeSecret). A secret without them is not the secret of a generated
 * key with a `rotationSchedule` (or was created by an older version of the construct): the rotation
 * fails saying so, having changed nothing.
 */
export async function rotationTarget(secrets: SecretsSession, secretId: string): Promise<RotationTarget> {
  const { arn, tags } = await secrets.describe(secretId);
  const resourceType = tags[RotationSecretTag.RESOURCE_TYPE];
  const served = resourceType === undefined ? undefined : keyKindOf(resourceType);
  const generatedTypes = [PLAYBACK_KEY_PAIRS, STAGE_PUBLIC_KEYS].map((kind) => kind.generatedResourceType);
  if (!served?.generated) {
    throw new Error(
      `The secret ${arn} cannot be rotated by this function: its tag ${RotationSecretTag.RESOURCE_TYPE} is ` +
        `${resourceType === undefined ? 'missing' : JSON.stringify(resourceType)}, expected one of ` +
        `${generatedTypes.join(', ')}. Only the secret of a GeneratedPlaybackKeyPair or GeneratedStagePublicKey ` +
        'with a rotationSchedule rotates here (deploy the stack to tag it); nothing was imported or changed.',
    );
  }
  const keepPrevious = tags[RotationSecretTag.KEEP_PREVIOUS_KEY];
  if (keepPrevious !== 'true' && keepPrevious !== 'false') {
    throw new Error(
      `The secret ${arn} cannot be rotated by this function: its tag ${RotationSecretTag.KEEP_PREVIOUS_KEY} is ` +
        `${keepPrevious === undefined ? 'missing' : JSON.stringify(keepPrevious)}, expected "true" or "false" ` +
        '(deploy the stack to tag it); nothing was imported or changed.',
    );
  }
  return { secretArn: arn, kind: served.kind, keepPreviousKey: keepPrevious === 'true' };
}
