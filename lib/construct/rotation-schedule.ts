/**
 * A generated key's `rotationSchedule` (issue 23): Secrets Manager invokes the stack's one handler on
 * that schedule with its four rotation steps, and the handler rotates the key as a deploy that raises
 * `generation` would. What the template gets for it, written once for both key kinds: the secret's
 * `AWS::SecretsManager::RotationSchedule`, Lambda's permission for Secrets Manager, the one action the
 * steps need beyond what the generated key already grants, and the secret's tags that tell the handler
 * what the template says (a rotation event names only the secret).
 *
 * The schedule is a `rate()` expression in whole hours or days, which is all Secrets Manager's rate
 * expressions take ("Rotation schedules", docs/facts/secrets-manager-rotation.md).
 *
 * @internal
 */
import {
  CustomResource,
  Duration,
  Stack,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlaybackKeyPairProvider } from './playback-key-pair-provider';
import { ROTATION_SCHEDULE_HOURS, RotationSecretTag } from '../shared/contract';
import type { KeyKind } from '../shared/key-kinds';
import { PlaybackKeyPairValidationError } from '../shared/validation-error';

/**
 * The priority of the reserved tags on the secret: above `Tags.of()`'s default (100), so a user's tag
 * of the same key cannot change what the handler reads.
 */
const RESERVED_TAG_PRIORITY = 1000;

/**
 * The `ScheduleExpression` of `schedule`: `rate(N days)` when it is whole days, else `rate(N hours)`.
 * Refuses a token, a fraction of an hour, and anything outside 4 hours to 999 days, naming the prop.
 */
export function rotationScheduleExpression(schedule: Duration): string {
  const allowed =
    `use a whole number of hours from ${ROTATION_SCHEDULE_HOURS.MIN} hours to ` +
    `${ROTATION_SCHEDULE_HOURS.MAX / 24} days, such as Duration.hours(${ROTATION_SCHEDULE_HOURS.MIN}) or ` +
    'Duration.days(30) (Secrets Manager rotates on rate expressions in whole hours or days)';
  if (schedule.isUnresolved()) {
    throw new PlaybackKeyPairValidationError(`Invalid rotationSchedule: it must be known at synth time; ${allowed}`);
  }
  const hours = schedule.toHours({ integral: false });
  if (!Number.isInteger(hours) || hours < ROTATION_SCHEDULE_HOURS.MIN || hours > ROTATION_SCHEDULE_HOURS.MAX) {
    throw new PlaybackKeyPairValidationError(`Invalid rotationSchedule ${schedule.toHumanString()}: ${allowed}`);
  }
  if (hours % 24 === 0) return hours === 24 ? 'rate(1 day)' : `rate(${hours / 24} days)`;
  return `rate(${hours} hours)`;
}

/** What a scheduled rotation acts on: a generated key's secret and the custom resource that fills it. */
export interface ScheduledKey {
  readonly kind: KeyKind;
  readonly secret: secretsmanager.Secret;
  /** The key's custom resource: it writes generation 1, and the schedule waits for it. */
  readonly resource: CustomResource;
  readonly keepPreviousKey: boolean;
}

/**
 * Puts `key`'s secret on the rotation schedule `scheduleExpression`, rotated by the stack's handler.
 * The schedule waits for the key's resource (Secrets Manager must never rotate the empty secret), for
 * Lambda's permission and for the handler's policy on the secret: Secrets Manager runs the handler's
 * testSecret step when the schedule is created.
 */
export function scheduleRotation(scope: Construct, key: ScheduledKey, scheduleExpression: string): void {
  const cfnSecret = key.secret.node.defaultChild as secretsmanager.CfnSecret;
  cfnSecret.tags.setTag(RotationSecretTag.RESOURCE_TYPE, key.kind.generatedResourceType, RESERVED_TAG_PRIORITY);
  cfnSecret.tags.setTag(RotationSecretTag.KEEP_PREVIOUS_KEY, String(key.keepPreviousKey), RESERVED_TAG_PRIORITY);

  const provider = PlaybackKeyPairProvider.getOrCreate(scope);
  const policy = provider.allowRotationOf(key.secret);
  // Only Secrets Manager, only for this secret, only in this account (the confused-deputy guard).
  const permission = new lambda.CfnPermission(scope, 'RotationPermission', {
    action: 'lambda:InvokeFunction',
    functionName: provider.handler.functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceArn: key.secret.secretArn,
    sourceAccount: Stack.of(scope).account,
  });
  const schedule = new secretsmanager.CfnRotationSchedule(scope, 'RotationSchedule', {
    secretId: key.secret.secretArn,
    rotationLambdaArn: provider.handler.functionArn,
    rotationRules: { scheduleExpression },
    // A new or changed schedule waits for its window: a deploy never rotates by itself.
    rotateImmediatelyOnUpdate: false,
  });
  schedule.node.addDependency(key.resource, permission, policy);
}
