import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GeneratedKeyStack } from '../bin/generated-key-stack';

jest.setTimeout(120_000);

test('the generated-key example: a generated key, an authorized channel, a backend role that may read the key', () => {
  const template = Template.fromStack(new GeneratedKeyStack(new App(), 'IvsGeneratedKeyExample', { generation: 2 }));
  template.hasResourceProperties('Custom::IvsGeneratedPlaybackKeyPair', {
    Generation: '2',
    Tags: { purpose: 'generated-key-example' },
  });
  template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
    RotationRules: { ScheduleExpression: 'rate(30 days)' },
  });
  template.hasResourceProperties('AWS::IVS::Channel', { Authorized: true });
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: [{ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow' }],
    },
    Roles: [
      { Ref: Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('TokenBackendRole')) },
    ],
  });
  expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
    'ChannelArn',
    'PlaybackKeyPairArn',
    'PlaybackUrl',
    'PreviousPlaybackKeyPairArn',
    'SecretArn',
    'TokenBackendRoleArn',
  ]);
});

test('bin/ adds the generated-key stack only with -c generatedKey=true', () => {
  const synth = (context: string[]) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-example-'));
    try {
      execFileSync('npx', ['tsx', path.join(__dirname, '..', 'bin', 'private-channel.ts')], {
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify(Object.fromEntries(context.map((c) => c.split('=')))),
        },
      });
      return fs
        .readdirSync(outdir)
        .filter((name) => name.endsWith('.template.json'))
        .sort();
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  expect(synth([])).toEqual(['IvsPrivateChannelExample.template.json']);
  expect(synth(['generatedKey=true'])).toEqual([
    'IvsGeneratedKeyExample.template.json',
    'IvsPrivateChannelExample.template.json',
  ]);
});
