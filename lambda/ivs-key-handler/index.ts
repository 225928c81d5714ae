import { IvsClient } from '@aws-sdk/client-ivs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CloudFormationResponse, RESPONSE_TIME_BUDGET_MS, sendResponse } from './cloudformation-response';
import { SupersededEventError } from './event-marker';
import { physicalIdAfterFailure } from './imported-keys/failed-create';
import { generatedPhysicalIdAfterFailure, onGeneratedKeyPairEvent } from './generated-keys/lifecycle';
import { SecretsSession } from './generated-keys/secrets-session';
import { IvsDeadline, IvsSession } from './ivs-apis/ivs-session';
import { onCreate, onDelete, onUpdate, Outcome } from './imported-keys/lifecycle';
import { EventClock, eventClock, msUntilAnswerDue, retryCanStillAnswer, staleReason } from './stale-event';
import { GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE, KeyPairAttribute } from '../../lib/shared/contract';

/**
 * Created once per container. Default configuration, so AWS_REGION and AWS_ENDPOINT_URL_IVS
 * work; more attempts than the SDK's 3, because IVS allows only 3 key-pair calls a second per
 * account and CloudFormation creates resources in parallel.
 */
const ivsClient = new IvsClient({ maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 10 });
/** Default configuration too (AWS_ENDPOINT_URL_SECRETS_MANAGER); created by the first generated key's event. */
let secretsClient: SecretsManagerClient | undefined;

/** The part of the Lambda context the handler reads. */
export type HandlerContext = Pick<Context, 'getRemainingTimeInMillis'>;

/**
 * Handles CloudFormation's events for `Custom::IvsPlaybackKeyPair` and
 * `Custom::IvsGeneratedPlaybackKeyPair`, and answers each with exactly
 * one PUT to its ResponseURL, before the Lambda timeout: IVS calls get the time left minus what
 * the answer needs, and a call still running then fails the event with its name.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: HandlerContext): Promise<void> {
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
  const deadline = ivsDeadline(context, clock);
  const ivs = new IvsSession(ivsClient, deadline);
  const secrets = isGenerated(event)
    ? new SecretsSession((secretsClient ??= new SecretsManagerClient({})), deadline)
    : undefined;
  let response: CloudFormationResponse;
  try {
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
    response = failed(event, reason, physicalIdOnFailure(event, ivs));
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
  const afterMs = Math.min(lambdaMs, msUntilAnswerDue(clock, Date.now()));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('deadline')), afterMs);
  return { signal: controller.signal, afterMs, dispose: () => clearTimeout(timer) };
}

function dispatch(
  event: CloudFormationCustomResourceEvent,
  ivs: IvsSession,
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

/** A failed Create names what may exist (failed-create.ts; a generated key pair: generated/lifecycle.ts). */
function physicalIdOnFailure(event: CloudFormationCustomResourceEvent, ivs: IvsSession): string {
  return isGenerated(event) ? generatedPhysicalIdAfterFailure(event) : physicalIdAfterFailure(event, ivs);
}

/** A `GeneratedPlaybackKeyPair`'s event, served by ./generated/. */
function isGenerated(event: CloudFormationCustomResourceEvent): boolean {
  return event.ResourceType === GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE;
}

function secretsCalls(secrets: SecretsSession | undefined): object {
  return secrets ? { secretsManagerCalls: secrets.calls } : {};
}

function log(line: object): void {
  console.log(JSON.stringify(line));
}
