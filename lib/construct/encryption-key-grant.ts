/**
 * What an IAM statement may name for a generated key's `encryptionKey`. IAM identifies a KMS key
 * only by its key ARN: "You cannot use a key id, alias name, or alias ARN to identify a KMS key in an
 * IAM policy statement" (AWS KMS developer guide, "Specifying KMS keys in IAM policy statements",
 * https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html); a statement that
 * names an alias ARN applies to the alias resource only, so every Decrypt of the secret would be
 * refused. An alias is therefore granted on its target key when the construct knows it
 * (`new kms.Alias`, `Alias.fromAliasAttributes`); otherwise on the account's keys in the region,
 * limited by `kms:ResourceAliases`, "the aliases associated with the KMS key" (same guide, "Use
 * aliases to control access to KMS keys", .../alias-authorization.html), a multivalued key read with
 * `ForAnyValue`, as aws-cdk-lib's own grants of an imported alias do. KMS notes that an alias change
 * may take up to five minutes to affect authorization.
 *
 * @internal
 */
import { Aws, Stack, Token, aws_kms as kms } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The resources and conditions of a statement granting KMS actions on `encryptionKey` through Secrets Manager. */
export interface EncryptionKeyGrant {
  readonly resources: string[];
  readonly conditions: Record<string, Record<string, unknown>>;
  /** Set when the statement names every key of the account and region, limited by the alias. */
  readonly aliasName?: string;
}

/** The statement's resources and conditions for `encryptionKey`, used only through Secrets Manager. */
export function encryptionKeyGrant(scope: IConstruct, encryptionKey: kms.IKey): EncryptionKeyGrant {
  const viaSecretsManager = { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } };
  const alias = aliasOf(encryptionKey);
  if (!alias) return { resources: [encryptionKey.keyArn], conditions: viaSecretsManager };
  if (alias.target) return { resources: [alias.target.keyArn], conditions: viaSecretsManager };
  const keysOfAccount = Stack.of(scope).formatArn({
    partition: Aws.PARTITION,
    service: 'kms',
    resource: 'key',
    resourceName: '*',
  });
  return {
    resources: [keysOfAccount],
    conditions: { ...viaSecretsManager, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias.aliasName } },
    aliasName: alias.aliasName,
  };
}

/**
 * The alias `key` stands for, with its target key when known: a `kms.IAlias`, or a key imported
 * from an alias ARN (`Key.fromKeyArn('arn:aws:kms:...:alias/name')`).
 */
function aliasOf(key: kms.IKey): { aliasName: string; target?: kms.IKey } | undefined {
  const aliasName = (key as Partial<kms.IAlias>).aliasName;
  if (typeof aliasName === 'string') {
    try {
      return { aliasName, target: (key as kms.IAlias).aliasTargetKey };
    } catch {
      // Alias.fromAliasName: the target is not known at synth time.
      return { aliasName };
    }
  }
  const fromArn = Token.isUnresolved(key.keyArn) ? null : /^arn:[^:]+:kms:[^:]*:[^:]*:(alias\/.+)$/.exec(key.keyArn);
  return fromArn ? { aliasName: fromArn[1] } : undefined;
}
