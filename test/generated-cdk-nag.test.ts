/**
 * AWS Solutions checks (cdk-nag 3, `validateScope()`, as in cdk-nag.test.ts) over a stack with
 * generated keys: the one finding the construct cannot fix (AwsSolutions-SMG4, no rotation
 * schedule: the secret rotates by deploy) is acknowledged on the secret, and nothing else is found.
 */
import { App, CfnResource, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GeneratedPlaybackKeyPair } from '../lib';

jest.setTimeout(60_000);

function generatedKeyStack(): Stack {
  const stack = new Stack(new App(), 'Generated', { env: { account: '123456789012', region: 'us-west-2' } });
  new GeneratedPlaybackKeyPair(stack, 'Default');
  const key = new GeneratedPlaybackKeyPair(stack, 'CustomerKey', {
    keepPreviousKey: false,
    encryptionKey: new kms.Key(stack, 'SecretKey', { enableKeyRotation: true }),
  });
  key.grantRead(new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
  return stack;
}

test('no AwsSolutions error or warning', () => {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(generatedKeyStack());
  expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
});

test('the only acknowledgement is SMG4 on each secret, with its reason, for cdk-nag 2 and 3', () => {
  const stack = generatedKeyStack();
  const secrets = stack.node
    .findAll()
    .filter(CfnResource.isCfnResource)
    .filter((resource) => resource.cfnResourceType === 'AWS::SecretsManager::Secret');
  expect(secrets).toHaveLength(2);
  for (const secret of secrets) {
    const [suppression] = secret.getMetadata('cdk_nag').rules_to_suppress;
    expect(suppression.id).toBe('AwsSolutions-SMG4');
    expect(suppression.reason).toMatch(/rotates by deploy/);
    expect(secret.node.metadata.find((entry) => entry.type === 'aws:cdk:acknowledged-rules')?.data).toEqual({
      'AwsSolutions-SMG4': suppression.reason,
    });
  }
  const others = stack.node
    .findAll()
    .filter(CfnResource.isCfnResource)
    .filter(
      (resource) =>
        resource.cfnResourceType !== 'AWS::SecretsManager::Secret' && resource.cfnResourceType !== 'AWS::IAM::Role',
    )
    .filter((resource) => resource.getMetadata('cdk_nag'));
  expect(others).toEqual([]);
});
