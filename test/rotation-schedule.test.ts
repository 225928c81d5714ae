/**
 * `rotationSchedule` at synth time (issue 23), on both generated constructs: the secret's rotation
 * schedule run by the stack's one handler, Lambda's permission for Secrets Manager, the one action the
 * rotation adds to the handler's role, the secret's reserved tags, the validation of the schedule, and
 * cdk-nag. Without a schedule the template is as before (test/integ-snapshot.test.ts compares it whole).
 */
import { App, Duration, Lazy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GeneratedPlaybackKeyPair, GeneratedStagePublicKey } from '../lib';
import { RotationSecretTag } from '../lib/shared/contract';
import { messageOf } from './support/errors';

jest.setTimeout(60_000);

interface CfnResourceJson {
  Type: string;
  Properties?: any;
  DependsOn?: string[];
  Metadata?: any;
}

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-west-2' } });
}

function resourcesOf(stack: Stack, type: string): Array<[string, CfnResourceJson]> {
  const resources = (Template.fromStack(stack).toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources;
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function onlyOf(stack: Stack, type: string): [string, CfnResourceJson] {
  const found = resourcesOf(stack, type);
  expect(found).toHaveLength(1);
  return found[0];
}

const KINDS = [
  ['GeneratedPlaybackKeyPair', 'Custom::IvsGeneratedPlaybackKeyPair', GeneratedPlaybackKeyPair],
  ['GeneratedStagePublicKey', 'Custom::IvsGeneratedStagePublicKey', GeneratedStagePublicKey],
] as const;

describe.each(KINDS)('%s with a rotationSchedule', (_, resourceType, Construct) => {
  function scheduled(props: { rotationSchedule: Duration; keepPreviousKey?: boolean }) {
    const stack = newStack();
    new Construct(stack, 'Key', props);
    return stack;
  }

  test("the secret's RotationSchedule: the stack's handler, the rate, no rotation at deploy", () => {
    const stack = scheduled({ rotationSchedule: Duration.days(30) });
    const [secretId] = onlyOf(stack, 'AWS::SecretsManager::Secret');
    const [functionId] = onlyOf(stack, 'AWS::Lambda::Function');
    const [, schedule] = onlyOf(stack, 'AWS::SecretsManager::RotationSchedule');
    expect(schedule.Properties).toEqual({
      SecretId: { Ref: secretId },
      RotationLambdaARN: { 'Fn::GetAtt': [functionId, 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
  });

  test("it waits for the key's resource (generation 1 written), the permission and the handler's policy", () => {
    const stack = scheduled({ rotationSchedule: Duration.days(30) });
    const [keyId] = onlyOf(stack, resourceType);
    const [permissionId] = onlyOf(stack, 'AWS::Lambda::Permission');
    const [policyId] = onlyOf(stack, 'AWS::IAM::Policy');
    const [, schedule] = onlyOf(stack, 'AWS::SecretsManager::RotationSchedule');
    expect([...(schedule.DependsOn ?? [])].sort()).toEqual([keyId, permissionId, policyId].sort());
  });

  test('Lambda lets only Secrets Manager invoke the handler, for this secret, from this account', () => {
    const stack = scheduled({ rotationSchedule: Duration.days(30) });
    const [secretId] = onlyOf(stack, 'AWS::SecretsManager::Secret');
    const [functionId] = onlyOf(stack, 'AWS::Lambda::Function');
    const [, permission] = onlyOf(stack, 'AWS::Lambda::Permission');
    expect(permission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceArn: { Ref: secretId },
      SourceAccount: '123456789012',
    });
  });

  test('an environment-agnostic stack scopes the permission to the deploying account', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new Construct(stack, 'Key', { rotationSchedule: Duration.days(7) });
    const [, permission] = onlyOf(stack, 'AWS::Lambda::Permission');
    expect(permission.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
  });

  test("the handler's role gains DescribeSecret on this secret only, and nothing for passwords", () => {
    const stack = scheduled({ rotationSchedule: Duration.days(30) });
    const [secretId] = onlyOf(stack, 'AWS::SecretsManager::Secret');
    const [, policy] = onlyOf(stack, 'AWS::IAM::Policy');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'secretsmanager:ListSecretVersionIds',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: { Ref: secretId },
      },
      { Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: { Ref: secretId } },
    ]);
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).not.toContain('GetRandomPassword');
    expect(template).not.toMatch(/secretsmanager:\*|"ivs:\*"/);
  });

  test.each([true, false])(
    'the secret carries the resource type and keepPreviousKey (%p) for the rotation events',
    (keepPreviousKey) => {
      const stack = scheduled({ rotationSchedule: Duration.days(30), keepPreviousKey });
      const [, secret] = onlyOf(stack, 'AWS::SecretsManager::Secret');
      expect(secret.Properties.Tags).toEqual([
        { Key: RotationSecretTag.KEEP_PREVIOUS_KEY, Value: String(keepPreviousKey) },
        { Key: RotationSecretTag.RESOURCE_TYPE, Value: resourceType },
      ]);
    },
  );

  test('Tags.of() reaches the secret beside the reserved tags, but cannot overwrite them', () => {
    const stack = scheduled({ rotationSchedule: Duration.days(30) });
    Tags.of(stack).add('team', 'video');
    Tags.of(stack).add(RotationSecretTag.KEEP_PREVIOUS_KEY, 'false');
    const [, secret] = onlyOf(stack, 'AWS::SecretsManager::Secret');
    expect(secret.Properties.Tags).toEqual([
      { Key: RotationSecretTag.KEEP_PREVIOUS_KEY, Value: 'true' },
      { Key: RotationSecretTag.RESOURCE_TYPE, Value: resourceType },
      { Key: 'team', Value: 'video' },
    ]);
  });

  test.each<[Duration, string]>([
    [Duration.hours(4), 'rate(4 hours)'],
    [Duration.minutes(300), 'rate(5 hours)'],
    [Duration.hours(36), 'rate(36 hours)'],
    [Duration.hours(24), 'rate(1 day)'],
    [Duration.hours(48), 'rate(2 days)'],
    [Duration.days(90), 'rate(90 days)'],
    [Duration.days(999), 'rate(999 days)'],
  ])('%s is written as %s', (rotationSchedule, expression) => {
    const [, schedule] = onlyOf(scheduled({ rotationSchedule }), 'AWS::SecretsManager::RotationSchedule');
    expect(schedule.Properties.RotationRules).toEqual({ ScheduleExpression: expression });
  });

  const allowed =
    'use a whole number of hours from 4 hours to 999 days, such as Duration.hours(4) or Duration.days(30) ' +
    '(Secrets Manager rotates on rate expressions in whole hours or days)';
  test.each<[string, Duration, string]>([
    ['under 4 hours', Duration.hours(3), 'Invalid rotationSchedule 3 hours: '],
    ['a fraction of an hour', Duration.minutes(270), 'Invalid rotationSchedule 4 hours 30 minutes: '],
    ['over 999 days', Duration.days(1000), 'Invalid rotationSchedule 1000 days: '],
    ['zero', Duration.seconds(0), 'Invalid rotationSchedule 0 seconds: '],
    [
      'a token',
      Duration.days(Lazy.number({ produce: () => 30 })),
      'Invalid rotationSchedule: it must be known at synth time; ',
    ],
  ])('refused at synth time: %s', (_case, rotationSchedule, start) => {
    const stack = newStack();
    expect(messageOf(() => new Construct(stack, 'Key', { rotationSchedule }))).toBe(start + allowed);
    // Refused before anything was added to the stack.
    expect(stack.node.tryFindChild('Key')?.node.children.length ?? 0).toBe(0);
  });
});

test('without a schedule: no rotation resources, no tags, and the SMG4 acknowledgement on the secret', () => {
  const stack = newStack();
  new GeneratedPlaybackKeyPair(stack, 'Key');
  expect(resourcesOf(stack, 'AWS::SecretsManager::RotationSchedule')).toEqual([]);
  expect(resourcesOf(stack, 'AWS::Lambda::Permission')).toEqual([]);
  const [, secret] = onlyOf(stack, 'AWS::SecretsManager::Secret');
  expect(secret.Properties.Tags).toBeUndefined();
  expect(secret.Metadata.cdk_nag.rules_to_suppress.map((rule: { id: string }) => rule.id)).toEqual([
    'AwsSolutions-SMG4',
  ]);
  expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('DescribeSecret');
});

function mixedStack(): Stack {
  const stack = newStack();
  new GeneratedPlaybackKeyPair(stack, 'Playback', { rotationSchedule: Duration.days(30) });
  new GeneratedStagePublicKey(stack, 'Stage', { rotationSchedule: Duration.hours(12) });
  new GeneratedStagePublicKey(stack, 'Unscheduled', { keepPreviousKey: false });
  return stack;
}

test('two scheduled keys of both kinds: still one Lambda function, each schedule on its own secret', () => {
  const stack = mixedStack();
  const [functionId] = onlyOf(stack, 'AWS::Lambda::Function');
  const schedules = resourcesOf(stack, 'AWS::SecretsManager::RotationSchedule');
  expect(schedules).toHaveLength(2);
  for (const [, schedule] of schedules) {
    expect(schedule.Properties.RotationLambdaARN).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
  }
  expect(new Set(schedules.map(([, schedule]) => schedule.Properties.SecretId.Ref)).size).toBe(2);
  const permissions = resourcesOf(stack, 'AWS::Lambda::Permission');
  expect(permissions.map(([, permission]) => permission.Properties.SourceArn)).toEqual(
    schedules.map(([, schedule]) => schedule.Properties.SecretId),
  );
  // DescribeSecret on the two scheduled secrets, not on the third.
  const [, policy] = onlyOf(stack, 'AWS::IAM::Policy');
  const describe = policy.Properties.PolicyDocument.Statement.filter(
    (statement: { Action: unknown }) => statement.Action === 'secretsmanager:DescribeSecret',
  );
  expect(describe.map((statement: { Resource: unknown }) => statement.Resource)).toEqual(
    schedules.map(([, schedule]) => schedule.Properties.SecretId),
  );
});

test('cdk-nag: no finding, and SMG4 acknowledged only on the secret without a schedule', () => {
  const stack = mixedStack();
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
  expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  const acknowledged = resourcesOf(stack, 'AWS::SecretsManager::Secret')
    .filter(([, secret]) => secret.Metadata?.cdk_nag)
    .map(([id]) => id);
  expect(acknowledged).toEqual([expect.stringMatching(/^UnscheduledSecret/)]);
});
