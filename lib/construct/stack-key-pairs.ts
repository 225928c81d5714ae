import { CustomResource, Stack } from 'aws-cdk-lib';
import type { KeyKind } from '../shared/key-kinds';

/**
 * The keys of one stack, of both kinds, in the order they were added: each waits for the previous
 * one, so that CloudFormation sends their events one at a time (a key change at the quota frees a
 * slot a sibling could otherwise take, and IVS allows 3 calls a second per key operation). Also
 * refuses one literal key twice in a stack among keys of one kind, which IVS could never hold, and
 * more keys of a kind than the region's quota could ever hold, where that quota is known.
 *
 * @internal
 */
export class StackKeyPairs {
  private last?: CustomResource;
  private readonly pathsByKey = new Map<KeyKind, Map<string, string>>();
  private readonly slots = new Map<KeyKind, Array<{ path: string; count: number }>>();

  /** Registers a literal key of `kind`, by its DER (PEM formatting aside). */
  public claimKey(kind: KeyKind, der: Buffer, path: string): void {
    const paths = this.pathsByKey.get(kind) ?? new Map<string, string>();
    this.pathsByKey.set(kind, paths);
    const holder = paths.get(der.toString('base64'));
    if (holder) {
      const construct = kind.importedConstruct;
      throw new Error(
        `${construct} ${path} has the same public key as ${construct} ${holder} in the same stack. ` +
          `IVS cannot hold one key twice: give each key pair its own key, or use one ${construct} for both.`,
      );
    }
    paths.set(der.toString('base64'), path);
  }

  /**
   * Registers the keys of `kind` a construct holds between deploys (a key you bring 1, a generated
   * key 2 with `keepPreviousKey`, else 1); refuses more than the kind's quota, when it is known.
   */
  public claimSlots(kind: KeyKind, path: string, count: number): void {
    const claims = [...(this.slots.get(kind) ?? []), { path, count }];
    this.slots.set(kind, claims);
    const total = claims.reduce((sum, claim) => sum + claim.count, 0);
    if (kind.quota !== undefined && total > kind.quota) {
      throw new Error(
        `This stack's key pairs would hold ${total} ${kind.nounPlural}, but IVS allows ${kind.quota} per ` +
          `account and region: ${claims.map((claim) => `${claim.path} (${claim.count})`).join(', ')}. A ${kind.generatedConstruct} ` +
          `holds 2 (its current and previous key) unless keepPreviousKey is false; a ${kind.importedConstruct} holds 1.`,
      );
    }
  }

  /** Makes `resource` depend on the key added before it. */
  public queue(resource: CustomResource): void {
    if (this.last) resource.node.addDependency(this.last);
    this.last = resource;
  }
}

const keyPairsByStack = new WeakMap<Stack, StackKeyPairs>();

/** The keys of `stack`. @internal */
export function keyPairsOf(stack: Stack): StackKeyPairs {
  let keyPairs = keyPairsByStack.get(stack);
  if (!keyPairs) {
    keyPairs = new StackKeyPairs();
    keyPairsByStack.set(stack, keyPairs);
  }
  return keyPairs;
}
