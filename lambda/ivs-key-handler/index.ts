import { IvsClient } from '@aws-sdk/client-ivs';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CloudFormationResponse, RESPONSE_TIME_BUDGET_MS, sendResponse } from './cloudformation-response';
import { SupersededEventError } from './event-marker';
import { physicalIdAfterFailure } from './imported-keys/failed-create';
import { generatedPhysicalIdAfterFailure, onGeneratedKeyPairEvent } from './generated-keys/lifecycle';
import { onRotationStep } from './generated-keys/rotation';
import { isRotationEvent, RotationEvent, rotationTarget, validRotationEvent } from './generated-keys/rotation-event';
import { SecretsSession } from './generated-keys/secrets-session';
import type { KeyApi } from './ivs-apis/key-api';
import { IvsDeadline, KeySession } from './ivs-apis/key-session';
import { playbackKeyPairsApi } from './ivs-apis/playback-key-pairs';
import { publicKeysApi } from './ivs-apis/public-keys';
import { onCreate, onDelete, onUpdate, Outcome } from './imported-keys/lifecycle';
import { EventClock, eventClock, msUntilAnswerDue, retryCanStillAnswer, staleReason } from './stale-event';
import { KeyPairAttribute } from '../../lib/shared/contract';
import { KeyKind, keyKindOf, PLAYBACK_KEY_PAIRS, STAGE_PUBLIC_KEYS } from '../../lib/shared/key-kinds';

/**
 * One client per IVS API, created by the first event that needs it and kept for the container.
 * Default configuration, so AWS_REGION, AWS_ENDPOINT_URL_IVS and AWS_ENDPOINT_URL_IVS_REALTIME work;
 * more attempts than the SDK's 3, because IVS allows only 3 calls a second per key operation and
 * account, and CloudFormation creates resources in parallel.
 */
const maxAttempts = Number(process.env.AWS_MAX_ATTEMPTS) || 10;
const keyApis = new Map<KeyKind, KeyApi>();
/** Default configuration too (AWS_ENDPOINT_URL_SECRETS_MANAGER); created by the first generated key's event. */
let secretsClient: SecretsManagerClient | undefined;

function keyApiOf(kind: KeyKind): KeyApi {
  let api = keyApis.get(kind);
  if (!api) {
    api =
      kind === PLAYBACK_KEY_PAIRS
        ? playbackKeyPairsApi(new IvsClient({ maxAttempts }))
        : publicKeysApi(new IVSRealTimeClient({ maxAttempts }));
    keyApis.set(kind, api);
  }
  return api;
}

/** The part of the Lambda context the handler reads. */
export type HandlerContext = Pick<Context, 'getRemainingTimeInMillis'>;

/**
 * Handles Secrets Manager's rotation events of a generated key's secret (generated-keys/rotation.ts),
 * and CloudFormation's events for the four resource types of lib/shared/key-kinds.ts (a key you
 * bring, or a generated one, of playback key pairs or of stage public keys), answering each with exactly
 * one PUT to its ResponseURL, before the Lambda timeout: IVS calls get the time left minus what
 * the answer needs, and a call still running then fails the event with its name.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent | RotationEvent,
  context: HandlerContext,
): Promise<void> {
  if (isRotationEvent(event)) return onRotationEvent(event as unknown as Record<string, unknown>, context);
  return onCloudFormationEvent(event as CloudFormationCustomResourceEvent, context);
}

/**
 * A step of Secrets Manager's scheduled rotation of a generated key (generated-keys/rotation.ts):
 * resolves when it is done, throws otherwise (Secrets Manager then stops the rotation and retries it
 * at the next schedule), before the Lambda timeout.
 */
async function onRotationEvent(event: Record<string, unknown>, context: HandlerContext): Promise<void> {
  // Ids only: never the RotationToken, never a value.
  const logLine = {
    rotationStep: event.Step,
    secretId: event.SecretId,
    clientRequestToken: event.ClientRequestToken,
  };
  const deadline = rotationDeadline(context);
  const secrets = new SecretsSession((secretsClient ??= new SecretsManagerClient({})), deadline);
  let ivs: KeySession | undefined;
  const calls = () => ({ ivsCalls: ivs?.calls ?? [], retries: ivs?.retries ?? 0, secretsManagerCalls: secrets.calls });
  try {
    const rotation = validRotationEvent(event);
    const target = await rotationTarget(secrets, rotation.SecretId);
    ivs = new KeySession(keyApiOf(target.kind), deadline);
    const action = await onRotationStep(rotation, target, ivs, secrets);
    log({ ...logLine, action, ...calls() });
  } catch (error) {
    const reason = deadline.signal.aborted
      ? `The rotation step stopped at its deadline (${Math.round(deadline.afterMs / 1000)} s, before the Lambda ` +
        `timeout); Secrets Manager rotates again at the next schedule: ${(error as Error).message}`
      : (error as Error).message;
    log({ ...logLine, error: reason, ...calls() });
    throw new Error(reason, { cause: error });
  } finally {
    deadline.dispose();
  }
}

/** Time a rotation step keeps before the Lambda timeout, to fail with a message rather than be killed. */
const ROTATION_MARGIN_MS = 10_000;

/** A rotation step's calls may use the Lambda's time but a margin (a quarter of it when less is left: tests). */
function rotationDeadline(context: HandlerContext): IvsDeadline & { dispose(): void } {
  const remainingMs = context.getRemainingTimeInMillis();
  return abortAfter(Math.max(0, remainingMs - Math.min(ROTATION_MARGIN_MS, remainingMs / 4)));
}

async function onCloudFormationEvent(event: CloudFormationCustomResourceEvent, context: HandlerContext): Promise<void> {
  // Never the whole event: it holds the ResponseURL, a presigned URL.
  const logLine = {
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: event.RequestType === 'Create' ? undefined : event.PhysicalResourceId,
  };
  // Late deliveries (stale-event.ts): before anything else, for every resource type.
  const clock = eventClock(event);
  const stale = staleReason(clock, Date.now());
  if (stale) return log({ ...logLine, ignored: stale, ivsCalls: [] });
  const served = keyKindOf(event.ResourceType);
  const deadline = ivsDeadline(context, clock);
  const ivs = new KeySession(keyApiOf(served?.kind ?? PLAYBACK_KEY_PAIRS), deadline);
  const secrets = served?.generated
    ? new SecretsSession((secretsClient ??= new SecretsManagerClient({})), deadline)
    : undefined;
  let response: CloudFormationResponse;
  try {
    if (!served) throw unknownResourceType(event.ResourceType);
    const outcome = await dispatch(event, ivs, secrets);
    log({
      ...logLine,
      result: outcome.physicalResourceId,
      action: outcome.action,
      ivsCalls: ivs.calls,
      retries: ivs.retries,
      ...secretsCalls(secrets),
    });
    response = succeeded(event, outcome);
  } catch (error) {
    if (error instanceof SupersededEventError) return log({ ...logLine, ignored: error.message, ivsCalls: ivs.calls });
    const reason = (error as Error).message;
    log({ ...logLine, error: reason, ivsCalls: ivs.calls, retries: ivs.retries, ...secretsCalls(secrets) });
    response = failed(event, reason, physicalIdOnFailure(event, ivs, secrets));
  } finally {
    deadline.dispose();
  }
  // Throws when no attempt got through, but only while Lambda's retry (a minute later) can still
  // answer a waiting CloudFormation; the rules make the repeat safe (rule 10, event-marker.ts).
  await sendResponse(
    event.ResponseURL,
    response,
    () => context.getRemainingTimeInMillis(),
    (attempt, error) => {
      console.error(
        JSON.stringify({
          requestType: event.RequestType,
          logicalResourceId: event.LogicalResourceId,
          responseAttempt: attempt,
          error: error.message,
        }),
      );
    },
  ).catch((error: Error) => {
    if (retryCanStillAnswer(clock, Date.now())) throw error;
    log({ ...logLine, error: `${error.message}; no retry: CloudFormation stops waiting before Lambda would retry` });
  });
}

/**
 * The IVS calls may use the time left but what the answer needs: the whole response budget, or a
 * quarter of the time when the function has less than four times that left (only in tests); and
 * never past CloudFormation's wait for the answer (stale-event.ts).
 */
function ivsDeadline(context: HandlerContext, clock: EventClock): IvsDeadline & { dispose(): void } {
  const remainingMs = context.getRemainingTimeInMillis();
  const lambdaMs = Math.max(0, remainingMs - Math.min(RESPONSE_TIME_BUDGET_MS, remainingMs / 4));
  return abortAfter(Math.min(lambdaMs, msUntilAnswerDue(clock, Date.now())));
}

function abortAfter(afterMs: number): IvsDeadline & { dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('deadline')), afterMs);
  return { signal: controller.signal, afterMs, dispose: () => clearTimeout(timer) };
}

function dispatch(
  event: CloudFormationCustomResourceEvent,
  ivs: KeySession,
  secrets?: SecretsSession,
): Promise<Outcome & { data?: Record<string, string> }> {
  if (secrets) return onGeneratedKeyPairEvent(event, ivs, secrets);
  switch (event.RequestType) {
    case 'Create':
      return onCreate(event, ivs);
    case 'Update':
      return onUpdate(event, ivs);
    case 'Delete':
      return onDelete(event, ivs);
  }
}

function succeeded(
  event: CloudFormationCustomResourceEvent,
  { physicalResourceId, keyPair, data }: Outcome & { data?: Record<string, string> },
): CloudFormationResponse {
  return {
    ...identity(event),
    Status: 'SUCCESS',
    PhysicalResourceId: physicalResourceId,
    ...(data
      ? { Data: data }
      : keyPair
        ? { Data: { [KeyPairAttribute.ARN]: keyPair.arn, [KeyPairAttribute.FINGERPRINT]: keyPair.fingerprint } }
        : {}),
  };
}

function failed(
  event: CloudFormationCustomResourceEvent,
  reason: string,
  physicalResourceId: string,
): CloudFormationResponse {
  return { ...identity(event), Status: 'FAILED', Reason: reason, PhysicalResourceId: physicalResourceId };
}

function identity({ StackId, RequestId, LogicalResourceId }: CloudFormationCustomResourceEvent) {
  return { StackId, RequestId, LogicalResourceId };
}

/** A failed Create names what may exist (imported-keys/failed-create.ts, generated-keys/lifecycle.ts). */
function physicalIdOnFailure(
  event: CloudFormationCustomResourceEvent,
  ivs: KeySession,
  secrets: SecretsSession | undefined,
): string {
  return secrets ? generatedPhysicalIdAfterFailure(event) : physicalIdAfterFailure(event, ivs);
}

/** A resource type this function does not serve: a template edited by hand, or a ServiceToken reused. */
function unknownResourceType(resourceType: string): Error {
  const served = [PLAYBACK_KEY_PAIRS, STAGE_PUBLIC_KEYS].flatMap((kind) => [
    kind.importedResourceType,
    kind.generatedResourceType,
  ]);
  return new Error(
    `This function serves the resource types ${served.join(', ')}, not ${JSON.stringify(resourceType)}; ` +
      'nothing was imported or deleted.',
  );
}

function secretsCalls(secrets: SecretsSession | undefined): object {
  return secrets ? { secretsManagerCalls: secrets.calls } : {};
}

function log(line: object): void {
  console.log(JSON.stringify(line));
}
