/**
 * `StagePublicKey` and `GeneratedStagePublicKey` at synth time (issue 24), as playback-key-pair.test.ts
 * and generated-playback-key-pair.test.ts test their playback twins: resources and properties,
 * attributes, `fromPublicKeyArn`, tags, removal policies, validation (tokens left to deploy time),
 * and least privilege: public-key actions only on this account and region's `public-key/*`,
 * `ivs:ListPublicKeys` alone on `*`, secrets only of the stack's generated keys, never `ivs:*`.
 */
import { App, RemovalPolicy, Stack, Tags, aws_iam as iam, aws_kms as kms, aws_ssm as ssm } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  GeneratedPlaybackKeyPair,
  GeneratedStagePublicKey,
  GeneratedStagePublicKeyProps,
  PlaybackKeyPair,
  StagePublicKey,
  StagePublicKeyOptions,
} from '../lib';
import { GENERATION_TAG_KEY, OWNER_TAG_KEY } from '../lib/shared/contract';
import { messageOf } from './support/errors';
import { p384, pemBody, wrongKeys } from './support/keys';

jest.setTimeout(60_000);

const RESOURCE_TYPE = 'Custom::IvsStagePublicKey';
const GENERATED_RESOURCE_TYPE = 'Custom::IvsGeneratedStagePublicKey';
const PUBLIC_KEYS_OF_ACCOUNT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ivs:us-west-2:123456789012:public-key/*']],
};
const PLAYBACK_KEYS_OF_ACCOUNT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ivs:us-west-2:123456789012:playback-key/*']],
};
const PUBLIC_KEY_ACTIONS = [
  'ivs:ImportPublicKey',
  'ivs:GetPublicKey',
  'ivs:DeletePublicKey',
  'ivs:TagResource',
  'ivs:UntagResource',
];

interface CfnResourceJson {
  Type: string;
  Properties?: any;
  DependsOn?: string[];
  DeletionPolicy?: string;
}

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-west-2' } });
}

function templateWith(options?: StagePublicKeyOptions, publicKeyPem = p384().publicKeyPem): Template {
  const stack = newStack();
  new StagePublicKey(stack, 'Key', publicKeyPem, options);
  return Template.fromStack(stack);
}

function resourcesOf(template: Template, type: string): Array<[string, CfnResourceJson]> {
  const resources = (template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources;
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** The statements of the handler role's inline IVS policy. */
function ivsStatements(template: Template): any[] {
  const [[, role]] = resourcesOf(template, 'AWS::IAM::Role').filter(([id]) => id.startsWith('IvsPlaybackKeyPair'));
  return role.Properties.Policies.find((policy: { PolicyName: string }) => policy.PolicyName === 'Ivs').PolicyDocument
    .Statement;
}

/** Every statement of every IAM policy in the template, inline or not. */
function allStatements(template: Template): any[] {
  const inline = resourcesOf(template, 'AWS::IAM::Role').flatMap(([, role]) =>
    (role.Properties.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement),
  );
  const separate = resourcesOf(template, 'AWS::IAM::Policy').flatMap(
    ([, policy]) => policy.Properties.PolicyDocument.Statement,
  );
  return [...inline, ...separate];
}

describe('StagePublicKey', () => {
  describe('resources', () => {
    test('one custom resource with the key, a name and the tags, served by the shared handler', () => {
      const { publicKeyPem } = p384();
      const template = templateWith({ publicKeyName: 'stage-key', tags: { team: 'rt' } }, publicKeyPem);
      template.resourceCountIs(RESOURCE_TYPE, 1);
      template.hasResourceProperties(RESOURCE_TYPE, {
        ServiceToken: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^IvsPlaybackKeyPairProviderHandler[0-9A-F]{8}$'), 'Arn'],
        },
        PublicKeyMaterial: publicKeyPem,
        Name: 'stage-key',
        Tags: { team: 'rt' },
      });
      expect(StagePublicKey.RESOURCE_TYPE).toBe(RESOURCE_TYPE);
    });

    test('the default name is unique to the construct path and valid for IVS', () => {
      templateWith().hasResourceProperties(RESOURCE_TYPE, {
        Name: Match.stringLikeRegexp('^TestStack-Key-[A-F0-9]{8}$'),
      });
    });

    test('all four constructs in one stack: one Lambda function, and the keys deploy one after another', () => {
      const stack = newStack();
      const chain = [
        new PlaybackKeyPair(stack, 'Playback', p384().publicKeyPem),
        new StagePublicKey(stack, 'Stage', p384().publicKeyPem),
        new GeneratedStagePublicKey(stack, 'GeneratedStage'),
        new GeneratedPlaybackKeyPair(stack, 'GeneratedPlayback', { keepPreviousKey: false }),
      ].map((key) => stack.getLogicalId(key.node.findChild('Resource').node.defaultChild as never));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Function', 1);
      const resources = (template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources;
      expect(resources[chain[0]].DependsOn).toBeUndefined();
      for (let i = 1; i < chain.length; i++) expect(resources[chain[i]].DependsOn).toContain(chain[i - 1]);
    });

    test('no count quota for public keys (none is sourced): five keys of one stack synthesize', () => {
      const stack = newStack();
      for (let i = 0; i < 5; i++) new StagePublicKey(stack, `Key${i}`, p384().publicKeyPem);
      Template.fromStack(stack).resourceCountIs(RESOURCE_TYPE, 5);
    });
  });

  describe('attributes', () => {
    test('ARN and fingerprint come from the service answer', () => {
      const stack = newStack();
      const key = new StagePublicKey(stack, 'Key', p384().publicKeyPem, { publicKeyName: 'stage-key' });
      const logicalId = stack.getLogicalId(key.node.findChild('Resource').node.defaultChild as never);
      expect(stack.resolve(key.publicKeyArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
      expect(stack.resolve(key.publicKeyFingerprint)).toEqual({ 'Fn::GetAtt': [logicalId, 'Fingerprint'] });
      expect(stack.resolve(key.publicKeyRef)).toEqual({ publicKeyArn: { 'Fn::GetAtt': [logicalId, 'Arn'] } });
      expect(key.publicKeyName).toBe('stage-key');
    });

    test('fromPublicKeyArn refers to an existing public key in its own environment', () => {
      const arn = 'arn:aws:ivs:eu-west-1:111122223333:public-key/AbCdEf123456';
      const key = StagePublicKey.fromPublicKeyArn(newStack(), 'Existing', arn);
      expect(key.publicKeyArn).toBe(arn);
      expect(key.publicKeyRef).toEqual({ publicKeyArn: arn });
      expect(key.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
    });

    test.each([
      ['a playback key pair ARN', 'arn:aws:ivs:us-west-2:123456789012:playback-key/abc'],
      ['a stage ARN', 'arn:aws:ivs:us-west-2:123456789012:stage/abc'],
      ['not an ARN', 'public-key/abc'],
    ])('fromPublicKeyArn rejects %s', (_, arn) => {
      expect(() => StagePublicKey.fromPublicKeyArn(newStack(), 'Other', arn)).toThrow(
        `Invalid public key ARN "${arn}": expected arn:<partition>:ivs:<region>:<account>:public-key/<id>`,
      );
    });

    test('fromPublicKeyArn accepts a token', () => {
      const stack = newStack();
      const parameter = ssm.StringParameter.valueForStringParameter(stack, '/ivs/public-key-arn');
      expect(StagePublicKey.fromPublicKeyArn(stack, 'FromParameter', parameter).publicKeyArn).toBe(parameter);
    });
  });

  describe('tags and removal policy', () => {
    test('Tags.of() reaches the public key and merges with options.tags; the aspect wins a shared key', () => {
      const stack = newStack();
      new StagePublicKey(stack, 'Key', p384().publicKeyPem, { tags: { team: 'rt', env: 'dev' } });
      Tags.of(stack).add('env', 'prod');
      Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, { Tags: { team: 'rt', env: 'prod' } });
    });

    test('too many tags added by Tags.of() fail the synth', () => {
      const stack = newStack();
      new StagePublicKey(stack, 'Key', p384().publicKeyPem, { tags: { a: '1' } });
      for (let i = 0; i < 49; i++) Tags.of(stack).add(`tag${i}`, 'x');
      expect(() => Template.fromStack(stack)).toThrow(/Too many tags \(50\): at most 49 are allowed/);
    });

    test('deleted with the stack by default; options.removalPolicy and applyRemovalPolicy() reach it', () => {
      templateWith().hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      templateWith({ removalPolicy: RemovalPolicy.RETAIN }).hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Retain' });
      const stack = newStack();
      new StagePublicKey(stack, 'Key', p384().publicKeyPem).applyRemovalPolicy(RemovalPolicy.RETAIN);
      Template.fromStack(stack).hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });
  });

  describe('validation at synth time', () => {
    const ALLOWED =
      'IVS accepts only an ECDSA P-384 (secp384r1) public key as a PEM "-----BEGIN PUBLIC KEY-----" block.';
    const create = (publicKeyPem: string, options?: StagePublicKeyOptions) => () =>
      new StagePublicKey(newStack(), 'Key', publicKeyPem, options);

    test.each([
      ['a P-256 key', wrongKeys.p256, 'is an EC key on curve prime256v1 (P-256)'],
      ['an RSA key', wrongKeys.rsa, 'is an RSA key'],
      ['garbage', () => 'not a key', 'contains no PEM block'],
    ])('rejects %s and names what it found', (_, key, found) => {
      expect(create(key())).toThrow(`Invalid publicKeyMaterial: it ${found}. ${ALLOWED}`);
    });

    test('rejects a private key without echoing it', () => {
      const { privateKeyPem } = p384();
      const message = messageOf(create(privateKeyPem));
      expect(message).toContain('it is a private key ("-----BEGIN PRIVATE KEY-----")');
      expect(message).not.toContain(pemBody(privateKeyPem).slice(0, 40));
    });

    test('rejects a bad name, naming the option publicKeyName', () => {
      expect(create(p384().publicKeyPem, { publicKeyName: 'bad name' })).toThrow(
        'Invalid publicKeyName "bad name": use at most 128 characters from a-z, A-Z, 0-9, "-" and "_" (it contains " ")',
      );
    });

    test.each([
      [
        'an aws: key',
        { 'aws:team': 'v' },
        'Invalid tag key "aws:team": keys beginning with "aws:" are reserved by AWS',
      ],
      ['the owner key', { [OWNER_TAG_KEY]: 'v' }, `Invalid tag key "${OWNER_TAG_KEY}": it is reserved`],
    ])('rejects a tag: %s', (_, tags, message) => {
      expect(create(p384().publicKeyPem, { tags })).toThrow(message);
    });

    test('the same key twice among the stack public keys is refused, naming both', () => {
      const stack = newStack();
      const { publicKeyPem } = p384();
      new StagePublicKey(stack, 'Original', publicKeyPem);
      expect(messageOf(() => new StagePublicKey(stack, 'Copy', publicKeyPem))).toBe(
        'StagePublicKey TestStack/Copy has the same public key as StagePublicKey TestStack/Original in the same ' +
          'stack. IVS cannot hold one key twice: give each key pair its own key, or use one StagePublicKey for both.',
      );
    });

    test('the same key as a playback key pair and a public key is left to IVS (two separate APIs)', () => {
      const stack = newStack();
      const { publicKeyPem } = p384();
      new PlaybackKeyPair(stack, 'Playback', publicKeyPem);
      expect(() => new StagePublicKey(stack, 'Stage', publicKeyPem)).not.toThrow();
    });

    test('tokens synthesize and are left for the handler to check at deploy time', () => {
      const stack = newStack();
      const key = ssm.StringParameter.valueForStringParameter(stack, '/ivs/public-key');
      const name = ssm.StringParameter.valueForStringParameter(stack, '/ivs/key-name');
      new StagePublicKey(stack, 'Key', key, { publicKeyName: name, tags: { team: name } });
      new StagePublicKey(stack, 'Again', key);
      Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, {
        PublicKeyMaterial: { Ref: Match.stringLikeRegexp('SsmParameterValueivspublickey') },
        Name: { Ref: Match.stringLikeRegexp('SsmParameterValueivskeyname') },
      });
    });
  });
});

describe('GeneratedStagePublicKey', () => {
  function synth(props?: GeneratedStagePublicKeyProps) {
    const stack = newStack();
    const key = new GeneratedStagePublicKey(stack, 'Key', props);
    return { stack, key, template: Template.fromStack(stack) };
  }

  test('new GeneratedStagePublicKey(this, "Key"): an empty secret, the custom resource, one policy', () => {
    const { template } = synth();
    const types = Object.values((template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources)
      .map((resource) => resource.Type)
      .sort();
    expect(types).toEqual([
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::Lambda::Function',
      'AWS::Logs::LogGroup',
      'AWS::SecretsManager::Secret',
      GENERATED_RESOURCE_TYPE,
    ]);
    const [[secretId, secret]] = resourcesOf(template, 'AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toBeUndefined();
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.Description).toBe(
      'The private keys of the IVS public key TestStack/Key (AWSCURRENT signs)',
    );
    template.hasResourceProperties(GENERATED_RESOURCE_TYPE, {
      SecretArn: { Ref: secretId },
      Generation: '1',
      KeepPreviousKey: 'true',
      Name: Match.stringLikeRegexp('^TestStack-Key-[A-F0-9]{8}$'),
    });
    expect(GeneratedStagePublicKey.RESOURCE_TYPE).toBe(GENERATED_RESOURCE_TYPE);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/PRIVATE KEY/);
  });

  test('every prop reaches the custom resource', () => {
    const { template } = synth({ generation: 3, keepPreviousKey: false, publicKeyName: 'stage-key', tags: { a: 'b' } });
    template.hasResourceProperties(GENERATED_RESOURCE_TYPE, {
      Generation: '3',
      KeepPreviousKey: 'false',
      Name: 'stage-key',
      Tags: { a: 'b' },
    });
  });

  test('the attributes come from the custom resource; the secret is a real ISecret', () => {
    const { stack, key, template } = synth({ publicKeyName: 'stage-key' });
    const [[logicalId]] = resourcesOf(template, GENERATED_RESOURCE_TYPE);
    expect(stack.resolve(key.publicKeyArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(stack.resolve(key.publicKeyFingerprint)).toEqual({ 'Fn::GetAtt': [logicalId, 'Fingerprint'] });
    expect(stack.resolve(key.previousPublicKeyArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'PreviousArn'] });
    expect(stack.resolve(key.publicKeyRef)).toEqual({ publicKeyArn: { 'Fn::GetAtt': [logicalId, 'Arn'] } });
    expect(key.publicKeyName).toBe('stage-key');
    expect(stack.resolve(key.secret.secretArn)).toEqual({
      Ref: resourcesOf(template, 'AWS::SecretsManager::Secret')[0][0],
    });
  });

  test('grantRead lets a backend read the secret (and decrypt through Secrets Manager) and nothing else', () => {
    const stack = newStack();
    const key = new GeneratedStagePublicKey(stack, 'Key', { encryptionKey: new kms.Key(stack, 'SecretKey') });
    key.grantRead(new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    const template = Template.fromStack(stack);
    const [secretId] = resourcesOf(template, 'AWS::SecretsManager::Secret')[0];
    const backendPolicy = resourcesOf(template, 'AWS::IAM::Policy').find(([, policy]) =>
      JSON.stringify(policy.Properties.Roles).includes('Backend'),
    )![1];
    expect(backendPolicy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secretId },
      },
    ]);
    const keyStatements = resourcesOf(template, 'AWS::KMS::Key')[0][1].Properties.KeyPolicy.Statement;
    expect(keyStatements.filter((statement: any) => JSON.stringify(statement.Principal).includes('Backend'))).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com' } },
      }),
    ]);
  });

  test('DESTROY by default; RETAIN and applyRemovalPolicy keep both the public keys and the secret', () => {
    const destroyed = synth().template;
    expect(resourcesOf(destroyed, GENERATED_RESOURCE_TYPE)[0][1].DeletionPolicy).toBe('Delete');
    expect(resourcesOf(destroyed, 'AWS::SecretsManager::Secret')[0][1].DeletionPolicy).toBe('Delete');
    const retained = synth({ removalPolicy: RemovalPolicy.RETAIN }).template;
    expect(resourcesOf(retained, GENERATED_RESOURCE_TYPE)[0][1].DeletionPolicy).toBe('Retain');
    expect(resourcesOf(retained, 'AWS::SecretsManager::Secret')[0][1].DeletionPolicy).toBe('Retain');
    const stack = newStack();
    new GeneratedStagePublicKey(stack, 'Key').applyRemovalPolicy(RemovalPolicy.RETAIN);
    const applied = Template.fromStack(stack);
    expect(resourcesOf(applied, GENERATED_RESOURCE_TYPE)[0][1].DeletionPolicy).toBe('Retain');
    expect(resourcesOf(applied, 'AWS::SecretsManager::Secret')[0][1].DeletionPolicy).toBe('Retain');
  });

  test.each([
    [{ generation: 0 }, 'Invalid generation 0: use a whole number from 1 upwards, and raise it to rotate the key'],
    [{ generation: 2.5 }, 'Invalid generation 2.5: use a whole number from 1 upwards, and raise it to rotate the key'],
    [
      { publicKeyName: 'bad name' },
      'Invalid publicKeyName "bad name": use at most 128 characters from a-z, A-Z, 0-9, "-" and "_" (it contains " ")',
    ],
    [
      { tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) },
      'Too many tags (49): at most 48 are allowed (IVS allows 50 per key and a generated key uses two to ' +
        'recognise its keys)',
    ],
  ])('refuses %p at synth time', (props, message) => {
    expect(messageOf(() => synth(props))).toBe(message);
  });

  test('the generation tag key is reserved', () => {
    expect(messageOf(() => synth({ tags: { [GENERATION_TAG_KEY]: '1' } }))).toMatch(
      /reserved for the tag that names the generation/,
    );
  });

  test('tokens are left for the handler to check at deploy time', () => {
    const stack = newStack();
    const name = ssm.StringParameter.valueForStringParameter(stack, '/ivs/key-name');
    new GeneratedStagePublicKey(stack, 'Key', { publicKeyName: name, tags: { team: name } });
    Template.fromStack(stack).hasResourceProperties(GENERATED_RESOURCE_TYPE, {
      Name: { Ref: Match.stringLikeRegexp('SsmParameterValueivskeyname') },
    });
  });
});

describe('least privilege', () => {
  test('a stack of public keys only: public-key actions on public-key/* of this account and region, ListPublicKeys alone on *', () => {
    const stack = newStack();
    new StagePublicKey(stack, 'Stage', p384().publicKeyPem);
    new GeneratedStagePublicKey(stack, 'Generated');
    expect(ivsStatements(Template.fromStack(stack))).toEqual([
      { Effect: 'Allow', Action: PUBLIC_KEY_ACTIONS, Resource: PUBLIC_KEYS_OF_ACCOUNT },
      { Effect: 'Allow', Action: 'ivs:ListPublicKeys', Resource: '*' },
    ]);
  });

  test('a stack of both kinds: one statement per kind, once each however many keys', () => {
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Playback', p384().publicKeyPem);
    new StagePublicKey(stack, 'Stage', p384().publicKeyPem);
    new StagePublicKey(stack, 'Stage2', p384().publicKeyPem);
    new GeneratedStagePublicKey(stack, 'Generated');
    expect(ivsStatements(Template.fromStack(stack))).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'ivs:ImportPlaybackKeyPair',
          'ivs:GetPlaybackKeyPair',
          'ivs:ListPlaybackKeyPairs',
          'ivs:DeletePlaybackKeyPair',
          'ivs:TagResource',
          'ivs:UntagResource',
        ],
        Resource: PLAYBACK_KEYS_OF_ACCOUNT,
      },
      { Effect: 'Allow', Action: PUBLIC_KEY_ACTIONS, Resource: PUBLIC_KEYS_OF_ACCOUNT },
      { Effect: 'Allow', Action: 'ivs:ListPublicKeys', Resource: '*' },
    ]);
  });

  test('a stack of playback keys only gets no public-key statement', () => {
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Playback', p384().publicKeyPem);
    expect(JSON.stringify(ivsStatements(Template.fromStack(stack)))).not.toContain('PublicKey');
  });

  test('never ivs:* or any wildcard action; "*" only for ListPublicKeys; secrets only of the generated keys', () => {
    const stack = newStack();
    new StagePublicKey(stack, 'Stage', p384().publicKeyPem);
    new GeneratedStagePublicKey(stack, 'A', { keepPreviousKey: false });
    new GeneratedStagePublicKey(stack, 'B');
    const template = Template.fromStack(stack);
    const statements = allStatements(template);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action: string) => action.includes('*'))).toEqual([]);
    expect(statements.filter((statement) => JSON.stringify(statement.Resource) === '"*"')).toEqual([
      { Effect: 'Allow', Action: 'ivs:ListPublicKeys', Resource: '*' },
    ]);
    const secretIds = resourcesOf(template, 'AWS::SecretsManager::Secret').map(([id]) => ({ Ref: id }));
    const secretResources = statements
      .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('secretsmanager:')))
      .map((statement) => statement.Resource);
    expect(secretResources).toEqual(secretIds);
  });

  test('cdk-nag (AwsSolutions) finds nothing in a stack of both public-key constructs', () => {
    const stack = newStack();
    new StagePublicKey(stack, 'Stage', p384().publicKeyPem);
    const key = new GeneratedStagePublicKey(stack, 'Generated');
    key.grantRead(new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });
});
