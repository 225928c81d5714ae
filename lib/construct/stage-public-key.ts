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
import { KeyPairAttribute, STAGE_PUBLIC_KEY_RESOURCE_TYPE } from '../shared/contract';
import { STAGE_PUBLIC_KEYS } from '../shared/key-kinds';
import { isKeyArn } from '../shared/validation';

/**
 * An Amazon IVS Real-Time public key: the public half of the key that signs participant tokens for
 * stages (IVS checks a token against the public key its `kid` header names).
 */
export interface IStagePublicKey extends IResource, ivs.IPublicKeyRef {
  /**
   * The ARN of the public key, e.g. `arn:aws:ivs:us-west-2:123456789012:public-key/abcdABCDefgh`:
   * the `kid` of the participant tokens its private half signs.
   *
   * @attribute
   */
  readonly publicKeyArn: string;
}

/** Options for a `StagePublicKey`. */
export interface StagePublicKeyOptions {
  /**
   * The public key's name in IVS: at most 128 characters from `a-zA-Z0-9-_`.
   *
   * IVS cannot rename a public key, so changing the name deletes it and imports the same key again
   * under the new name (its ARN changes: sign new tokens with the new ARN as `kid`).
   *
   * @default - a name unique to the construct's path in the app, such as `MyStack-Key-1A2B3C4D`
   */
  readonly publicKeyName?: string;

  /**
   * Tags for the public key. `Tags.of(scope).add()` reaches it too; where both set the same key,
   * the aspect wins, as for any CDK resource.
   *
   * At most 49 tags: IVS allows 50 and the construct uses one to recognise its own keys.
   *
   * @default - no tags
   */
  readonly tags?: Record<string, string>;

  /**
   * What happens to the public key when it is removed from the stack or the stack is deleted.
   * `RETAIN` also keeps the old public key when a key change replaces it, so tokens signed with
   * the old private key keep being accepted until you delete it yourself.
   *
   * @default RemovalPolicy.DESTROY - the public key is deleted; it stays in the template history,
   *   so it can always be imported again
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What a created and an imported public key share. */
abstract class StagePublicKeyBase extends Resource implements IStagePublicKey {
  /** The ARN of the public key. */
  public abstract readonly publicKeyArn: string;

  /** A reference to this public key for aws-cdk-lib APIs that take an `IPublicKeyRef`. */
  public get publicKeyRef(): ivs.PublicKeyReference {
    return { publicKeyArn: this.publicKeyArn };
  }
}

/**
 * An Amazon IVS Real-Time public key, imported from a public key through the same custom resource
 * (and the same lifecycle rules) as `PlaybackKeyPair`: rollbacks of key changes, renames, key
 * changes at the quota, keys deleted outside CloudFormation, late and repeated deliveries.
 *
 * The keys of one stack are deployed one at a time: each depends on the one created before it in
 * the same stack. Two public keys of one stack may not have the same key.
 *
 * @resource Custom::IvsStagePublicKey
 */
export class StagePublicKey extends StagePublicKeyBase implements ITaggableV2 {
  /** The CloudFormation type of the custom resource behind a `StagePublicKey`. */
  public static readonly RESOURCE_TYPE: string = STAGE_PUBLIC_KEY_RESOURCE_TYPE;

  /**
   * Refers to a public key that exists outside this stack, e.g. to reuse a key that is already
   * imported (IVS refuses to import the same public key twice).
   *
   * @param scope - the scope of the reference
   * @param id - the reference's construct id
   * @param publicKeyArn - `arn:<partition>:ivs:<region>:<account>:public-key/<id>`, or a token
   */
  public static fromPublicKeyArn(scope: Construct, id: string, publicKeyArn: string): IStagePublicKey {
    if (!Token.isUnresolved(publicKeyArn) && !isKeyArn(STAGE_PUBLIC_KEYS, publicKeyArn)) {
      throw new Error(
        `Invalid public key ARN "${publicKeyArn}": expected arn:<partition>:ivs:<region>:<account>:public-key/<id>`,
      );
    }
    class Import extends StagePublicKeyBase {
      public readonly publicKeyArn = publicKeyArn;
    }
    return new Import(scope, id, { environmentFromArn: publicKeyArn });
  }

  /**
   * The ARN IVS gave the public key: the `kid` of the participant tokens its private half signs.
   *
   * @attribute
   */
  public readonly publicKeyArn: string;

  /**
   * The fingerprint IVS computed for the public key.
   *
   * @attribute
   */
  public readonly publicKeyFingerprint: string;

  /** The public key's name in IVS. */
  public readonly publicKeyName: string;

  /** Tags for the public key, set by `options.tags` and by `Tags.of()`. */
  public readonly cdkTagManager: TagManager;

  private readonly resource: CustomResource;

  /**
   * Imports `publicKeyMaterial` into IVS Real-Time as a public key when the stack deploys.
   *
   * @param scope - the scope of the public key
   * @param id - the construct id, also the source of the default name
   * @param publicKeyMaterial - the public key, as the contents of a PEM file
   *   (`-----BEGIN PUBLIC KEY-----`, ECDSA P-384), positional as for `PlaybackKeyPair`
   * @param options - name, tags and removal policy
   * @throws Error if another `StagePublicKey` of the same stack already has this key
   */
  constructor(scope: Construct, id: string, publicKeyMaterial: string, options: StagePublicKeyOptions = {}) {
    super(scope, id);
    const { resource, name, tagManager } = importedKey(this, STAGE_PUBLIC_KEYS, publicKeyMaterial, {
      name: options.publicKeyName,
      tags: options.tags,
      removalPolicy: options.removalPolicy,
    });
    this.resource = resource;
    this.publicKeyName = name;
    this.cdkTagManager = tagManager;
    this.publicKeyArn = resource.getAttString(KeyPairAttribute.ARN);
    this.publicKeyFingerprint = resource.getAttString(KeyPairAttribute.FINGERPRINT);
  }

  /** Sets what happens to the public key when it leaves the stack. */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
  }
}
