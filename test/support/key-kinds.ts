/**
 * Both IVS key kinds as the handler's tests see them, so that a suite of a shared lifecycle rule
 * (docs/lifecycle-rules.md) runs once per kind: `describe.each(KEY_KINDS)('$title', (kind) => ...)`.
 * What the handler itself knows of each kind is `lib/shared/key-kinds.ts`; this adds what a test
 * needs around it: the operation names it expects on the wire, the stand-in API that holds the
 * keys, the construct that synthesizes one, and the words of the messages.
 */
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PlaybackKeyPair, StagePublicKey } from '../../lib';
import { KeyKind, PLAYBACK_KEY_PAIRS, STAGE_PUBLIC_KEYS } from '../../lib/shared/key-kinds';
import {
  IVS_STAND_IN_ACCOUNT,
  IVS_STAND_IN_REGION,
  IvsStandIn,
  KeyApiStandIn,
} from '../../tools/stand-ins/ivs-stand-in';
import type { IvsStandInOptions } from '../../tools/stand-ins/ivs-stand-in';

/** The options both constructs of a key you bring take, under their own names. */
export interface ConstructOptions {
  readonly name?: string;
  readonly tags?: Record<string, string>;
}

/** One IVS key kind, for the tests. */
export interface TestKeyKind {
  /** The describe block's name. */
  readonly title: string;
  /** What the handler knows of the kind (nouns, resource types, quota, the construct's names). */
  readonly kind: KeyKind;
  /** `Custom::IvsPlaybackKeyPair`, `Custom::IvsStagePublicKey`. */
  readonly resourceType: string;
  /** `Custom::IvsGeneratedPlaybackKeyPair`, `Custom::IvsGeneratedStagePublicKey`. */
  readonly generatedResourceType: string;
  /** The key operations as the stand-in records them (tags are `TagResource` and `UntagResource` in both APIs). */
  readonly ops: { readonly import: string; readonly get: string; readonly list: string; readonly delete: string };
  /** The shape of the ARN IVS gives a key of this kind in the stand-in's account and region. */
  readonly arnPattern: RegExp;
  /** The stand-in API that holds this kind's keys: `keys()`, `calls`, `failNext(ops.import, ...)` ... */
  api(ivs: IvsStandIn): KeyApiStandIn<string>;
  /** The options that start a stand-in whose API for this kind allows `quota` keys (and the other API its default). */
  quotaOptions(quota: number, extra?: Pick<IvsStandInOptions, 'quotaBeforeDuplicate'>): IvsStandInOptions;
  /** The construct that imports a key you bring: `new PlaybackKeyPair(scope, id, pem, { playbackKeyPairName, tags })`. */
  construct(scope: Construct, id: string, publicKeyMaterial: string, options?: ConstructOptions): Construct;
  /** The first sentence of the quota's message (the number where it is sourced, IVS's refusal where not). */
  readonly quotaSentence: string;
}

const playbackKeyPairs: TestKeyKind = {
  title: 'playback key pairs',
  kind: PLAYBACK_KEY_PAIRS,
  resourceType: PLAYBACK_KEY_PAIRS.importedResourceType,
  generatedResourceType: PLAYBACK_KEY_PAIRS.generatedResourceType,
  ops: {
    import: 'ImportPlaybackKeyPair',
    get: 'GetPlaybackKeyPair',
    list: 'ListPlaybackKeyPairs',
    delete: 'DeletePlaybackKeyPair',
  },
  arnPattern: arnPattern('playback-key'),
  api: (ivs) => ivs.lowLatency as KeyApiStandIn<string>,
  quotaOptions: (quota, extra = {}) => ({ keyPairQuota: quota, ...extra }),
  construct: (scope, id, publicKeyMaterial, { name, tags } = {}) =>
    new PlaybackKeyPair(scope, id, publicKeyMaterial, { playbackKeyPairName: name, tags }),
  quotaSentence: 'IVS allows 3 playback key pairs per account and region',
};

const stagePublicKeys: TestKeyKind = {
  title: 'stage public keys',
  kind: STAGE_PUBLIC_KEYS,
  resourceType: STAGE_PUBLIC_KEYS.importedResourceType,
  generatedResourceType: STAGE_PUBLIC_KEYS.generatedResourceType,
  ops: { import: 'ImportPublicKey', get: 'GetPublicKey', list: 'ListPublicKeys', delete: 'DeletePublicKey' },
  arnPattern: arnPattern('public-key'),
  api: (ivs) => ivs.realTime as KeyApiStandIn<string>,
  quotaOptions: (quota, extra = {}) => ({ ...extra, realTime: { quota, ...extra } }),
  construct: (scope, id, publicKeyMaterial, { name, tags } = {}) =>
    new StagePublicKey(scope, id, publicKeyMaterial, { publicKeyName: name, tags }),
  // The real-time quota is not sourced (docs/facts/ivs-real-time.md): the message says what IVS did.
  quotaSentence:
    'IVS refused the import because the region holds as many public keys as it allows ' +
    '(ServiceQuotaExceededException; the number is not documented)',
};

/** Both kinds, playback key pairs first. */
export const KEY_KINDS: readonly TestKeyKind[] = [playbackKeyPairs, stagePublicKeys];

/** The kind of playback key pairs alone, for a rule only they have. */
export const PLAYBACK_KIND = playbackKeyPairs;
/** The kind of stage public keys alone. */
export const STAGE_KIND = stagePublicKeys;

function arnPattern(resource: string): RegExp {
  return new RegExp(`^arn:aws:ivs:${IVS_STAND_IN_REGION}:${IVS_STAND_IN_ACCOUNT}:${resource}/[a-zA-Z0-9]+$`);
}

/** The logical ID a construct's custom resource gets in `stack`. */
export function logicalIdOf(stack: Stack, construct: Construct): string {
  return stack.getLogicalId(construct.node.findChild('Resource').node.defaultChild as never);
}
