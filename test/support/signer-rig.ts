/**
 * What the token signer's tests share: moto's Secrets Manager with an admin client, secrets in the
 * format GeneratedPlaybackKeyPair writes ({privateKeyPem, publicKeyPem, fingerprint, generation}),
 * rotations as a deploy makes them, and a client for the signer that counts its reads and lets the
 * test wait until they have settled.
 */
import {
  CreateSecretCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { PlaybackKeyPairMaterial } from '../../lib/backend/key-material';
import { verifyPlaybackToken } from '../../lib/backend/playback-token';
import { MotoServer, startMotoServer } from '../../tools/stand-ins/moto-server';
import { settle } from './manual-clock';

export const CHANNEL_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/abcdABCDefgh';
export const CLAIMS = { channelArn: CHANNEL_ARN, expiresIn: 300 };
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
export const REGION = 'us-west-2';

/** moto's server and an admin client, for one test file. */
export interface SecretsRig {
  readonly moto: MotoServer;
  readonly admin: SecretsManagerClient;
  /** Creates a secret with a fresh name, holding `secretString` (or no value at all). */
  createSecret(secretString?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startSecretsRig(): Promise<SecretsRig> {
  const moto = await startMotoServer();
  const admin = new SecretsManagerClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
  let counter = 0;
  return {
    moto,
    admin,
    createSecret: async (secretString) => {
      const name = `playback-key-${++counter}`;
      await admin.send(
        new CreateSecretCommand({ Name: name, ...(secretString === undefined ? {} : { SecretString: secretString }) }),
      );
      return name;
    },
    stop: async () => {
      admin.destroy();
      await moto.stop();
    },
  };
}

export function secretValue(key: PlaybackKeyPairMaterial, generation: number): string {
  return JSON.stringify({
    privateKeyPem: key.privateKeyPem,
    publicKeyPem: key.publicKeyPem,
    fingerprint: key.fingerprint,
    generation,
  });
}

/** Rotates as a deploy does: the new version written as AWSPENDING, then AWSCURRENT moved to it. */
export async function rotate(
  admin: SecretsManagerClient,
  secretId: string,
  key: PlaybackKeyPairMaterial,
  generation: number,
): Promise<void> {
  const { VersionId } = await admin.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      SecretString: secretValue(key, generation),
      VersionStages: ['AWSPENDING'],
    }),
  );
  const current = await admin.send(new ListSecretVersionIdsCommand({ SecretId: secretId }));
  const currentVersion = current.Versions!.find((version) => version.VersionStages?.includes('AWSCURRENT'))!.VersionId;
  await admin.send(
    new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: VersionId,
      RemoveFromVersionId: currentVersion,
    }),
  );
}

/** A client for the signer that counts the reads it is asked to send, and can wait until they have settled. */
export interface CountingClient {
  readonly client: SecretsManagerClient;
  /** The reads the signer has started. */
  reads(): number;
  /** Resolves once every read started so far has answered or failed, and the signer has taken the result. */
  readsSettled(): Promise<void>;
  destroy(): void;
}

export function countingClient(endpoint: string, config: { maxAttempts?: number } = {}): CountingClient {
  const real = new SecretsManagerClient({ endpoint, region: REGION, credentials: CREDENTIALS, ...config });
  const sends: Promise<unknown>[] = [];
  const client = {
    send: (command: never, options: never) => {
      const sent = real.send(command, options);
      sends.push(sent.catch(() => undefined));
      return sent;
    },
  } as unknown as SecretsManagerClient;
  return {
    client,
    reads: () => sends.length,
    readsSettled: async () => {
      await Promise.all(sends);
      await settle();
    },
    destroy: () => real.destroy(),
  };
}

export async function signedBy(token: string, key: PlaybackKeyPairMaterial): Promise<boolean> {
  return verifyPlaybackToken(token, key.publicKeyPem).then(
    (verified) => verified.channelArn === CHANNEL_ARN,
    () => false,
  );
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
