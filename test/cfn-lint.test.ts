/**
 * cfn-lint (test/support/cfn-lint.ts: its default rules, none ignored) over the templates the constructs write:
 * a stack with all four constructs, both generated ones on a rotation schedule, is clean (issues 23 and 24).
 */
import { App, CfnResource, Duration, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GeneratedPlaybackKeyPair, GeneratedStagePublicKey, PlaybackKeyPair, StagePublicKey } from '../lib';
import { PlaybackKeyPairProvider } from '../lib/construct/playback-key-pair-provider';
import { cfnLint } from './support/cfn-lint';
import { p384 } from './support/keys';

jest.setTimeout(60_000);

interface TemplateJson {
  Resources: Record<string, { Type: string; DependsOn?: string[] }>;
}

function allFourConstructs(stack: Stack): void {
  new PlaybackKeyPair(stack, 'Playback', p384().publicKeyPem, { tags: { team: 'video' } });
  new StagePublicKey(stack, 'Stage', p384().publicKeyPem, { publicKeyName: 'stage-key' });
  const playback = new GeneratedPlaybackKeyPair(stack, 'GeneratedPlayback', {
    keepPreviousKey: false,
    rotationSchedule: Duration.days(30),
    encryptionKey: new kms.Key(stack, 'SecretKey', { enableKeyRotation: true }),
  });
  const stage = new GeneratedStagePublicKey(stack, 'GeneratedStage', { rotationSchedule: Duration.hours(12) });
  const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  playback.grantRead(backend);
  stage.grantRead(backend);
}

test('all four constructs, both generated ones with a rotationSchedule: cfn-lint finds nothing', () => {
  const stack = new Stack(new App(), 'AllFour', { env: { account: '123456789012', region: 'us-west-2' } });
  allFourConstructs(stack);
  expect(cfnLint(Template.fromStack(stack).toJSON())).toEqual([]);
});

test('the same, environment-agnostic, and checked for another region: nothing either', () => {
  const stack = new Stack(new App(), 'Agnostic');
  allFourConstructs(stack);
  expect(cfnLint(Template.fromStack(stack).toJSON(), 'eu-central-1')).toEqual([]);
});

test('the handler does not DependsOn its role, which its Role GetAtt already orders (cfn-lint W3005 otherwise)', () => {
  const stack = new Stack(new App(), 'Handler', { env: { account: '123456789012', region: 'us-west-2' } });
  new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const [functionId, handler] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function')!;
  const [roleId] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role')!;
  expect(handler.DependsOn).toBeUndefined();
  // What lambda.Function writes by itself, and what cfn-lint says of it.
  handler.DependsOn = [roleId];
  expect(cfnLint(template)).toEqual([
    expect.objectContaining({ rule: 'W3005', level: 'Warning', path: `Resources/${functionId}/DependsOn/0` }),
  ]);
});

test('the handler keeps any other dependency it is given', () => {
  const stack = new Stack(new App(), 'Handler', { env: { account: '123456789012', region: 'us-west-2' } });
  new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem);
  const other = new CfnResource(stack, 'Other', {
    type: 'AWS::SSM::Parameter',
    properties: { Type: 'String', Value: 'x' },
  });
  PlaybackKeyPairProvider.getOrCreate(stack).handler.node.addDependency(other);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const handler = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
  expect(handler.DependsOn).toEqual([stack.getLogicalId(other)]);
});
