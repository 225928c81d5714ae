/**
 * The four steps of a scheduled rotation of a generated key, on the steps a deploy uses
 * (key-pairs.ts for IVS, labels.ts and secret-versions.ts for the secret). Secrets Manager names
 * the new version (`ClientRequestToken`); everything else is read from the secret and IVS at each
 * step, so that any step may be delivered again:
 *
 * - createSecret generates a key, imports it, then writes it under the token labelled AWSPENDING.
 *   AWS's template writes here and sets the secret in the service at setSecret; here the import comes
 *   first, because the value names the key IVS holds (`playbackKeyPairArn`, `publicKeyArn`) and a
 *   version's value cannot change once written. A version only ever names a key IVS imported.
 * - setSecret checks that the pending key is in IVS under the key's name and tags.
 * - testSecret checks, without changing anything, that IVS fingerprints the pending key as its value
 *   says and that the value's private half is that key's. Called alone on a version without a key, it is
 *   Secrets Manager's test of a new schedule's configuration, and succeeds.
 * - finishSecret moves AWSCURRENT to it (Secrets Manager moves AWSPREVIOUS to the old key), removes
 *   AWSPENDING, then deletes the key before the previous one (keepPreviousKey) or the previous one.
 *
 * A scheduled rotation keeps the generation: a template `generation` above it still rotates exactly once.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { EVENT_MARKER_TAG_KEY, GENERATION_TAG_KEY, OWNER_TAG_KEY } from '../../../lib/shared/contract';
import {
  GeneratedKeyValue,
  generateKeyValue,
  keyPairDigest,
  ownerOfSecret,
  serializeKeyValue,
} from '../../../lib/shared/generated-key';
import { fingerprintOfDer } from '../../../lib/shared/validation';
import type { IvsKey, IvsKeySummary, KeySession } from '../ivs-apis/key-session';
import { DesiredGeneratedKey, tagsFor } from './desired';
import { GeneratedKeyEvent, ResourceKeyPairs } from './key-pairs';
import { moveLabel, SecretOfEvent } from './labels';
import type { RotationEvent, RotationTarget } from './rotation-event';
import { CURRENT, KnownVersion, NotAGeneratedKeyError, PENDING, PREVIOUS, SecretVersions } from './secret-versions';
import type { SecretsSession } from './secrets-session';

/** Runs one rotation step; returns a few words for the log line, or throws (Secrets Manager then stops the rotation). */
export async function onRotationStep(
  event: RotationEvent,
  target: RotationTarget,
  ivs: KeySession,
  secrets: SecretsSession,
): Promise<string> {
  const rotation = await Rotation.load(event, target, ivs, secrets);
  if (rotation.tokenVersion?.stages.includes(CURRENT)) {
    // Finished already (a repeated delivery): only the retirement may be left to do.
    if (event.Step === 'finishSecret') await rotation.retire();
    return rotation.result(`version ${event.ClientRequestToken} is AWSCURRENT already`);
  }
  switch (event.Step) {
    case 'createSecret':
      return rotation.create();
    case 'setSecret':
      await rotation.pendingKeyPair({ syncTags: true });
      return rotation.result('the pending key is imported');
    case 'testSecret':
      if (!(await rotation.hasPendingKey())) {
        // A new schedule (RotateImmediatelyOnUpdate false) makes Secrets Manager test the configuration: it runs
        // testSecret alone on a pending version it created without a key. Load checked AWSCURRENT's key; nothing to do.
        return rotation.result(
          `no key under version ${event.ClientRequestToken}: Secrets Manager's test of a new rotation schedule; nothing changed`,
        );
      }
      await rotation.test();
      return rotation.result('the pending key is imported with its fingerprint, and the secret holds its private half');
    case 'finishSecret':
      return rotation.finish();
  }
}

/** One step's view of the secret and its key pairs. */
class Rotation {
  static async load(
    event: RotationEvent,
    target: RotationTarget,
    ivs: KeySession,
    secrets: SecretsSession,
  ): Promise<Rotation> {
    const { secretArn, kind } = target;
    const versions = await SecretVersions.read(secrets, secretArn, kind);
    const current = versions.labelled(CURRENT);
    if (current?.generation === undefined) {
      throw new Error(
        `The secret ${secretArn} holds no generated key as AWSCURRENT (the key resource writes the first one when ` +
          'the stack is deployed); nothing was imported or changed.',
      );
    }
    const owner = ownerOfSecret(secretArn);
    const listed = await ivs.listKeys();
    const currentKeyPair = await keyPairOf(ivs, listed, owner, current, versions);
    const desired = rotationDesired(target, owner, currentKeyPair, current.generation);
    const context: GeneratedKeyEvent = { desired, ivs, notes: [] };
    const keyPairs = ResourceKeyPairs.of(context, listed);
    return new Rotation(event, context, { secretArn, kind, secrets, versions, keyPairs }, current);
  }

  /** The version Secrets Manager's token names, if written (or, in AWS, created empty by RotateSecret). */
  public readonly tokenVersion?: KnownVersion;

  private constructor(
    private readonly event: RotationEvent,
    private readonly context: GeneratedKeyEvent,
    private readonly secret: SecretOfEvent,
    private readonly current: KnownVersion,
  ) {
    this.tokenVersion = secret.versions.get(event.ClientRequestToken);
  }

  /** createSecret: the token's version already holds a key (a repeated delivery), or a new key is imported, then written. */
  public async create(): Promise<string> {
    if (await this.pendingValue()) return this.result('the pending key was written by an earlier delivery');
    const { keyPairs, secrets, secretArn, kind } = this.secret;
    const { generation } = this.current;
    // At the quota, only a key pair this rotation retires anyway may make room (as a deploy's rotation, rule G4).
    if (this.context.desired.keepPreviousKey) keyPairs.protect(this.current);
    const fresh = { ...generateKeyValue(generation!), keyArn: '' };
    try {
      const held = (await keyPairs.hold({ generation: generation!, value: () => Promise.resolve(fresh) }))!;
      await secrets.putVersion(
        secretArn,
        this.event.ClientRequestToken,
        serializeKeyValue(held.value!, kind),
        [PENDING],
        this.event.RotationToken,
      );
      keyPairs.wrote(held.arn);
      return this.result(`imported ${held.arn} and wrote it as AWSPENDING`);
    } catch (error) {
      // Its private half is nowhere: delete the key pair as far as IVS still answers (any later event does otherwise).
      await keyPairs.deleteUnwritten();
      throw error;
    }
  }

  /** Whether the token's version holds a key written by createSecret (false for an absent or empty version). */
  public async hasPendingKey(): Promise<boolean> {
    return (await this.pendingValue()) !== undefined;
  }

  /** testSecret: IVS holds the pending key under its fingerprint, and the value's private half signs for that key. */
  public async test(): Promise<void> {
    const { value, keyPair } = await this.pendingKeyPair({ syncTags: false });
    const publicOfPrivate = createPublicKey(createPrivateKey(value.privateKeyPem));
    const payload = Buffer.from(this.event.ClientRequestToken);
    const signed = sign('sha384', payload, value.privateKeyPem);
    const fingerprint = fingerprintOfDer(publicOfPrivate.export({ type: 'spki', format: 'der' }));
    if (fingerprint !== keyPair.fingerprint || !verify('sha384', payload, value.publicKeyPem, signed)) {
      throw new Error(
        `The private key of the pending version ${this.event.ClientRequestToken} is not the key of ${keyPair.arn}; ` +
          'AWSCURRENT was not moved. The next rotation writes a new key.',
      );
    }
  }

  /** finishSecret: AWSCURRENT moves onto the pending key (only if IVS holds it), then the retired key pair goes. */
  public async finish(): Promise<string> {
    const { version } = await this.pendingKeyPair({ syncTags: false });
    await moveLabel(this.secret, CURRENT, version);
    await moveLabel(this.secret, PENDING, undefined);
    await this.retire();
    return this.result(`AWSCURRENT moved to ${version.versionId}`);
  }

  /** Deletes this key's key pairs but AWSCURRENT's and, with keepPreviousKey, AWSPREVIOUS's. */
  public async retire(): Promise<void> {
    const { keyPairs, versions } = this.secret;
    keyPairs.retain(versions.labelled(CURRENT));
    if (this.context.desired.keepPreviousKey) keyPairs.retain(versions.labelled(PREVIOUS));
    await keyPairs.retireUnheld();
  }

  /**
   * The pending version, its key, and the key pair that holds it (one Get: its fingerprint must be the
   * value's). Fails, changing nothing, when createSecret has not written it or IVS no longer holds it.
   */
  public async pendingKeyPair(options: {
    syncTags: boolean;
  }): Promise<{ version: KnownVersion; value: GeneratedKeyValue; keyPair: IvsKey }> {
    const value = await this.pendingValue();
    const token = this.event.ClientRequestToken;
    if (!value) {
      throw new Error(
        `The secret ${this.secret.secretArn} has no key under the rotation's version ${token} (createSecret ` +
          'writes it); AWSCURRENT was not moved.',
      );
    }
    const { ivs, desired } = this.context;
    const keyPair = await ivs.getKey(value.keyArn);
    if (keyPair?.fingerprint !== value.fingerprint) {
      // The version can never name an imported key again (its value cannot change): a pending label left on
      // it would make Secrets Manager refuse every later rotation as still in progress.
      await moveLabel(this.secret, PENDING, undefined);
      throw new Error(
        `The pending key of version ${token} is not in IVS: ${value.keyArn} ` +
          `${keyPair ? `holds fingerprint ${keyPair.fingerprint}, not ${value.fingerprint}` : 'was deleted'} ` +
          'outside this rotation. AWSCURRENT was not moved and its key stays imported; the AWSPENDING label ' +
          'was removed, so the next rotation imports a new key.',
      );
    }
    if (options.syncTags) await ivs.syncTags(keyPair.arn, keyPair.tags, tagsFor(desired, value.generation));
    const version = await this.secret.versions.resolve(this.tokenVersion!);
    return { version, value, keyPair };
  }

  /** The log line's words, with what the steps on IVS noted. */
  public result(words: string): string {
    return [words, ...this.context.notes].join('; ');
  }

  /** The key the token's version holds; undefined while it holds none (absent, or RotateSecret's empty version). */
  private async pendingValue(): Promise<GeneratedKeyValue | undefined> {
    const version = this.tokenVersion;
    if (!version) return undefined;
    if (!version.stages.includes(PENDING)) {
      throw new Error(
        `The secret's version ${version.versionId} is not labelled AWSPENDING: this rotation was abandoned (a ` +
          'deploy, or a step that found its key gone, removed the label); nothing was changed. The next rotation ' +
          '(or aws secretsmanager rotate-secret) writes a new version.',
      );
    }
    try {
      const value = await this.secret.versions.valueOf(version);
      return value.keyArn ? value : undefined;
    } catch (error) {
      if (error instanceof NotAGeneratedKeyError) throw error;
      if (isEmptyVersion(error)) return undefined;
      throw error;
    }
  }
}

/** What Secrets Manager (ResourceNotFoundException) and moto (SecretHasNoValueException) answer for a version without a value. */
function isEmptyVersion(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'ResourceNotFoundException' || name === 'SecretHasNoValueException';
}

/** The key pair AWSCURRENT's value names: in the List, else by its ARN (a List can lag). */
async function keyPairOf(
  ivs: KeySession,
  listed: IvsKeySummary[],
  owner: string,
  current: KnownVersion,
  versions: SecretVersions,
): Promise<IvsKeySummary> {
  const inList = listed.find(
    (keyPair) => keyPair.tags[OWNER_TAG_KEY] === owner && keyPairDigest(keyPair.arn) === current.keyPairDigest,
  );
  if (inList) return inList;
  const { keyArn } = await versions.valueOf(current);
  const described = await ivs.getKey(keyArn);
  if (described) return described;
  throw new Error(
    `AWSCURRENT's ${ivs.api.kind.noun} ${keyArn} is not in IVS (deleted outside CloudFormation): deploy the stack, ` +
      'which imports it again from the secret, and rotate again. Nothing was imported or changed.',
  );
}

/**
 * What the template said, as of the last deploy: the name and user tags of AWSCURRENT's key pair (and
 * its event marker, so that a late delivery of an older deploy stays superseded), and keepPreviousKey
 * from the secret's tag.
 */
function rotationDesired(
  target: RotationTarget,
  owner: string,
  currentKeyPair: IvsKeySummary,
  generation: number,
): DesiredGeneratedKey {
  const reserved = [OWNER_TAG_KEY, GENERATION_TAG_KEY, EVENT_MARKER_TAG_KEY];
  const userTags = Object.fromEntries(
    Object.entries(currentKeyPair.tags).filter(([key]) => !reserved.includes(key) && !/^aws:/i.test(key)),
  );
  const marker = currentKeyPair.tags[EVENT_MARKER_TAG_KEY];
  return {
    secretArn: target.secretArn,
    generation,
    keepPreviousKey: target.keepPreviousKey,
    name: currentKeyPair.name,
    userTags,
    owner,
    markerTag: marker !== undefined ? { [EVENT_MARKER_TAG_KEY]: marker } : {},
  };
}
