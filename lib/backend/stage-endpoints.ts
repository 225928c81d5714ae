/**
 * The endpoints of IVS Real-Time stages (`events_url`, `whip_url` of a participant token), read with `GetStage`
 * and kept per stage: the API reference recommends caching them, for up to 14 days (`StageEndpoints`). The
 * participant token signer asks here only for what its caller did not pass. `@aws-sdk/client-ivs-realtime` is
 * loaded here only, on the first read, so the rest of `./tokens` runs without it.
 *
 * A read is bounded (`readTimeoutMs`). When endpoints held for a stage are past the cache time and the read that
 * would replace them fails, they are used on (they were valid within 14 days) and the stage is not read again
 * for 30 s, so an outage costs one `GetStage` per stage per 30 s, not one per token.
 */
// Types of the implementation only: the declarations this file compiles to must not name the SDK, an optional peer
// that a backend may not have installed (it would get TS2307 in them).
import type { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { importOptionalPeer } from './optional-peer';
import { READ_BACKOFF_MS, RefreshClock } from './refreshing-value';

const SDK_PACKAGE = '@aws-sdk/client-ivs-realtime';
/** The longest the API reference lets a stage's endpoints be cached: 14 days. */
export const MAX_STAGE_ENDPOINTS_CACHE_SECONDS = 14 * 86_400;
export const DEFAULT_STAGE_ENDPOINTS_CACHE_SECONDS = 86_400;
/** More stages than a backend signs for at once; the oldest read is dropped first. */
const MAX_STAGES = 1000;

type IvsRealTimeModule = typeof import('@aws-sdk/client-ivs-realtime');

/**
 * What the participant token signer needs of an IVS Real-Time client: `send`, which it calls with a
 * `GetStageCommand`. An `IVSRealTimeClient` of `@aws-sdk/client-ivs-realtime` v3 is one. Declared here rather than
 * imported from the SDK so that this package's types compile where the SDK (an optional peer) is not installed.
 */
export interface IvsRealTimeClientLike {
  /**
   * Sends a command; the signer sends only `GetStageCommand` and reads `stage.endpoints` from the answer.
   *
   * @param command - the command to send
   * @param options - per-call options of the SDK, e.g. `{ abortSignal }`
   */
  send(command: object, options?: object): Promise<object>;
}

/** The two endpoints a participant token carries. */
export interface StageEndpointUrls {
  readonly eventsUrl: string;
  readonly whipUrl: string;
}

/** How the endpoints are read and kept, and how failures are told. */
export interface StageEndpointsSettings {
  /** The client to read with; without one, a default client per region, made on first use. */
  readonly client?: IvsRealTimeClientLike;
  /** The function the user called, for the message when the SDK is missing. */
  readonly caller: string;
  readonly cacheMs: number;
  readonly readTimeoutMs: number;
  readonly clock: RefreshClock;
  /** Makes the caller's error. */
  error(message: string, options?: ErrorOptions): Error;
  /** Told of a failed read whose stage's earlier endpoints are used on. */
  onStaleUse(error: Error): void;
}

interface HeldEndpoints {
  readonly urls: StageEndpointUrls;
  readonly readAt: number;
  /** No read before this, after a failed one. */
  readonly nextReadAt: number;
}

/**
 * Returns a function that gives a stage's endpoints: at once when held and fresh, otherwise from `GetStage`
 * (concurrent calls for one stage share one read).
 *
 * @param stageRegion - the region of the stage, from its ARN, for the default client
 */
export function stageEndpointsReader(
  settings: StageEndpointsSettings,
): (stageArn: string, stageRegion: string) => StageEndpointUrls | Promise<StageEndpointUrls> {
  const { clock, cacheMs } = settings;
  const held = new Map<string, HeldEndpoints>();
  const reading = new Map<string, Promise<StageEndpointUrls>>();
  const readStage = getStage(settings);

  const startRead = (stageArn: string, region: string): Promise<StageEndpointUrls> => {
    const startedAt = clock.now();
    const read = readStage(stageArn, region).then(
      (urls) => {
        held.delete(stageArn);
        if (held.size >= MAX_STAGES) held.delete(held.keys().next().value!);
        held.set(stageArn, { urls, readAt: startedAt, nextReadAt: Number.NEGATIVE_INFINITY });
        return urls;
      },
      (error: Error) => {
        const earlier = held.get(stageArn);
        const now = clock.now();
        if (!earlier || now - earlier.readAt >= MAX_STAGE_ENDPOINTS_CACHE_SECONDS * 1000) {
          throw error;
        }
        held.set(stageArn, { ...earlier, nextReadAt: now + READ_BACKOFF_MS.max });
        tell(settings.onStaleUse, error);
        return earlier.urls;
      },
    );
    const shared = read.finally(() => reading.delete(stageArn));
    reading.set(stageArn, shared);
    return shared;
  };

  return (stageArn, region) => {
    const entry = held.get(stageArn);
    const now = clock.now();
    if (entry && (now - entry.readAt < cacheMs || now < entry.nextReadAt)) {
      return entry.urls;
    }
    return reading.get(stageArn) ?? startRead(stageArn, region);
  };
}

/** One bounded `GetStage`, loading the SDK and making the client on first use. */
function getStage(settings: StageEndpointsSettings): (stageArn: string, region: string) => Promise<StageEndpointUrls> {
  const { client: givenClient, readTimeoutMs, clock, error: makeError } = settings;
  let sdk: Promise<IvsRealTimeModule> | undefined;
  const defaultClients = new Map<string, IVSRealTimeClient>();
  return async (stageArn, region) => {
    sdk ??= loadSdk(settings);
    const loaded = await sdk.catch((error: unknown) => {
      sdk = undefined;
      throw error;
    });
    let client: IvsRealTimeClientLike | undefined = givenClient ?? defaultClients.get(region);
    if (!client) {
      // The SDK's default configuration (credentials, AWS_ENDPOINT_URL_IVS_REALTIME), in the stage's region.
      const made = new loaded.IVSRealTimeClient({ region });
      defaultClients.set(region, made);
      client = made;
    }
    const controller = new AbortController();
    const timer = clock.setTimer(() => controller.abort(), readTimeoutMs);
    try {
      const answer = await Promise.race([
        client.send(new loaded.GetStageCommand({ arn: stageArn }), { abortSignal: controller.signal }),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () =>
            reject(
              makeError(
                `GetStage of the stage ${JSON.stringify(stageArn)} timed out: no answer within readTimeoutSeconds ` +
                  `(${readTimeoutMs / 1000})`,
              ),
            ),
          ),
        ),
      ]);
      return endpointsOf(answer, stageArn, makeError);
    } catch (error) {
      throw controller.signal.aborted ? error : getStageFailure(stageArn, error, makeError);
    } finally {
      clock.clearTimer(timer);
    }
  };
}

function endpointsOf(answer: object, stageArn: string, makeError: StageEndpointsSettings['error']): StageEndpointUrls {
  const endpoints = (answer as { stage?: { endpoints?: { events?: unknown; whip?: unknown } } }).stage?.endpoints;
  const { events, whip } = endpoints ?? {};
  if (typeof events !== 'string' || events === '' || typeof whip !== 'string' || whip === '') {
    throw makeError(
      `GetStage answered the stage ${JSON.stringify(stageArn)} without endpoints.events and endpoints.whip; ` +
        'pass eventsUrl and whipUrl to sign()',
    );
  }
  return { eventsUrl: events, whipUrl: whip };
}

function loadSdk({ caller, error: makeError }: StageEndpointsSettings): Promise<IvsRealTimeModule> {
  return importOptionalPeer(
    () => import('@aws-sdk/client-ivs-realtime'),
    SDK_PACKAGE,
    (cause) =>
      makeError(
        `${caller} reads the stage's endpoints with the AWS SDK's IVS Real-Time client (GetStage), which is not ` +
          `installed: run "npm install ${SDK_PACKAGE}", or pass eventsUrl and whipUrl to sign()`,
        { cause },
      ),
  );
}

function getStageFailure(stageArn: string, error: unknown, makeError: StageEndpointsSettings['error']): Error {
  const name = (error as { name?: unknown })?.name;
  const stage = `the stage ${JSON.stringify(stageArn)}`;
  switch (name) {
    case 'ResourceNotFoundException':
      return makeError(
        `IVS Real-Time has no ${stage} (GetStage: ResourceNotFoundException): check stageArn, and that the client ` +
          `calls the stage's region`,
        { cause: error },
      );
    case 'AccessDeniedException':
      return makeError(
        `Not allowed to read ${stage} (GetStage: AccessDeniedException): grant ivs:GetStage on it, ` +
          `or pass eventsUrl and whipUrl to sign()`,
        { cause: error },
      );
    default: {
      const message = (error as { exceptionMessage?: unknown })?.exceptionMessage ?? (error as Error)?.message;
      return makeError(
        `GetStage of ${stage} failed: ${typeof name === 'string' ? `${name}: ` : ''}${String(message ?? error)}`,
        { cause: error },
      );
    }
  }
}

/** Calls a listener the caller gave, never letting it break the signing. */
function tell(listener: (error: Error) => void, error: Error): void {
  try {
    listener(error);
  } catch {
    // The listener's own failure is not the signer's.
  }
}
