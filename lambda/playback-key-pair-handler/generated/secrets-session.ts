import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { IvsDeadline } from '../ivs-session';
import { beforeDeadline } from '../before-deadline';

/** A version of the secret that carries at least one staging label. */
export interface LabelledVersion {
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

  /** The versions that carry a staging label (versions without one are deprecated). */
  public async labelledVersions(secretId: string): Promise<LabelledVersion[]> {
    const versions: LabelledVersion[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send('ListSecretVersionIds', (abortSignal) =>
        this.client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, NextToken: nextToken }), {
          abortSignal,
        }),
      );
      for (const version of page.Versions ?? []) {
        if (version.VersionId && version.VersionStages?.length)
          versions.push({ versionId: version.VersionId, stages: version.VersionStages });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return versions;
  }

  /**
   * Writes a version labelled only `stage`. Returns false when a version with this id exists already
   * with another value (a repeated event): Secrets Manager keeps the first one.
   */
  public async putVersion(secretId: string, versionId: string, value: string, stage: string): Promise<boolean> {
    try {
      await this.send('PutSecretValue', (abortSignal) =>
        this.client.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            ClientRequestToken: versionId,
            SecretString: value,
            VersionStages: [stage],
          }),
          { abortSignal },
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ResourceExistsException) return false;
      throw error;
    }
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
