/**
 * The example app's real-time stack (`bin/real-time-stack.ts`, `npx cdk synth -c realTime=true`): an IVS
 * Real-Time stage, a generated stage public key rotated every 30 days, and a backend role that may read the key
 * and look up that one stage.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RealTimeStack } from '../bin/real-time-stack';
import { cfnLint } from './support/cfn-lint';

jest.setTimeout(120_000);

function realTimeTemplate(): Template {
  return Template.fromStack(new RealTimeStack(new App(), 'IvsRealTimeExample'));
}

test('a stage, a generated stage key on a 30-day rotation, and the outputs a backend needs', () => {
  const template = realTimeTemplate();
  const [stageId] = Object.keys(template.findResources('AWS::IVS::Stage'));
  const [keyId] = Object.keys(template.findResources('Custom::IvsGeneratedStagePublicKey'));
  const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
  template.hasResourceProperties('AWS::IVS::Stage', { Name: 'real-time-example' });
  template.hasResourceProperties('Custom::IvsGeneratedStagePublicKey', {
    KeepPreviousKey: 'true',
    Tags: { purpose: 'real-time-example' },
  });
  template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
    SecretId: { Ref: secretId },
    RotationRules: { ScheduleExpression: 'rate(30 days)' },
    RotateImmediatelyOnUpdate: false,
  });
  const outputs = template.findOutputs('*');
  expect(Object.keys(outputs).sort()).toEqual(['PublicKeyArn', 'SecretArn', 'StageArn', 'TokenBackendRoleArn']);
  expect(outputs.StageArn.Value).toEqual({ 'Fn::GetAtt': [stageId, 'Arn'] });
  expect(outputs.PublicKeyArn.Value).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  expect(outputs.SecretArn.Value).toEqual({ Ref: secretId });
});

test('the backend role may read the key and call GetStage on that stage, and nothing else', () => {
  const template = realTimeTemplate();
  const [stageId] = Object.keys(template.findResources('AWS::IVS::Stage'));
  const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
  const roleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('TokenBackendRole'));
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(
    (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
    {
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: { Ref: secretId },
    },
    { Effect: 'Allow', Action: 'ivs:GetStage', Resource: { 'Fn::GetAtt': [stageId, 'Arn'] } },
  ]);
});

test('cfn-lint finds nothing in the real-time example', () => {
  expect(cfnLint(realTimeTemplate().toJSON())).toEqual([]);
});

test('bin/ adds the real-time stack only with -c realTime=true', () => {
  const synth = (context: Record<string, string>) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-real-time-example-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'bin', 'private-channel.ts')], {
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
      });
      return fs
        .readdirSync(outdir)
        .filter((name) => name.endsWith('.template.json'))
        .sort();
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  expect(synth({})).toEqual(['IvsPrivateChannelExample.template.json']);
  expect(synth({ realTime: 'true' })).toEqual([
    'IvsPrivateChannelExample.template.json',
    'IvsRealTimeExample.template.json',
  ]);
  expect(synth({ realTime: 'false' })).toEqual(['IvsPrivateChannelExample.template.json']);
});
