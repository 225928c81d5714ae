/**
 * The low-latency IVS API's playback key pairs (`@aws-sdk/client-ivs`, host `ivs.<region>`): the seven operations
 * the stand-in serves, as the IVS service model describes them (botocore `data/ivs/2020-07-14/service-2.json`).
 */
import { RateLimitOf } from './faults';
import { KeyApiDefinition } from './key-api-stand-in';

/** The seven operations, with the calls per second IVS accepts (low-latency service-quotas page). */
export const IVS_RATE_LIMITS = {
  ImportPlaybackKeyPair: 3,
  GetPlaybackKeyPair: 3,
  ListPlaybackKeyPairs: 3,
  DeletePlaybackKeyPair: 3,
  TagResource: 10,
  UntagResource: 10,
  ListTagsForResource: 10,
} as const;
export type IvsOperation = keyof typeof IVS_RATE_LIMITS;

/** One TPS for every operation, or a TPS per operation (operations left out are not limited). */
export type RateLimit = RateLimitOf<IvsOperation>;

export const PLAYBACK_KEY_PAIRS: KeyApiDefinition<IvsOperation> = {
  operations: {
    importKey: 'ImportPlaybackKeyPair',
    getKey: 'GetPlaybackKeyPair',
    listKeys: 'ListPlaybackKeyPairs',
    deleteKey: 'DeletePlaybackKeyPair',
    tag: 'TagResource',
    untag: 'UntagResource',
    listTags: 'ListTagsForResource',
  },
  rateLimits: IVS_RATE_LIMITS,
  arnResourceType: 'playback-key',
  // The model's PlaybackKeyPairArn pattern, anchored.
  arnPattern: /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:playback-key\/[a-zA-Z0-9-]+$/,
  label: 'playback key pair',
  keyMember: 'keyPair',
  listMember: 'keyPairs',
  // PlaybackKeyPair has no publicKeyMaterial member.
  view: ({ arn, name, fingerprint, tags }) => ({ arn, name, fingerprint, tags: { ...tags } }),
  // At most 3 playback key pairs per account and region, not adjustable (IVS user guide).
  defaultQuota: 3,
  defaultPageSize: 100,
};
