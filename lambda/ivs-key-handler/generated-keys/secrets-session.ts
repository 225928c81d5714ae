import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { IvsDeadline } from '../ivs-apis/key-session';
import { beforeDeadline } from '../before-deadline';

/** A version of the secret and its staging labels (none: deprecated, but listed). */
export interface SecretVersion {
  readonly versionId: string;
  readonly stages: readonly string[];
}

/** A Secrets Manager call that had not finished when the handler's deadline came. */
export class SecretsManagerDeadlineError extends Error {
  constructor(operation: string, afterMs: number) {
    super(
      `Secrets Manager ${operation} did not finish within ${Math.round(afterMs / 1000)} s, so the handler stopped ` +
        'waiting, to answer CloudFormation before its Lambda timeout. Deploy again.',
    );
    this.name = 'SecretsManagerDeadlineError';
  }
}

/**
 * The Secrets Manager calls of one event on one secret, each counted for the log line. Values are
 * never part of an error message: they hold private keys.
 */
export class SecretsSession {
  /** The operations called, in order. */
  public readonly calls: string[] = [];

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly deadline?: IvsDeadline,
  ) {}

  /**
   * Every version, deprecated ones (without a label) included: a version written by a delivery
   * that failed before labelling it still names the key pair its key is in.
   */
  public async versions(secretId: string): Promise<SecretVersion[]> {
    const versions: SecretVersion[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send('ListSecretVersionIds', (abortSignal) =>
        this.client.send(
          new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, NextToken: nextToken }),
          { abortSignal },
        ),
      );
      for (const version of page.Versions ?? []) {
        if (version.VersionId) versions.push({ versionId: version.VersionId, stages: version.VersionStages ?? [] });
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return versions;
  }

  /**
   * Writes a version labelled `stages` (a label another version holds moves here). The same id
   * with the same value is a no-op, so a repeated write of one key and key pair changes nothing.
   */
  public async putVersion(
    secretId: string,
    versionId: string,
    value: string,
    stages: string[],
    /** A scheduled rotation's `RotationToken`, passed on as Secrets Manager asks (never logged). */
    rotationToken?: string,
  ): Promise<void> {
    await this.send('PutSecretValue', (abortSignal) =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: versionId,
          SecretString: value,
          VersionStages: stages,
          ...(rotationToken ? { RotationToken: rotationToken } : {}),
        }),
        { abortSignal },
      ),
    );
  }

  /** The secret's full ARN and its tags (a scheduled rotation's event names the secret only). */
  public async describe(secretId: string): Promise<{ arn: string; tags: Record<string, string> }> {
    const { ARN, Tags } = await this.send('DescribeSecret', (abortSignal) =>
      this.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal }),
    );
    return {
      arn: ARN ?? secretId,
      tags: Object.fromEntries((Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    };
  }

  /** The value of one version, by its id. */
  public async versionValue(secretId: string, versionId: string): Promise<string> {
    const { SecretString } = await this.send('GetSecretValue', (abortSignal) =>
      this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }), { abortSignal }),
    );
    return SecretString ?? '';
  }

  /** Moves `stage` onto `toVersionId` (from `fromVersionId`, which holds it), or only removes it. */
  public async moveStage(secretId: string, stage: string, move: { to?: string; from?: string }): Promise<void> {
    await this.send('UpdateSecretVersionStage', (abortSignal) =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          MoveToVersionId: move.to,
          RemoveFromVersionId: move.from,
        }),
        { abortSignal },
      ),
    );
  }

  private async send<T>(operation: string, call: (abortSignal?: AbortSignal) => Promise<T>): Promise<T> {
    this.calls.push(operation);
    try {
      return await beforeDeadline(call(this.deadline?.signal), this.deadline?.signal);
    } catch (error) {
      if (this.deadline?.signal.aborted) throw new SecretsManagerDeadlineError(operation, this.deadline.afterMs);
      throw quoteService(operation, error);
    }
  }
}

/** Names the call and the service's error; the service's messages name secrets, never their values. */
function quoteService(operation: string, error: unknown): unknown {
  if (error instanceof Error && !error.message.startsWith('Secrets Manager ')) {
    error.message = `Secrets Manager ${operation} failed with ${error.name}${error.message ? `: ${error.message}` : ''}`;
  }
  return error;
}
