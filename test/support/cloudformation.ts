import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { OnEventHandler } from './shipped-handler';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/IvsStack/5b6f1d2e-0c1a-11f0-9f3e-0a1b2c3d4e5f';
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:IvsStack-Provider-framework-onEvent';
export const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned?X-Amz-Signature=secret';

/** Resource properties as CloudFormation sends them: every scalar a string. */
export interface KeyPairProperties {
  readonly PublicKeyMaterial: string;
  readonly Name: string;
  readonly Tags?: Record<string, string>;
}

/**
 * One `Custom::IvsPlaybackKeyPair` resource as CloudFormation drives it: the events it sends, in
 * the order it sends them, including the rollback Update and the cleanup Deletes.
 */
export class SimulatedResource {
  public physicalResourceId?: string;
  public properties?: KeyPairProperties;
  public data?: Record<string, string>;
  private beforeUpdate?: { properties?: KeyPairProperties; physicalResourceId?: string };
  private attempted?: KeyPairProperties;

  constructor(private readonly handler: OnEventHandler, public readonly logicalResourceId = 'PlaybackKey') {}

  public async create(properties: KeyPairProperties) {
    const answer = await this.send({ RequestType: 'Create', ResourceProperties: this.withToken(properties) });
    this.accept(properties, answer);
    return answer;
  }

  /** This resource's Update within a stack update; the stack update then completes or rolls back. */
  public async update(properties: KeyPairProperties) {
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
    const cleanup = failed.physicalResourceId !== answer.PhysicalResourceId ? await this.delete(failed.physicalResourceId) : undefined;
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
  public refactoredTo(logicalResourceId: string): SimulatedResource {
    const moved = new SimulatedResource(this.handler, logicalResourceId);
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
  public async createWithLostAnswer(properties: KeyPairProperties) {
    await this.send({ RequestType: 'Create', ResourceProperties: this.withToken(properties) }).catch(() => undefined);
    this.properties = properties;
    return this.delete(`IvsStack-${this.logicalResourceId}-1A2B3C4D5E6F`);
  }

  /** The rollback after this resource's Create failed: the Delete of the id the failed answer carried. */
  public async deleteAfterFailedCreate(properties: KeyPairProperties, physicalResourceId: string) {
    this.properties = properties;
    return this.delete(physicalResourceId);
  }

  private accept(properties: KeyPairProperties, answer: { PhysicalResourceId: string; Data?: Record<string, string> }) {
    this.properties = properties;
    this.physicalResourceId = answer.PhysicalResourceId;
    this.data = answer.Data;
  }

  private withToken(properties: KeyPairProperties) {
    return { ServiceToken: SERVICE_TOKEN, ...properties };
  }

  private send(fields: Record<string, unknown>) {
    return this.handler({
      ServiceToken: SERVICE_TOKEN,
      ResponseURL: RESPONSE_URL,
      StackId: STACK_ID,
      RequestId: `request-${Math.random().toString(16).slice(2)}`,
      LogicalResourceId: this.logicalResourceId,
      ResourceType: 'Custom::IvsPlaybackKeyPair',
      ...fields,
    } as unknown as CloudFormationCustomResourceEvent);
  }
}
