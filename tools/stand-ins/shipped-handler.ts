import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { lambdaContext } from './response-endpoint';

/**
 * A custom-resource handler as Lambda calls it: CloudFormation's event and the Lambda context.
 * It answers by PUTting to the event's ResponseURL; what it resolves to means nothing.
 */
export type OnEventHandler = (
  event: CloudFormationCustomResourceEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<unknown>;

/** What the handler needs from an IVS stand-in: the endpoint and region its SDK client reads from the environment. */
export interface IvsEndpoint {
  clientEnvironment(): Record<string, string>;
}

/**
 * Loads the handler bundle in `assetDir` (its `index.js`) as a fresh Lambda container would: a new module instance
 * (so a new SDK client) that reads the stand-in's endpoint and region from the environment. Under jest the module
 * registry is jest's, which `require.cache` does not reach, so it isolates the load there; in plain Node.js (the
 * bench) it drops the bundle from `require.cache`.
 */
export function loadShippedHandler(assetDir: string, ivs: IvsEndpoint): OnEventHandler {
  Object.assign(process.env, ivs.clientEnvironment());
  delete process.env.AWS_PROFILE;
  const file = path.join(assetDir, 'index.js');
  let handler: OnEventHandler | undefined;
  const load = () => {
    handler = (require(file) as { handler: OnEventHandler }).handler;
  };
  if (typeof jest === 'undefined') {
    delete require.cache[file];
    load();
  } else {
    jest.isolateModules(load);
  }
  return handler!;
}
