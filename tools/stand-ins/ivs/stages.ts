/**
 * The real-time API's stages, as far as a participant token needs them: `CreateStage` (to set a test up) and
 * `GetStage` (whose `stage.endpoints` a token's `events_url` and `whip_url` come from), as the ivs-realtime model
 * describes them (botocore `data/ivs-realtime/2020-07-14/service-2.json`; docs/facts/ivs-real-time.md, "GetStage").
 * Served on the real-time API's port beside the public keys (see public-keys.ts and key-api-stand-in.ts).
 */
import { randomBytes } from 'node:crypto';
import { IVS_STAND_IN_ACCOUNT, IVS_STAND_IN_REGION } from './key-store';
import { randomId, validName, validTags } from './validation';
import { IvsError, invalid, ParsedRequest } from './wire';

/** The model's StageArn pattern, anchored (1 to 128 characters). */
const STAGE_ARN_PATTERN = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage\/[a-zA-Z0-9-]+$/;

/** A stage's endpoints (`StageEndpoints`), in the forms IVS answers them. */
export interface StageEndpoints {
  readonly events: string;
  readonly whip: string;
  readonly rtmp: string;
  readonly rtmps: string;
}

/** A stage as the stand-in stores it and `GetStage` answers it. */
export interface StandInStage {
  readonly arn: string;
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly endpoints: StageEndpoints;
}

export class StageStore {
  private readonly stages = new Map<string, StandInStage>();

  /** Creates a stage; each gets WHIP and RTMP hosts of its own, so tests can tell stages apart by them. */
  create(body: Record<string, unknown> = {}): StandInStage {
    const host = randomBytes(6).toString('hex');
    const stage: StandInStage = {
      arn: `arn:aws:ivs:${IVS_STAND_IN_REGION}:${IVS_STAND_IN_ACCOUNT}:stage/${randomId(12)}`,
      name: validName(body.name),
      tags: validTags(body.tags ?? {}),
      endpoints: {
        events: 'wss://global.events.live-video.net',
        whip: `https://${host}.global-bm.whip.live-video.net`,
        rtmp: `rtmp://${host}.global-contribute-staging.live-video.net/app/`,
        rtmps: `rtmps://${host}.global-contribute-staging.live-video.net:443/app/`,
      },
    };
    this.stages.set(stage.arn, stage);
    return copy(stage);
  }

  get(arn: unknown): StandInStage {
    if (typeof arn !== 'string' || arn.length > 128 || !STAGE_ARN_PATTERN.test(arn)) {
      throw invalid(
        "1 validation error detected: Value at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage/[a-zA-Z0-9-]+",
      );
    }
    const stage = this.stages.get(arn);
    if (!stage) throw new IvsError('ResourceNotFoundException', `Stage ${arn} not found`);
    return copy(stage);
  }

  /** Changes a stage's endpoints as if IVS had moved it; no call is recorded. */
  setEndpoints(arn: string, endpoints: Partial<StageEndpoints>): void {
    const stage = this.get(arn);
    this.stages.set(arn, { ...stage, endpoints: { ...stage.endpoints, ...endpoints } });
  }
}

/** `CreateStage` and `GetStage` on a store, as the real-time API answers them. */
export function stageHandlers(
  store: StageStore,
): Record<'CreateStage' | 'GetStage', (request: ParsedRequest<string>) => object> {
  return {
    // CreateStage also answers the participant tokens it was asked for; the stand-in makes none.
    CreateStage: ({ body }) => ({ stage: view(store.create(body)), participantTokens: [] }),
    GetStage: ({ arn }) => ({ stage: view(store.get(arn)) }),
  };
}

function view(stage: StandInStage): object {
  return { ...stage, tags: { ...stage.tags }, endpoints: { ...stage.endpoints } };
}

function copy(stage: StandInStage): StandInStage {
  return { ...stage, tags: { ...stage.tags }, endpoints: { ...stage.endpoints } };
}
