/**
 * AWS Solutions checks (cdk-nag) over the example stack and over a stack that uses every option.
 *
 * cdk-nag 3 is a policy-validation plugin, not an aspect: it reports violations from its own
 * `validateScope()` and adds no annotations, so `Aspects.of(stack).add(pack)` +
 * `Annotations.findError()` (the cdk-nag 2 recipe) would pass vacuously here. `validateScope()` is
 * checked instead, plus a control stack that proves the checks do report findings. (Its other
 * route, `Validations.of(app).addPlugins()`, needs an aws-cdk-lib newer than 2.257.0, the version
 * every language's tests pin: cdk-nag 3 then reads the construct tree from the validation context.)
 *
 * The library acknowledges the findings it cannot fix on the one resource that causes each, in the
 * forms cdk-nag 2 and 3 read. The expected list below is exact: widening or adding an
 * acknowledgement must be a visible change to this file.
 */
import { generateKeyPairSync } from 'node:crypto';
import { App, CfnResource, RemovalPolicy, Stack, Tags, aws_ivs as ivs, aws_lambda as lambda } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrivateChannelStack } from '../bin/private-channel-stack';
import { PlaybackKeyPair } from '../lib';

jest.setTimeout(60_000);

const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';
const PROVIDER = 'IvsPlaybackKeyPairProvider';

function p384PublicKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}

function exampleStack(app: App): Stack {
  return new PrivateChannelStack(app, 'IvsPrivateChannelExample', { publicKeyMaterial: p384PublicKey() });
}

function everyOptionStack(app: App): Stack {
  const stack = new Stack(app, 'EveryOption', { env: { account: '123456789012', region: 'us-west-2' } });
  const viewers = new PlaybackKeyPair(stack, 'Viewers', p384PublicKey(), {
    playbackKeyPairName: 'viewer-tokens',
    tags: { team: 'video' },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  new PlaybackKeyPair(stack, 'Rotation', p384PublicKey(), { tags: { purpose: 'rotation' } });
  PlaybackKeyPair.fromPlaybackKeyPairArn(
    stack,
    'Existing',
    'arn:aws:ivs:us-west-2:123456789012:playback-key/AbCdEf123456',
  );
  new ivs.CfnChannel(stack, 'Channel', { authorized: true });
  viewers.applyRemovalPolicy(RemovalPolicy.RETAIN);
  Tags.of(stack).add('cost-center', '42');
  return stack;
}

/** The acknowledgements each stack must carry: construct path under the stack, and rule[finding]. */
const EXPECTED: Record<string, Array<{ path: string; rule: string }>> = {
  IvsPrivateChannelExample: [
    {
      path: `${PROVIDER}/HandlerRole/Resource`,
      rule: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:<AWS::Region>:<AWS::AccountId>:playback-key/*]',
    },
  ],
  EveryOption: [
    {
      path: `${PROVIDER}/HandlerRole/Resource`,
      rule: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ivs:us-west-2:123456789012:playback-key/*]',
    },
  ],
};

interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** What cdk-nag 3 reads: construct metadata keyed `Rule[finding]`, as `Validations.acknowledge()` writes it. */
function constructAcknowledgements(stack: Stack): Acknowledgement[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([rule, reason]) => ({
          path: construct.node.path.slice(stack.node.path.length + 1),
          rule: rule.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** What cdk-nag 2 reads: `Metadata.cdk_nag.rules_to_suppress` on the CloudFormation resource. */
function cloudFormationAcknowledgements(stack: Stack): Acknowledgement[] {
  return stack.node
    .findAll()
    .filter(CfnResource.isCfnResource)
    .flatMap((resource) => {
      const rules: Array<{ id: string; reason: string; applies_to?: string[] }> =
        resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
      return rules.map(({ id, reason, applies_to: appliesTo }) => {
        // Each suppression names exactly one finding: never a whole rule.
        expect(appliesTo).toHaveLength(1);
        return { path: resource.node.path.slice(stack.node.path.length + 1), rule: `${id}[${appliesTo![0]}]`, reason };
      });
    });
}

/** "AwsSolutions-IAM4[...] at Stack/Path" lines, so that a failure names what to fix. */
function findings(stack: Stack, severity: 'error' | 'warning'): string[] {
  const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
  return report.violations
    .filter((violation) => violation.severity === severity)
    .flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
}

describe.each([
  ['the example stack', exampleStack],
  ['a stack with every option', everyOptionStack],
])('%s', (_, build) => {
  test('has no unacknowledged AwsSolutions error or warning', () => {
    const stack = build(new App());
    expect(findings(stack, 'error')).toEqual([]);
    expect(findings(stack, 'warning')).toEqual([]);
  });

  test('carries exactly the expected acknowledgements, each with a reason, for cdk-nag 2 and 3 alike', () => {
    const stack = build(new App());
    const acknowledgements = constructAcknowledgements(stack);
    expect(acknowledgements.map(({ path, rule }) => ({ path, rule }))).toEqual(EXPECTED[stack.stackName]);
    for (const { reason } of acknowledgements) {
      expect(reason.length).toBeGreaterThanOrEqual(100);
    }
    expect(cloudFormationAcknowledgements(stack)).toEqual(acknowledgements);
  });
});

test('the checks do report findings: a bare Lambda function fails AwsSolutions-IAM4', () => {
  const stack = new Stack(new App(), 'Control');
  new lambda.Function(stack, 'Function', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('x'),
  });
  expect(findings(stack, 'error')).toEqual([
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] at Control/Function/ServiceRole/Resource',
  ]);
});

describe('the execution role', () => {
  const template = () => Template.fromStack(exampleStack(new App()));

  test('is the only role, uses no managed policy, and writes only to its own log group', () => {
    const roles = template().findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(1);
    for (const role of Object.values(roles)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    // The role also holds its IVS statement inline (checked in playback-key-pair.test.ts).
    template().hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([
        {
          PolicyName: 'Logs',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IvsPlaybackKeyPairProviderHandlerLogs'), 'Arn'] },
              },
            ],
          },
        },
      ]),
    });
  });

  test("no separate IAM policy and no Lambda permission: CloudFormation invokes the handler with the deployer's credentials", () => {
    template().resourceCountIs('AWS::IAM::Policy', 0);
    template().resourceCountIs('AWS::Lambda::Permission', 0);
  });
});
