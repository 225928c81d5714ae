/**
 * The one parser of IVS ARNs, `arn:<partition>:ivs:<region>:<account>:<resource>/<id>`, for the construct and the
 * handler (playback-key ARNs) and the token code (channel ARNs).
 *
 * Only `node:` modules and lib/shared may be imported here: the handler bundles this file.
 */

/** The parts of an IVS ARN. */
export interface IvsArn {
  /** `aws`, `aws-cn`, `aws-us-gov`, or another AWS partition. */
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The resource type, e.g. `playback-key`, `channel`, `public-key` or `stage`. */
  readonly resource: string;
  readonly id: string;
}

/**
 * Every AWS partition: `aws`, then lowercase words joined by "-" (`aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`,
 * `aws-eusc`), so an ARN of any partition IVS is offered in, now or later, is accepted, and nothing else.
 */
const IVS_ARN = /^arn:(aws(?:-[a-z]+)*):ivs:([a-z0-9-]+):(\d{12}):([a-z-]+)\/([a-zA-Z0-9-]+)$/;

/** The IVS resource types this package names by ARN. */
export type IvsResourceType = 'playback-key' | 'channel' | 'public-key' | 'stage';

/** The parts of `value` if it is an IVS ARN of the resource type `resource`; `undefined` otherwise. */
export function parseIvsArn(value: string, resource: IvsResourceType): IvsArn | undefined {
  const match = IVS_ARN.exec(value);
  if (!match || match[4] !== resource) return undefined;
  const [, partition, region, account, , id] = match;
  return { partition, region, account, resource, id };
}
