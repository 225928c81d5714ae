/**
 * The IVS real-time API's stage public keys (`@aws-sdk/client-ivs-realtime`, host `ivsrealtime.<region>`): the
 * seven key operations the stand-in serves (its stages are in stages.ts), as the ivs-realtime service model describes them (botocore
 * `data/ivs-realtime/2020-07-14/service-2.json`). What is sourced and what is assumed: docs/facts/ivs-real-time.md.
 */
import { RateLimitOf } from './faults';
import { KeyApiDefinition } from './key-api-stand-in';

/**
 * The seven operations, and the two stage operations a participant token needs (stages.ts), with the calls per
 * second IVS accepts (real-time service-quotas page; CreateStage's rate was not read there: 5, as GetStage's).
 */
export const IVS_REALTIME_RATE_LIMITS = {
  ImportPublicKey: 3,
  GetPublicKey: 3,
  ListPublicKeys: 3,
  DeletePublicKey: 3,
  TagResource: 10,
  UntagResource: 10,
  ListTagsForResource: 10,
  GetStage: 5,
  CreateStage: 5,
} as const;
export type RealTimeOperation = keyof typeof IVS_REALTIME_RATE_LIMITS;

/** One TPS for every real-time operation, or a TPS per operation (operations left out are not limited). */
export type RealTimeRateLimit = RateLimitOf<RealTimeOperation>;

/**
 * Public keys allowed per account and region by default. The real-time quota was not found in any source
 * (docs/facts/ivs-real-time.md); 3, as for playback key pairs, until it is. Set `realTime.quota` to test others.
 */
export const DEFAULT_PUBLIC_KEY_QUOTA = 3;

export const PUBLIC_KEYS: KeyApiDefinition<RealTimeOperation> = {
  operations: {
    importKey: 'ImportPublicKey',
    getKey: 'GetPublicKey',
    listKeys: 'ListPublicKeys',
    deleteKey: 'DeletePublicKey',
    tag: 'TagResource',
    untag: 'UntagResource',
    listTags: 'ListTagsForResource',
  },
  rateLimits: IVS_REALTIME_RATE_LIMITS,
  arnResourceType: 'public-key',
  // The model's PublicKeyArn pattern, anchored.
  arnPattern: /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:public-key\/[a-zA-Z0-9-]+$/,
  label: 'public key',
  keyMember: 'publicKey',
  listMember: 'publicKeys',
  // Unlike PlaybackKeyPair, the model's PublicKey carries publicKeyMaterial.
  view: ({ arn, name, publicKeyMaterial, fingerprint, tags }) => ({
    arn,
    name,
    publicKeyMaterial,
    fingerprint,
    tags: { ...tags },
  }),
  defaultQuota: DEFAULT_PUBLIC_KEY_QUOTA,
  // ListPublicKeys: "Maximum number of results to return. Default: 50."
  defaultPageSize: 50,
};
