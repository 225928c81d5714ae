import {
  CustomResource,
  IResource,
  ITaggableV2,
  RemovalPolicy,
  Resource,
  TagManager,
  Token,
  aws_ivs as ivs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { importedKey } from './key-resources';
import { KeyPairAttribute, PLAYBACK_KEY_PAIR_RESOURCE_TYPE } from '../shared/contract';
import { PLAYBACK_KEY_PAIRS } from '../shared/key-kinds';
import { isPlaybackKeyPairArn } from '../shared/validation';

/**
 * An Amazon IVS playback key pair: the public half of the key that signs viewer tokens for
 * private (authorized) channels.
 */
export interface IPlaybackKeyPair extends IResource, ivs.IPlaybackKeyPairRef {
  /**
   * The ARN of the playback key pair, e.g. `arn:aws:ivs:us-west-2:123456789012:playback-key/abcd1234`.
   *
   * @attribute
   */
  readonly playbackKeyPairArn: string;
}

/** Options for a `PlaybackKeyPair`. */
export interface PlaybackKeyPairOptions {
  /**
   * The key pair's name in IVS: at most 128 characters from `a-zA-Z0-9-_`.
   *
   * IVS cannot rename a key pair, so changing the name deletes the key pair and imports the same
   * key again under the new name (its ARN changes; tokens keep working once it is back).
   *
   * @default - a name unique to the construct's path in the app, such as `MyStack-Key-1A2B3C4D`
   */
  readonly playbackKeyPairName?: string;

  /**
   * Tags for the key pair. `Tags.of(scope).add()` reaches it too; where both set the same key,
   * the aspect wins, as for any CDK resource.
   *
   * At most 49 tags: IVS allows 50 and the construct uses one to recognise its own keys.
   *
   * @default - no tags
   */
  readonly tags?: Record<string, string>;

  /**
   * What happens to the key pair when it is removed from the stack or the stack is deleted.
   *
   * `RETAIN` also keeps the old key pair when a key change replaces it (it then still counts
   * against the quota of 3), so a key rotation does not revoke the old key: tokens signed with
   * the old private key keep working for as long as the old key pair stays imported. Delete it
   * yourself when the old private key must stop working. A rename, or a key change at the quota,
   * deletes the current key pair whatever the policy: IVS cannot hold one key twice nor more than
   * 3 key pairs.
   *
   * @default RemovalPolicy.DESTROY - the key pair is deleted; its public key stays in the template
   *   history, so it can always be imported again
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What a created and an imported key pair share. */
abstract class PlaybackKeyPairBase extends Resource implements IPlaybackKeyPair {
  /** The ARN of the playback key pair. */
  public abstract readonly playbackKeyPairArn: string;

  /** A reference to this key pair for aws-cdk-lib APIs that take an `IPlaybackKeyPairRef`. */
  public get playbackKeyPairRef(): ivs.PlaybackKeyPairReference {
    return { playbackKeyPairArn: this.playbackKeyPairArn };
  }
}

/**
 * An Amazon IVS playback key pair, imported from a public key through a custom resource that
 * handles what `AWS::IVS::PlaybackKeyPair` cannot: rollbacks of key changes, renames of an
 * existing key, key changes at the 3-key quota, and keys deleted outside CloudFormation.
 *
 * The key pairs of one stack are deployed one at a time: each depends on the one created before
 * it in the same stack. Two key pairs of one stack may not have the same key.
 *
 * @resource Custom::IvsPlaybackKeyPair
 */
export class PlaybackKeyPair extends PlaybackKeyPairBase implements ITaggableV2 {
  /**
   * The CloudFormation type of the custom resource behind a `PlaybackKeyPair`, e.g. for
   * `Template.resourceCountIs()` in a stack's tests.
   */
  public static readonly RESOURCE_TYPE: string = PLAYBACK_KEY_PAIR_RESOURCE_TYPE;

  /**
   * Refers to a playback key pair that exists outside this stack, e.g. to reuse a key that is
   * already imported (IVS refuses to import the same public key twice).
   *
   * @param scope - the scope of the reference
   * @param id - the reference's construct id
   * @param playbackKeyPairArn - `arn:<partition>:ivs:<region>:<account>:playback-key/<id>`, or a token
   */
  public static fromPlaybackKeyPairArn(scope: Construct, id: string, playbackKeyPairArn: string): IPlaybackKeyPair {
    if (!Token.isUnresolved(playbackKeyPairArn) && !isPlaybackKeyPairArn(playbackKeyPairArn)) {
      throw new Error(
        `Invalid playback key pair ARN "${playbackKeyPairArn}": expected ` +
          'arn:<partition>:ivs:<region>:<account>:playback-key/<id>',
      );
    }
    class Import extends PlaybackKeyPairBase {
      public readonly playbackKeyPairArn = playbackKeyPairArn;
    }
    return new Import(scope, id, { environmentFromArn: playbackKeyPairArn });
  }

  /**
   * The ARN IVS gave the key pair.
   *
   * @attribute
   */
  public readonly playbackKeyPairArn: string;

  /**
   * The fingerprint IVS computed for the key pair (MD5 of the public key's DER, as
   * colon-separated hex bytes).
   *
   * @attribute
   */
  public readonly playbackKeyPairFingerprint: string;

  /** The key pair's name in IVS. */
  public readonly playbackKeyPairName: string;

  /** Tags for the key pair, set by `options.tags` and by `Tags.of()`. */
  public readonly cdkTagManager: TagManager;

  private readonly resource: CustomResource;

  /**
   * Imports `publicKeyMaterial` into IVS as a playback key pair when the stack deploys.
   *
   * @param scope - the scope of the key pair
   * @param id - the construct id, also the source of the default name
   * @param publicKeyMaterial - the public key, as the contents of a PEM file
   *   (`-----BEGIN PUBLIC KEY-----`, ECDSA P-384). It is the construct's one essential input, so
   *   it is a positional argument rather than a field of `options`, which keeps call sites as
   *   short as `new PlaybackKeyPair(this, 'Key', fs.readFileSync('public.pem', 'utf8'))`.
   * @param options - name, tags and removal policy
   * @throws Error if another `PlaybackKeyPair` of the same stack already has this key (compared
   *   as DER, so PEM formatting does not matter)
   */
  constructor(scope: Construct, id: string, publicKeyMaterial: string, options: PlaybackKeyPairOptions = {}) {
    super(scope, id);
    const { resource, name, tagManager } = importedKey(this, PLAYBACK_KEY_PAIRS, publicKeyMaterial, {
      name: options.playbackKeyPairName,
      tags: options.tags,
      removalPolicy: options.removalPolicy,
    });
    this.resource = resource;
    this.playbackKeyPairName = name;
    this.cdkTagManager = tagManager;
    this.playbackKeyPairArn = resource.getAttString(KeyPairAttribute.ARN);
    this.playbackKeyPairFingerprint = resource.getAttString(KeyPairAttribute.FINGERPRINT);
  }

  /**
   * Sets what happens to the key pair when it leaves the stack. (`Resource`'s own version cannot
   * reach the CloudFormation resource inside a `CustomResource`.)
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
  }
}
