/**
 * One IVS key API, as the lifecycle rules use it: import, describe, list, delete and tag a key.
 * Playback key pairs (`@aws-sdk/client-ivs`) and stage public keys (`@aws-sdk/client-ivs-realtime`)
 * are the same shape in two services; an adapter per service (playback-key-pairs.ts, public-keys.ts)
 * maps the one onto its SDK, so the rules are written once, over `KeySession` (key-session.ts).
 */
import type { KeyKind } from '../../../lib/shared/key-kinds';

/** A key as IVS describes it (a playback key pair, or a stage public key). */
export interface IvsKey {
  readonly arn: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly tags: Record<string, string>;
}

/** A key as the List operations describe it: no fingerprint. */
export type IvsKeySummary = Omit<IvsKey, 'fingerprint'>;

/** What the key to import looks like. */
export interface IvsKeyToImport {
  readonly publicKeyMaterial: string;
  readonly name: string;
  readonly tags: Record<string, string>;
}

/** What the SDK answers with, besides the output: how many attempts its retry policy made. */
export interface Sendable {
  readonly $metadata?: { attempts?: number; httpStatusCode?: number };
}

/** One page of a List. */
export interface IvsKeyPage extends Sendable {
  readonly keys: IvsKeySummary[];
  readonly nextToken?: string;
}

/** One IVS key API, through its SDK client; each call takes the abort signal of the handler's deadline. */
export interface KeyApi {
  /** Which keys it serves: the words, ARNs and quota of the rules' messages. */
  readonly kind: KeyKind;
  /** The API's operation names, for the log line and the messages (e.g. `ImportPlaybackKeyPair`). */
  readonly operations: {
    readonly import: string;
    readonly get: string;
    readonly list: string;
    readonly delete: string;
  };
  importKey(key: IvsKeyToImport, abortSignal?: AbortSignal): Promise<{ key?: Partial<IvsKey> } & Sendable>;
  getKey(arn: string, abortSignal?: AbortSignal): Promise<{ key?: Partial<IvsKey> } & Sendable>;
  listKeys(nextToken: string | undefined, abortSignal?: AbortSignal): Promise<IvsKeyPage>;
  deleteKey(arn: string, abortSignal?: AbortSignal): Promise<Sendable>;
  tagKey(arn: string, tags: Record<string, string>, abortSignal?: AbortSignal): Promise<Sendable>;
  untagKey(arn: string, tagKeys: string[], abortSignal?: AbortSignal): Promise<Sendable>;
}

/**
 * The SDK errors the rules act on, told apart by name: each SDK has its own classes of the same
 * names (the IVS models share the shapes), so `instanceof` would tie a rule to one service.
 */
export function isConflict(error: unknown): boolean {
  return errorName(error) === 'ConflictException';
}

/** The region holds as many keys of this kind as IVS allows (402). */
export function isQuotaExceeded(error: unknown): boolean {
  return errorName(error) === 'ServiceQuotaExceededException';
}

/** No such key (404). */
export function isNotFound(error: unknown): boolean {
  return errorName(error) === 'ResourceNotFoundException';
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * The first half of a quota message: `IVS allows 3 playback key pairs per account and region`, or,
 * where no source gives the number (public keys), what IVS said.
 */
export function quotaSentence(kind: KeyKind): string {
  return kind.quota !== undefined
    ? `IVS allows ${kind.quota} ${kind.nounPlural} per account and region`
    : `IVS refused the import because the region holds as many ${kind.nounPlural} as it allows ` +
        '(ServiceQuotaExceededException; the number is not documented)';
}

/** `(quota of 3)`, or `(the quota)` where the number is not documented. */
export function quotaNote(kind: KeyKind): string {
  return kind.quota !== undefined ? `(quota of ${kind.quota})` : '(the quota)';
}
