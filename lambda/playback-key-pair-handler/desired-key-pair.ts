import { createHash } from 'node:crypto';
import { KeyPairProperty, OWNER_TAG_KEY } from '../../lib/shared/contract';
import { validatePlaybackKeyPairName, validatePublicKeyMaterial, validateTags } from '../../lib/shared/validation';
import { KeyPairToImport } from './ivs-session';

/** The key pair a resource's properties ask for, checked as IVS would check it. */
export interface DesiredKeyPair extends KeyPairToImport {
  /** The public key's DER, to tell a key change from a reformatted PEM. */
  readonly der: Buffer;
  /** The fingerprint IVS will give the key, to find it among existing key pairs. */
  readonly fingerprint: string;
  /** The owner tag's value: this stack and logical resource. */
  readonly owner: string;
  /** This stack's id, to tell its other resources' key pairs from strangers'. */
  readonly stackId: string;
}

/** The CloudFormation event fields that identify a resource. */
export interface ResourceIdentity {
  readonly StackId: string;
  readonly LogicalResourceId: string;
}

type Properties = Record<string, unknown>;

/** Reads and validates the properties; throws the same messages the construct throws at synth time. */
export function desiredKeyPair(properties: Properties, resource: ResourceIdentity): DesiredKeyPair {
  const { der, fingerprint, pem: publicKeyMaterial } = validatePublicKeyMaterial(String(properties[KeyPairProperty.PUBLIC_KEY_MATERIAL] ?? ''));
  const name = String(properties[KeyPairProperty.NAME] ?? '');
  validatePlaybackKeyPairName(name);
  const userTags = tagsOf(properties);
  validateTags(userTags);
  const owner = ownerOf(resource);
  return { publicKeyMaterial, name, der, fingerprint, owner, stackId: resource.StackId, tags: { ...userTags, [OWNER_TAG_KEY]: owner } };
}

/** Whether the previous properties held the same public key (false when they cannot be read). */
export function holdsSameKey(previous: Properties | undefined, desired: DesiredKeyPair): boolean {
  try {
    return validatePublicKeyMaterial(String(previous?.[KeyPairProperty.PUBLIC_KEY_MATERIAL] ?? '')).der.equals(desired.der);
  } catch {
    return false;
  }
}

/** The previous name, if the previous properties had one. */
export function previousName(previous: Properties | undefined): string {
  return String(previous?.[KeyPairProperty.NAME] ?? '');
}

/**
 * Names the stack (by its id, unique to one stack's lifetime) and logical resource; hashed when
 * too long for a tag value.
 */
export function ownerOf({ StackId, LogicalResourceId }: ResourceIdentity): string {
  const owner = `${StackId}/${LogicalResourceId}`;
  return owner.length <= 256 ? owner : `sha256:${createHash('sha256').update(owner).digest('hex')}`;
}

/**
 * The logical ID an owner tag names within the stack `stackId`, or undefined when the tag names
 * another stack, is missing, or was hashed (a hash cannot be read back).
 */
export function logicalIdInStack(ownerTag: string | undefined, stackId: string): string | undefined {
  const prefix = `${stackId}/`;
  const logicalId = ownerTag?.startsWith(prefix) ? ownerTag.slice(prefix.length) : '';
  return /^[A-Za-z0-9]+$/.test(logicalId) ? logicalId : undefined;
}

/** Tags arrive as a map; an older template format may have sent a list of `{Key, Value}`. */
function tagsOf(properties: Properties): Record<string, string> {
  const tags = properties[KeyPairProperty.TAGS];
  if (Array.isArray(tags)) {
    return Object.fromEntries(tags.map((tag: { Key: string; Value: string }) => [String(tag.Key), String(tag.Value ?? '')]));
  }
  if (tags && typeof tags === 'object') {
    return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, String(value)]));
  }
  return {};
}
