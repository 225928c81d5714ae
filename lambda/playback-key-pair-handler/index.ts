import { IvsClient } from '@aws-sdk/client-ivs';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { IvsSession } from './ivs-session';
import { onCreate, onDelete, onUpdate, Outcome } from './lifecycle';

/**
 * Created once per container. Default configuration, so AWS_REGION and AWS_ENDPOINT_URL_IVS
 * work; more attempts than the SDK's 3, because IVS allows only 3 key-pair calls a second per
 * account and CloudFormation creates resources in parallel.
 */
const ivsClient = new IvsClient({ maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 10 });

/** The answer the Provider framework expects from an onEvent handler. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly Arn: string; readonly Fingerprint: string };
}

/** Handles the Provider framework's events for `Custom::IvsPlaybackKeyPair`. */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  const ivs = new IvsSession(ivsClient);
  // Never the whole event: it holds the ResponseURL, a presigned URL.
  const logLine = {
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: event.RequestType === 'Create' ? undefined : event.PhysicalResourceId,
  };
  try {
    const outcome = await dispatch(event, ivs);
    log({ ...logLine, result: outcome.physicalResourceId, action: outcome.action, ivsCalls: ivs.calls, retries: ivs.retries });
    return answer(outcome);
  } catch (error) {
    log({ ...logLine, error: (error as Error).message, ivsCalls: ivs.calls, retries: ivs.retries });
    throw error;
  }
}

function dispatch(event: CloudFormationCustomResourceEvent, ivs: IvsSession): Promise<Outcome> {
  switch (event.RequestType) {
    case 'Create':
      return onCreate(event, ivs);
    case 'Update':
      return onUpdate(event, ivs);
    case 'Delete':
      return onDelete(event, ivs);
  }
}

function answer({ physicalResourceId, keyPair }: Outcome): OnEventResponse {
  return keyPair
    ? { PhysicalResourceId: physicalResourceId, Data: { Arn: keyPair.arn, Fingerprint: keyPair.fingerprint } }
    : { PhysicalResourceId: physicalResourceId };
}

function log(line: object): void {
  console.log(JSON.stringify(line));
}
