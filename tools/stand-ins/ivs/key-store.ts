/**
 * The imported keys of one IVS key API in one account and region: playback key pairs (low-latency API) or stage
 * public keys (real-time API). Both are immutable imported P-384 public keys with a name and tags, a count quota,
 * a paginated list without fingerprints and tag operations on their ARNs.
 */
import { IvsError, invalid } from './wire';
import {
  decodePageToken,
  encodePageToken,
  md5Fingerprint,
  p384PublicKeyDer,
  randomId,
  validName,
  validPageSize,
  validTags,
} from './validation';

export const IVS_STAND_IN_REGION = 'us-east-1';
export const IVS_STAND_IN_ACCOUNT = '123456789012';

// The models' ResourceArn pattern (its `[a-z-]` typo read as `[a-z-]+`): what the tag operations accept.
const RESOURCE_ARN_PATTERN = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+\/[a-zA-Z0-9-]+$/;

/** A key as the stand-in stores it (a playback key pair or a public key). */
export interface StandInKey {
  readonly arn: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly tags: Record<string, string>;
  readonly publicKeyMaterial: string;
}

export interface KeyStoreSettings {
  /** The ARN's resource type, e.g. `playback-key`. */
  readonly arnResourceType: string;
  /** The model's pattern for this key's ARN, anchored. */
  readonly arnPattern: RegExp;
  /** What the messages call one key, e.g. `playback key pair`. */
  readonly label: string;
  readonly quota: number;
  readonly defaultPageSize: number;
  /** Check the quota before the duplicate key on import (which one IVS checks first is undocumented). */
  readonly quotaBeforeDuplicate: boolean;
}

export class KeyStore {
  private readonly keys = new Map<string, StandInKey>();
  private readonly hiddenFromNextList = new Set<string>();

  constructor(private readonly settings: KeyStoreSettings) {}

  import(body: Record<string, unknown>): StandInKey {
    const der = p384PublicKeyDer(body.publicKeyMaterial);
    const name = validName(body.name);
    const tags = validTags(body.tags ?? {});
    const checks = [() => this.refuseDuplicate(der), () => this.refuseOverQuota()];
    for (const check of this.settings.quotaBeforeDuplicate ? checks.reverse() : checks) check();
    const { arnResourceType } = this.settings;
    const arn = `arn:aws:ivs:${IVS_STAND_IN_REGION}:${IVS_STAND_IN_ACCOUNT}:${arnResourceType}/${randomId(12)}`;
    const publicKeyMaterial = body.publicKeyMaterial as string;
    const key = { arn, name, fingerprint: md5Fingerprint(der), tags, publicKeyMaterial };
    this.keys.set(arn, key);
    return key;
  }

  /** Key operations take the key's own ARN shape: 400 when it does not match the model, 404 when unknown. */
  get(arn: string | undefined): StandInKey {
    return this.existing(arn, this.settings.arnPattern, 'arn');
  }

  delete(arn: string | undefined): void {
    this.keys.delete(this.get(arn).arn);
  }

  /** One page of summaries (`arn`, `name`, `tags`: no fingerprint) and the token of the next, if any. */
  list(body: Record<string, unknown>): { summaries: object[]; nextToken?: string } {
    const pageSize = validPageSize(body.maxResults, this.settings.defaultPageSize);
    const start = decodePageToken(body.nextToken);
    const all = [...this.keys.values()].filter((key) => !this.hiddenFromNextList.has(key.arn));
    this.hiddenFromNextList.clear();
    const page = all.slice(start, start + pageSize);
    const end = start + page.length;
    const summaries = page.map(({ arn, name, tags }) => ({ arn, name, tags: { ...tags } }));
    return end < all.length ? { summaries, nextToken: encodePageToken(end) } : { summaries };
  }

  /** Tag operations take any IVS ResourceArn; only this API's keys exist here. */
  tagsOf(arn: string | undefined): Record<string, string> {
    return { ...this.existing(arn, RESOURCE_ARN_PATTERN, 'resourceArn').tags };
  }

  updateTags(arn: string | undefined, change: (tags: Record<string, string>) => Record<string, string>): void {
    const key = this.existing(arn, RESOURCE_ARN_PATTERN, 'resourceArn');
    const tags = change(key.tags);
    if (Object.keys(tags).length > 50) throw invalid('A resource can have at most 50 tags');
    this.keys.set(key.arn, { ...key, tags });
  }

  hideFromNextList(arn: string): void {
    this.hiddenFromNextList.add(arn);
  }

  /** Sets tags on a key without IVS's checks and without a call; returns whether it existed. */
  retag(arn: string, tags: Record<string, string>): boolean {
    const key = this.keys.get(arn);
    if (key) this.keys.set(arn, { ...key, tags: { ...key.tags, ...tags } });
    return key !== undefined;
  }

  /** Removes a key without a call; returns whether it existed. */
  remove(arn: string): boolean {
    return this.keys.delete(arn);
  }

  /** Copies of the stored keys, in import order. */
  snapshot(): StandInKey[] {
    return [...this.keys.values()].map(copyOf);
  }

  private refuseDuplicate(der: Buffer): void {
    if ([...this.keys.values()].some((k) => p384PublicKeyDer(k.publicKeyMaterial).equals(der))) {
      throw new IvsError('ConflictException', `A ${this.settings.label} with this public key already exists`);
    }
  }

  private refuseOverQuota(): void {
    if (this.keys.size >= this.settings.quota) {
      const label = this.settings.label;
      throw new IvsError('ServiceQuotaExceededException', `${label[0].toUpperCase()}${label.slice(1)} quota exceeded`);
    }
  }

  private existing(arn: string | undefined, pattern: RegExp, member: string): StandInKey {
    if (typeof arn !== 'string' || arn.length > 128 || !pattern.test(arn)) {
      throw invalid(`Request member: ${member} failed to satisfy the constraints`);
    }
    const key = this.keys.get(arn);
    if (!key) throw new IvsError('ResourceNotFoundException', `Resource: ${arn} not found`);
    return key;
  }
}

export function copyOf(key: StandInKey): StandInKey {
  return { ...key, tags: { ...key.tags } };
}
