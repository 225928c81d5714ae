import {
  DeletePlaybackKeyPairCommand, GetPlaybackKeyPairCommand, ImportPlaybackKeyPairCommand, IvsClient,
  ListPlaybackKeyPairsCommand, ResourceNotFoundException, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-ivs';

/** A key pair as IVS describes it. */
export interface KeyPair {
  readonly arn: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly tags: Record<string, string>;
}

/** A key pair as ListPlaybackKeyPairs describes it: no fingerprint. */
export type KeyPairSummary = Omit<KeyPair, 'fingerprint'>;

/** What the key pair to import looks like. */
export interface KeyPairToImport {
  readonly publicKeyMaterial: string;
  readonly name: string;
  readonly tags: Record<string, string>;
}

interface Sendable {
  readonly $metadata?: { attempts?: number };
}

/**
 * The IVS calls of one lifecycle event, each counted for the event's log line.
 * Errors keep their SDK class (for `instanceof`) and get a message that quotes the service.
 */
export class IvsSession {
  /** The operations called, in order; a retried call counts once. */
  public readonly calls: string[] = [];
  /** How many extra attempts the SDK's retry policy made (throttling, 5xx). */
  public retries = 0;

  constructor(private readonly client: IvsClient) {}

  public async importKeyPair(keyPair: KeyPairToImport): Promise<KeyPair> {
    const { publicKeyMaterial, name, tags } = keyPair;
    const { keyPair: imported } = await this.send('ImportPlaybackKeyPair',
      () => this.client.send(new ImportPlaybackKeyPairCommand({ publicKeyMaterial, name, tags })));
    return asKeyPair(imported);
  }

  /** Returns undefined when there is no such key pair. */
  public async getKeyPair(arn: string): Promise<KeyPair | undefined> {
    try {
      const { keyPair } = await this.send('GetPlaybackKeyPair', () => this.client.send(new GetPlaybackKeyPairCommand({ arn })));
      return asKeyPair(keyPair);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  public async listKeyPairs(): Promise<KeyPairSummary[]> {
    const summaries: KeyPairSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send('ListPlaybackKeyPairs', () => this.client.send(new ListPlaybackKeyPairsCommand({ nextToken })));
      summaries.push(...(page.keyPairs ?? []).map((k) => ({ arn: k.arn!, name: k.name ?? '', tags: k.tags ?? {} })));
      nextToken = page.nextToken;
    } while (nextToken);
    return summaries;
  }

  /** Returns false when the key pair was already gone. */
  public async deleteKeyPair(arn: string): Promise<boolean> {
    try {
      await this.send('DeletePlaybackKeyPair', () => this.client.send(new DeletePlaybackKeyPairCommand({ arn })));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  /** Changes the tags from `current` to `wanted` with as few calls as the difference needs. */
  public async syncTags(arn: string, current: Record<string, string>, wanted: Record<string, string>): Promise<void> {
    // Keys under aws: belong to AWS and cannot be removed by us.
    const stale = Object.keys(current).filter((key) => !Object.hasOwn(wanted, key) && !/^aws:/i.test(key));
    const changed = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => current[key] !== value));
    if (stale.length > 0) {
      await this.send('UntagResource', () => this.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: stale })));
    }
    if (Object.keys(changed).length > 0) {
      await this.send('TagResource', () => this.client.send(new TagResourceCommand({ resourceArn: arn, tags: changed })));
    }
  }

  private async send<T extends Sendable>(operation: string, call: () => Promise<T>): Promise<T> {
    this.calls.push(operation);
    try {
      const output = await call();
      this.countRetries(output);
      return output;
    } catch (error) {
      this.countRetries(error as Sendable);
      throw quoteService(operation, error);
    }
  }

  private countRetries(response: Sendable | undefined): void {
    this.retries += Math.max(0, (response?.$metadata?.attempts ?? 1) - 1);
  }
}

function asKeyPair(keyPair: { arn?: string; name?: string; fingerprint?: string; tags?: Record<string, string> } | undefined): KeyPair {
  return { arn: keyPair?.arn ?? '', name: keyPair?.name ?? '', fingerprint: keyPair?.fingerprint ?? '', tags: keyPair?.tags ?? {} };
}

/** The SDK leaves `message` as "UnknownError" and puts the service's words in `exceptionMessage`. */
function quoteService(operation: string, error: unknown): unknown {
  if (error instanceof Error) {
    const serviceMessage = (error as { exceptionMessage?: string }).exceptionMessage;
    const detail = serviceMessage ?? (error.message === 'UnknownError' ? undefined : error.message);
    error.message = `IVS ${operation} failed with ${error.name}${detail ? `: ${detail}` : ''}`;
  }
  return error;
}
