/**
 * The two kinds of key IVS imports, described once for the construct (synth time) and the handler
 * (deploy time): a low-latency **playback key pair** (`ImportPlaybackKeyPair`, viewer tokens of private
 * channels) and a real-time **stage public key** (`ImportPublicKey`, participant tokens of stages). The
 * lifecycle rules are the same for both (docs/lifecycle-rules.md); what differs is here: resource
 * types, ARNs, the quota, the construct's names and the words of the messages.
 *
 * Constants only, and `node:` modules: the handler bundles this file.
 *
 * @internal
 */
import {
  GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  GENERATED_STAGE_PUBLIC_KEY_RESOURCE_TYPE,
  KEY_PAIR_QUOTA,
  PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  STAGE_PUBLIC_KEY_RESOURCE_TYPE,
} from './contract';

/** One kind of imported IVS key. */
export interface KeyKind {
  /** What IVS calls one, in a sentence: `playback key pair`, `public key`. */
  readonly noun: string;
  /** Its plural, for the quota's message. */
  readonly nounPlural: string;
  /** What a message calls one once the full noun has been said: `key pair`, `public key`. */
  readonly shortNoun: string;
  /** Its plural: `key pairs`, `public keys`. */
  readonly shortNounPlural: string;
  /** The resource segment of its ARN: `arn:<partition>:ivs:<region>:<account>:<arnResource>/<id>`. */
  readonly arnResource: 'playback-key' | 'public-key';
  /** The custom resource type of the construct that imports a key you bring. */
  readonly importedResourceType: string;
  /** The custom resource type of the construct that generates its key. */
  readonly generatedResourceType: string;
  /** How many IVS allows per account and region; undefined where no source gives the number. */
  readonly quota?: number;
  /** The construct that imports a key you bring, e.g. `PlaybackKeyPair`. */
  readonly importedConstruct: string;
  /** The construct that generates its key, e.g. `GeneratedPlaybackKeyPair`. */
  readonly generatedConstruct: string;
  /** How to refer to one that exists outside the stack, as code, e.g. `PlaybackKeyPair.fromPlaybackKeyPairArn`. */
  readonly fromArn: string;
  /** The construct's name option, e.g. `playbackKeyPairName`. */
  readonly nameOption: string;
  /** The AWS CLI command that deletes one, without its `--arn`. */
  readonly deleteCommand: string;
  /** The field of a generated key's secret value that names the ARN IVS gave its key. */
  readonly valueArnField: 'playbackKeyPairArn' | 'publicKeyArn';
}

/** Low-latency playback key pairs (`@aws-sdk/client-ivs`). */
export const PLAYBACK_KEY_PAIRS: KeyKind = {
  noun: 'playback key pair',
  nounPlural: 'playback key pairs',
  shortNoun: 'key pair',
  shortNounPlural: 'key pairs',
  arnResource: 'playback-key',
  importedResourceType: PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  generatedResourceType: GENERATED_PLAYBACK_KEY_PAIR_RESOURCE_TYPE,
  quota: KEY_PAIR_QUOTA,
  importedConstruct: 'PlaybackKeyPair',
  generatedConstruct: 'GeneratedPlaybackKeyPair',
  fromArn: 'PlaybackKeyPair.fromPlaybackKeyPairArn',
  nameOption: 'playbackKeyPairName',
  deleteCommand: 'aws ivs delete-playback-key-pair',
  valueArnField: 'playbackKeyPairArn',
};

/**
 * Real-time stage public keys (`@aws-sdk/client-ivs-realtime`). Their count quota per region is not
 * in any source this project could read (docs/facts/ivs-real-time.md): synthesis refuses nothing for
 * it, and the handler meets a 402 as it meets the playback quota.
 */
export const STAGE_PUBLIC_KEYS: KeyKind = {
  noun: 'public key',
  nounPlural: 'public keys',
  shortNoun: 'public key',
  shortNounPlural: 'public keys',
  arnResource: 'public-key',
  importedResourceType: STAGE_PUBLIC_KEY_RESOURCE_TYPE,
  generatedResourceType: GENERATED_STAGE_PUBLIC_KEY_RESOURCE_TYPE,
  quota: undefined,
  importedConstruct: 'StagePublicKey',
  generatedConstruct: 'GeneratedStagePublicKey',
  fromArn: 'StagePublicKey.fromPublicKeyArn',
  nameOption: 'publicKeyName',
  deleteCommand: 'aws ivs-realtime delete-public-key',
  valueArnField: 'publicKeyArn',
};

/** Which kind a custom resource type serves, and whether its key is generated; undefined for another type. */
export function keyKindOf(resourceType: string): { kind: KeyKind; generated: boolean } | undefined {
  for (const kind of [PLAYBACK_KEY_PAIRS, STAGE_PUBLIC_KEYS]) {
    if (resourceType === kind.importedResourceType) return { kind, generated: false };
    if (resourceType === kind.generatedResourceType) return { kind, generated: true };
  }
  return undefined;
}

/** Which kind an IVS key ARN names, by its resource segment; undefined for any other ARN. */
export function keyKindOfArn(arn: string): KeyKind | undefined {
  return [PLAYBACK_KEY_PAIRS, STAGE_PUBLIC_KEYS].find((kind) => arn.split(':')[5]?.startsWith(`${kind.arnResource}/`));
}
