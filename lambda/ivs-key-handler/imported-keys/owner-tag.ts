import { createHash } from 'node:crypto';
import { HASHED_OWNER_PREFIX } from '../../../lib/shared/contract';

/** A tag value's limit in IVS. */
const MAX_TAG_VALUE_LENGTH = 256;

/** The CloudFormation event fields that identify a resource. */
export interface ResourceIdentity {
  readonly StackId: string;
  readonly LogicalResourceId: string;
}

/** Another resource of the same stack, as its owner tag names it. */
export interface Sibling {
  /** Its logical ID; undefined when the tag holds only its hash (a very long stack id and logical ID). */
  readonly logicalId?: string;
}

/**
 * The owner tag's value: `<stack id>/<logical id>`. When that is longer than a tag value may be,
 * the stack id is hashed (`sha256-stack:<hash>/<logical id>`), and when even that is too long, the
 * logical ID too (`sha256-stack:<hash>:<hash of both>`): the stack stays recognisable either way.
 */
export function ownerOf({ StackId, LogicalResourceId }: ResourceIdentity): string {
  const plain = `${StackId}/${LogicalResourceId}`;
  if (plain.length <= MAX_TAG_VALUE_LENGTH) return plain;
  const withLogicalId = `${hashedStack(StackId)}/${LogicalResourceId}`;
  return withLogicalId.length <= MAX_TAG_VALUE_LENGTH ? withLogicalId : `${hashedStack(StackId)}:${sha256(plain)}`;
}

/**
 * The owner tag values that mark this resource's key pairs: today's, and `sha256:<hash>`, which
 * versions before 0.2 wrote for owners over 256 characters.
 */
export function ownerTagValues(resource: ResourceIdentity): string[] {
  const owner = ownerOf(resource);
  const plain = `${resource.StackId}/${resource.LogicalResourceId}`;
  return plain.length <= MAX_TAG_VALUE_LENGTH ? [owner] : [owner, `sha256:${sha256(plain)}`];
}

/**
 * The resource of the stack `stackId` that an owner tag names, or undefined when the tag names
 * another stack, is missing, or is an old-style hash that cannot be traced to a stack.
 */
export function siblingInStack(ownerTag: string | undefined, stackId: string): Sibling | undefined {
  if (ownerTag === undefined) return undefined;
  for (const prefix of [`${stackId}/`, `${hashedStack(stackId)}/`]) {
    const logicalId = ownerTag.startsWith(prefix) ? ownerTag.slice(prefix.length) : '';
    if (/^[A-Za-z0-9]+$/.test(logicalId)) return { logicalId };
  }
  return /^[0-9a-f]{64}$/.test(
    ownerTag.startsWith(`${hashedStack(stackId)}:`) ? ownerTag.slice(hashedStack(stackId).length + 1) : '',
  )
    ? {}
    : undefined;
}

function hashedStack(stackId: string): string {
  return `${HASHED_OWNER_PREFIX}${sha256(stackId)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
