import { CustomResource, Stack } from 'aws-cdk-lib';
import { KEY_PAIR_QUOTA } from '../shared/contract';

/**
 * The key pairs of one stack, in the order they were added: each waits for the previous one, so
 * that CloudFormation sends their events one at a time (a key change at the quota of 3 frees a
 * slot a sibling could otherwise take, and IVS allows 3 key-pair calls a second). Also refuses
 * one literal key twice in a stack, which IVS could never hold, and more key pairs than the
 * region's quota of 3 could ever hold.
 *
 * @internal
 */
export class StackKeyPairs {
  private last?: CustomResource;
  private readonly pathsByKey = new Map<string, string>();
  private readonly slots: Array<{ path: string; count: number }> = [];

  /** Registers a literal key, by its DER (PEM formatting aside). */
  public claimKey(der: Buffer, path: string): void {
    const holder = this.pathsByKey.get(der.toString('base64'));
    if (holder) {
      throw new Error(
        `PlaybackKeyPair ${path} has the same public key as PlaybackKeyPair ${holder} in the same stack. ` +
          'IVS cannot hold one key twice: give each key pair its own key, or use one PlaybackKeyPair for both.',
      );
    }
    this.pathsByKey.set(der.toString('base64'), path);
  }

  /**
   * Registers the key pairs a construct holds between deploys (a `PlaybackKeyPair` 1, a
   * `GeneratedPlaybackKeyPair` 2 with `keepPreviousKey`, else 1); refuses more than the quota.
   */
  public claimSlots(path: string, count: number): void {
    const claims = [...this.slots, { path, count }];
    const total = claims.reduce((sum, claim) => sum + claim.count, 0);
    if (total > KEY_PAIR_QUOTA) {
      throw new Error(
        `This stack's key pairs would hold ${total} playback key pairs, but IVS allows ${KEY_PAIR_QUOTA} per ` +
          `account and region: ${claims.map((claim) => `${claim.path} (${claim.count})`).join(', ')}. A GeneratedPlaybackKeyPair ` +
          'holds 2 (its current and previous key) unless keepPreviousKey is false; a PlaybackKeyPair holds 1.',
      );
    }
    this.slots.push({ path, count });
  }

  /** Makes `resource` depend on the key pair added before it. */
  public queue(resource: CustomResource): void {
    if (this.last) resource.node.addDependency(this.last);
    this.last = resource;
  }
}

const keyPairsByStack = new WeakMap<Stack, StackKeyPairs>();

/** The key pairs of `stack`. @internal */
export function keyPairsOf(stack: Stack): StackKeyPairs {
  let keyPairs = keyPairsByStack.get(stack);
  if (!keyPairs) {
    keyPairs = new StackKeyPairs();
    keyPairsByStack.set(stack, keyPairs);
  }
  return keyPairs;
}
