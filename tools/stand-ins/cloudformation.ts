import { randomUUID } from 'node:crypto';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  acceptedResponse,
  lambdaContext,
  PRESIGNED_QUERY,
  ReceivedResponse,
  ResponseBody,
  ResponseEndpoint,
} from './response-endpoint';
import type { OnEventHandler } from './shipped-handler';

export const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/IvsStack/5b6f1d2e-0c1a-11f0-9f3e-0a1b2c3d4e5f';
const SERVICE_TOKEN =
  'arn:aws:lambda:us-east-1:123456789012:function:IvsStack-IvsPlaybackKeyPairProviderHandler-AbCdEf123456';
/** The presigned part of every ResponseURL the simulated CloudFormation hands out: never to be logged. */
export const RESPONSE_URL = PRESIGNED_QUERY;

/** What an event's answer is, once CloudFormation accepted it: SUCCESS. FAILED rejects with the Reason. */
export interface SimulatedAnswer {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** Options of a simulated resource. */
export interface SimulatedResourceOptions {
  /** The Lambda timeout the handler's context counts down from. Default: 300 s, the function's. */
  readonly timeoutMs?: number;
  /**
   * Sign each ResponseURL as CloudFormation does, with its signing time: `sigv4` (`X-Amz-Date`,
   * `X-Amz-Expires`, current events) or `sigv2` (`Expires`, older ones). Default: no signing time.
   * Events are signed at least a second apart, as CloudFormation sends one resource's events one
   * after another.
   */
  readonly signing?: 'sigv4' | 'sigv2';
  /** The resource's ServiceTimeout property in seconds, sent in ResourceProperties as the construct writes it. */
  readonly serviceTimeoutS?: number;
  /** The resource type the events carry. Default: `Custom::IvsPlaybackKeyPair`. */
  readonly resourceType?: string;
  /**
   * Called with every event CloudFormation accepts a SUCCESS answer to, and that answer, before the event resolves:
   * a test's invariant checked after every step. Default: none.
   */
  readonly afterSuccess?: (event: CloudFormationCustomResourceEvent, answer: SimulatedAnswer) => Promise<void>;
}

/** How long a CloudFormation ResponseURL stays valid. */
const RESPONSE_URL_VALIDITY_S = 7200;
/**
 * How far in the past the simulated CloudFormation may date an event: events are signed at least a
 * second apart (the event marker has one-second resolution), yet never later than now, as a real
 * ResponseURL never is (the handler ignores a marker from the future). 120 s leaves room for 120
 * signed events in a burst, and still far more than a minute of CloudFormation's 360 s wait.
 */
const SIGNING_HEADROOM_MS = 120_000;
let lastSignedAtMs = 0;

let sharedEndpoint: Promise<ResponseEndpoint> | undefined;

/** One ResponseURL endpoint per test process, as CloudFormation has one S3 bucket per region. */
function responseEndpoint(): Promise<ResponseEndpoint> {
  sharedEndpoint ??= ResponseEndpoint.start();
  return sharedEndpoint;
}

/** Resource properties as CloudFormation sends them: every scalar a string. */
export interface KeyPairProperties {
  readonly PublicKeyMaterial: string;
  readonly Name: string;
  readonly Tags?: Record<string, string>;
}

/**
 * One `Custom::IvsPlaybackKeyPair` resource as CloudFormation drives it: the events it sends, in
 * the order it sends them, including the rollback Update and the cleanup Deletes. Like
 * CloudFormation, it invokes the handler with a ResponseURL (a local endpoint) and a Lambda
 * context, and learns the outcome only from the PUT, which it checks against the response
 * contract (`acceptedResponse`). An event resolves to `{ PhysicalResourceId, Data }` on SUCCESS
 * and rejects with an Error whose message is the Reason on FAILED.
 */
export class SimulatedResource<P extends object = KeyPairProperties> {
  public physicalResourceId?: string;
  public properties?: P;
  public data?: Record<string, string>;
  /** Every PUT of the last event, refused ones included. */
  public lastResponses: ReceivedResponse[] = [];
  /** The body CloudFormation accepted for the last event. */
  public lastAnswer?: ResponseBody;
  /** Every event sent to the handler, in order: to deliver one again, as Lambda may. */
  public readonly sentEvents: CloudFormationCustomResourceEvent[] = [];
  private signNextAgoMs?: number;
  private beforeUpdate?: { properties?: P; physicalResourceId?: string };
  private attempted?: P;

  constructor(
    private readonly handler: OnEventHandler,
    public readonly logicalResourceId = 'PlaybackKey',
    private readonly options: SimulatedResourceOptions = {},
  ) {}

  /**
   * Signs the next event's ResponseURL `ms` before now: CloudFormation sent it that long ago and the
   * event waited in Lambda's queue (throttling, a retry).
   */
  public signNextEventAgo(ms: number): void {
    this.signNextAgoMs = ms;
  }

  /**
   * Delivers `event` once more, as Lambda does with a retry or a duplicate, now; resolves to the
   * PUTs this delivery sent (CloudFormation reads at most the first answer of a RequestId).
   */
  public async deliverAgain(event: CloudFormationCustomResourceEvent): Promise<ReceivedResponse[]> {
    const endpoint = await responseEndpoint();
    const before = endpoint.responsesFor(event.RequestId).length;
    await this.handler(event, lambdaContext(this.options.timeoutMs)).catch(() => undefined);
    return endpoint.responsesFor(event.RequestId).slice(before);
  }

  /** Refuses the next `count` PUTs with 500 (of any simulated resource: use in one resource's step at a time). */
  public async failNextResponses(count: number): Promise<void> {
    (await responseEndpoint()).failNext(count);
  }

  /** Accepts every PUT again, whatever `failNextResponses` left. */
  public async stopFailingResponses(): Promise<void> {
    (await responseEndpoint()).stopFailing();
  }

  /** A failed Create still leaves the physical id it answered with: CloudFormation's Delete carries it. */
  public async create(properties: P) {
    try {
      const answer = await this.send({ RequestType: 'Create', ResourceProperties: this.withToken(properties) });
      this.accept(properties, answer);
      return answer;
    } catch (error) {
      if (this.lastAnswer?.Status === 'FAILED') {
        this.properties = properties;
        this.physicalResourceId = this.lastAnswer.PhysicalResourceId;
      }
      throw error;
    }
  }

  /** This resource's Update within a stack update; the stack update then completes or rolls back. */
  public async update(properties: P) {
    this.beforeUpdate = { properties: this.properties, physicalResourceId: this.physicalResourceId };
    this.attempted = properties;
    const answer = await this.send({
      RequestType: 'Update',
      ResourceProperties: this.withToken(properties),
      OldResourceProperties: this.withToken(this.properties!),
      PhysicalResourceId: this.physicalResourceId!,
    });
    this.accept(properties, answer);
    return answer;
  }

  /** The stack update succeeded: the cleanup phase deletes a replaced physical id. */
  public async completeStackUpdate() {
    const replaced = this.beforeUpdate?.physicalResourceId;
    this.beforeUpdate = undefined;
    return replaced !== this.physicalResourceId ? this.delete(replaced) : undefined;
  }

  /**
   * The stack update failed after this resource's Update (or in it): CloudFormation sends an
   * Update back to the previous properties, then deletes whichever physical id is not current.
   */
  public async rollback() {
    const failed = { properties: this.attempted!, physicalResourceId: this.physicalResourceId! };
    const previous = this.beforeUpdate!;
    const answer = await this.send({
      RequestType: 'Update',
      ResourceProperties: this.withToken(previous.properties!),
      OldResourceProperties: this.withToken(failed.properties),
      PhysicalResourceId: failed.physicalResourceId,
    });
    this.accept(previous.properties!, answer);
    this.beforeUpdate = undefined;
    const cleanup =
      failed.physicalResourceId !== answer.PhysicalResourceId
        ? await this.delete(failed.physicalResourceId)
        : undefined;
    return { answer, cleanup };
  }

  public async delete(physicalResourceId = this.physicalResourceId) {
    return this.send({
      RequestType: 'Delete',
      ResourceProperties: this.withToken(this.properties!),
      PhysicalResourceId: physicalResourceId!,
    });
  }

  /**
   * `cdk refactor` (a stack refactoring) moves the resource to a new logical ID without sending it
   * any event: the same physical id, properties and attributes, now under `logicalResourceId`.
   */
  public refactoredTo(logicalResourceId: string): SimulatedResource<P> {
    const moved = new SimulatedResource<P>(this.handler, logicalResourceId, this.options);
    moved.physicalResourceId = this.physicalResourceId;
    moved.properties = this.properties;
    moved.data = this.data;
    return moved;
  }

  /**
   * A Create whose answer never reached CloudFormation, though the handler ran. CloudFormation
   * gives up, fails the resource and, rolling the stack back, deletes it under an id it made up;
   * resolves to that Delete's answer.
   */
  public async createWithLostAnswer(properties: P) {
    await this.send({ RequestType: 'Create', ResourceProperties: this.withToken(properties) }).catch(() => undefined);
    this.properties = properties;
    return this.delete(`IvsStack-${this.logicalResourceId}-1A2B3C4D5E6F`);
  }

  /** The rollback after this resource's Create failed: the Delete of the id the failed answer carried. */
  public async deleteAfterFailedCreate(properties: P, physicalResourceId: string) {
    this.properties = properties;
    return this.delete(physicalResourceId);
  }

  private accept(properties: P, answer: SimulatedAnswer) {
    this.properties = properties;
    this.physicalResourceId = answer.PhysicalResourceId;
    this.data = answer.Data;
  }

  private withToken(properties: P) {
    const timeout =
      this.options.serviceTimeoutS === undefined ? {} : { ServiceTimeout: String(this.options.serviceTimeoutS) };
    return { ServiceToken: SERVICE_TOKEN, ...timeout, ...properties };
  }

  /** The ResponseURL with the signing time of the chosen form, if any. */
  private signed(url: string): string {
    if (!this.options.signing) return url;
    const signedAtMs = this.signNextAgoMs === undefined ? nextSigningTime() : Date.now() - this.signNextAgoMs;
    this.signNextAgoMs = undefined;
    if (this.options.signing === 'sigv2')
      return `${url}&Expires=${Math.floor(signedAtMs / 1000) + RESPONSE_URL_VALIDITY_S}`;
    const amzDate = new Date(signedAtMs)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    return `${url}&X-Amz-Date=${amzDate}&X-Amz-Expires=${RESPONSE_URL_VALIDITY_S}`;
  }

  private async send(fields: Record<string, unknown>): Promise<SimulatedAnswer> {
    const endpoint = await responseEndpoint();
    const requestId = randomUUID();
    const event = {
      ServiceToken: SERVICE_TOKEN,
      ResponseURL: this.signed(endpoint.url(requestId)),
      StackId: STACK_ID,
      RequestId: requestId,
      LogicalResourceId: this.logicalResourceId,
      ResourceType: this.options.resourceType ?? 'Custom::IvsPlaybackKeyPair',
      ...fields,
    } as unknown as CloudFormationCustomResourceEvent;
    this.lastAnswer = undefined;
    this.sentEvents.push(event);
    let thrown: Error | undefined;
    await this.handler(event, lambdaContext(this.options.timeoutMs)).catch((error: Error) => {
      thrown = error;
    });
    this.lastResponses = endpoint.responsesFor(requestId);
    if (this.lastResponses.length === 0) {
      throw new Error(
        `The handler sent no response to the ${event.RequestType}${thrown ? ` (it threw: ${thrown.message})` : ''}: ` +
          'CloudFormation would wait for the ServiceTimeout',
      );
    }
    const answer = acceptedResponse(event, this.lastResponses);
    this.lastAnswer = answer;
    if (answer.Status === 'FAILED') throw new Error(answer.Reason);
    const accepted = answer.Data
      ? { PhysicalResourceId: answer.PhysicalResourceId, Data: answer.Data }
      : { PhysicalResourceId: answer.PhysicalResourceId };
    await this.options.afterSuccess?.(event, accepted);
    return accepted;
  }
}

/** A second after the last signed event, and never later than now. */
function nextSigningTime(): number {
  const now = Date.now();
  const signedAtMs = Math.max(lastSignedAtMs + 1000, now - SIGNING_HEADROOM_MS);
  if (signedAtMs > now) {
    throw new Error(
      `The simulated CloudFormation signed more than ${SIGNING_HEADROOM_MS / 1000} events in ` +
        `${SIGNING_HEADROOM_MS / 1000} s: the next would be signed in the future`,
    );
  }
  lastSignedAtMs = signedAtMs;
  return signedAtMs;
}
