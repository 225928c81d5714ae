/**
 * `GeneratedPlaybackKeyPair` at synth time: the resources per generated key, least privilege for
 * the handler and for `grantRead`, removal policies, the quota of 3 per stack, and validation.
 */
import { App, RemovalPolicy, Stack, Tags, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GeneratedPlaybackKeyPair, GeneratedPlaybackKeyPairProps, PlaybackKeyPair } from '../lib';
import { GENERATION_TAG_KEY } from '../lib/shared/contract';
import { messageOf } from './support/errors';
import { p384 } from './support/keys';

const RESOURCE_TYPE = 'Custom::IvsGeneratedPlaybackKeyPair';

interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: any; DependsOn?: string[]; DeletionPolicy?: string }>;
}

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-west-2' } });
}

function synth(props?: GeneratedPlaybackKeyPairProps): {
  stack: Stack;
  key: GeneratedPlaybackKeyPair;
  template: Template;
} {
  const stack = newStack();
  const key = new GeneratedPlaybackKeyPair(stack, 'Key', props);
  return { stack, key, template: Template.fromStack(stack) };
}

function resourcesOf(template: Template, type: string) {
  return Object.entries((template.toJSON() as CfnTemplate).Resources).filter(([, resource]) => resource.Type === type);
}

function statementsOf(policyDocument: any): any[] {
  return policyDocument.Statement;
}

describe('resources per generated key', () => {
  test('new GeneratedPlaybackKeyPair(this, "Key") works: an empty secret, the custom resource, one policy', () => {
    const { template } = synth();
    const types = Object.values((template.toJSON() as CfnTemplate).Resources)
      .map((resource) => resource.Type)
      .sort();
    expect(types).toEqual([
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
      'AWS::Lambda::EventInvokeConfig', // the handler's asynchronous settings (issue 16), one per stack
      'AWS::Lambda::Function',
      'AWS::Logs::LogGroup',
      'AWS::SecretsManager::Secret',
      RESOURCE_TYPE,
    ]);
    const [[secretId, secret]] = resourcesOf(template, 'AWS::SecretsManager::Secret');
    // Neither a generated password nor a value: the handler writes every version, so AWSPREVIOUS is always a key.
    expect(secret.Properties.GenerateSecretString).toBeUndefined();
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.Name).toBeUndefined(); // CloudFormation names it: a redeploy never waits for a deleted name
    template.hasResourceProperties(RESOURCE_TYPE, {
      SecretArn: { Ref: secretId },
      Generation: '1',
      KeepPreviousKey: 'true',
      Name: Match.stringLikeRegexp('^TestStack-Key-[A-F0-9]{8}$'),
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/PRIVATE KEY/);
  });

  test('a second generated key adds 3 resources (secret, custom resource, no second policy or function)', () => {
    const one = synth().template;
    const stack = newStack();
    new GeneratedPlaybackKeyPair(stack, 'A', { keepPreviousKey: false });
    new GeneratedPlaybackKeyPair(stack, 'B', { keepPreviousKey: false });
    const two = Template.fromStack(stack);
    const count = (template: Template) => Object.keys((template.toJSON() as CfnTemplate).Resources).length;
    expect(count(two) - count(one)).toBe(2);
    two.resourceCountIs('AWS::Lambda::Function', 1);
    two.resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('the attributes come from the custom resource; the secret is a real ISecret', () => {
    const { key, stack } = synth();
    const [logicalId] = resourcesOf(Template.fromStack(stack), RESOURCE_TYPE)[0];
    expect(stack.resolve(key.playbackKeyPairArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(stack.resolve(key.playbackKeyPairFingerprint)).toEqual({ 'Fn::GetAtt': [logicalId, 'Fingerprint'] });
    expect(stack.resolve(key.previousPlaybackKeyPairArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'PreviousArn'] });
    expect(stack.resolve(key.playbackKeyPairRef)).toEqual({ playbackKeyPairArn: { 'Fn::GetAtt': [logicalId, 'Arn'] } });
    expect(stack.resolve(key.secret.secretArn)).toEqual({
      Ref: resourcesOf(Template.fromStack(stack), 'AWS::SecretsManager::Secret')[0][0],
    });
  });

  test('a stack without generated keys gets no Secrets Manager policy: its template is unchanged', () => {
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('secretsmanager');
  });

  test('both kinds share the one handler and deploy one after another', () => {
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Own', p384().publicKeyPem);
    new GeneratedPlaybackKeyPair(stack, 'Generated');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    const [[ownId]] = resourcesOf(template, 'Custom::IvsPlaybackKeyPair');
    const [[, generated]] = resourcesOf(template, RESOURCE_TYPE);
    expect(generated.DependsOn).toEqual(expect.arrayContaining([ownId]));
  });
});

describe('least privilege', () => {
  test("the handler may read and write only this stack's generated-key secrets; the key pair waits for the policy", () => {
    const stack = newStack();
    new GeneratedPlaybackKeyPair(stack, 'A', { keepPreviousKey: false });
    new GeneratedPlaybackKeyPair(stack, 'B', { keepPreviousKey: false });
    const template = Template.fromStack(stack);
    const [[policyId, policy]] = resourcesOf(template, 'AWS::IAM::Policy');
    const secretIds = resourcesOf(template, 'AWS::SecretsManager::Secret').map(([id]) => id);
    expect(statementsOf(policy.Properties.PolicyDocument)).toEqual(
      secretIds.map((id) => ({
        Effect: 'Allow',
        Action: [
          'secretsmanager:ListSecretVersionIds',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: { Ref: id },
      })),
    );
    expect(policy.Properties.Roles).toHaveLength(1);
    for (const [, resource] of resourcesOf(template, RESOURCE_TYPE)) expect(resource.DependsOn).toContain(policyId);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/secretsmanager:\*|"Resource":"\*"/);
  });

  test('a customer key: used by the handler only through Secrets Manager', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'SecretKey');
    new GeneratedPlaybackKeyPair(stack, 'Key', { encryptionKey });
    const template = Template.fromStack(stack);
    const [kmsKeyId] = resourcesOf(template, 'AWS::KMS::Key')[0];
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [kmsKeyId, 'Arn'] } });
    const [[, policy]] = resourcesOf(template, 'AWS::IAM::Policy');
    expect(statementsOf(policy.Properties.PolicyDocument)[1]).toEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [kmsKeyId, 'Arn'] },
      Condition: {
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      },
    });
  });

  describe('an alias as encryptionKey (issue 21, item 3): IAM cannot name a key by its alias', () => {
    const viaSecretsManager = {
      'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
    };
    const keysOfAccount = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-west-2:123456789012:key/*']],
    };
    function handlerKmsStatement(template: Template) {
      const policy = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.includes('GeneratedKeySecrets'))!;
      return statementsOf(policy[1].Properties.PolicyDocument).find((statement) =>
        JSON.stringify(statement.Action).includes('kms:'),
      );
    }

    test('a kms.Alias of the stack: the grant names its target key', () => {
      const stack = newStack();
      const target = new kms.Key(stack, 'SecretKey');
      const encryptionKey = new kms.Alias(stack, 'SecretKeyAlias', {
        aliasName: 'alias/video-keys',
        targetKey: target,
      });
      new GeneratedPlaybackKeyPair(stack, 'Key', { encryptionKey });
      const template = Template.fromStack(stack);
      const [kmsKeyId] = resourcesOf(template, 'AWS::KMS::Key')[0];
      expect(handlerKmsStatement(template)).toEqual({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [kmsKeyId, 'Arn'] },
        Condition: { StringEquals: viaSecretsManager },
      });
    });

    test.each<[string, (stack: Stack) => kms.IKey]>([
      ['Alias.fromAliasName', (stack) => kms.Alias.fromAliasName(stack, 'SecretKeyAlias', 'alias/video-keys')],
      [
        'Key.fromKeyArn with an alias ARN',
        (stack) => kms.Key.fromKeyArn(stack, 'SecretKeyAlias', 'arn:aws:kms:us-west-2:123456789012:alias/video-keys'),
      ],
    ])('%s: the keys of the account and region that carry the alias (kms:ResourceAliases)', (_, aliasOf) => {
      const stack = newStack();
      const key = new GeneratedPlaybackKeyPair(stack, 'Key', { encryptionKey: aliasOf(stack) });
      const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      key.grantRead(backend);
      const template = Template.fromStack(stack);
      const condition = {
        StringEquals: viaSecretsManager,
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/video-keys' },
      };
      expect(handlerKmsStatement(template)).toEqual({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: keysOfAccount,
        Condition: condition,
      });
      const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, policy]) =>
        statementsOf(policy.Properties.PolicyDocument),
      );
      for (const statement of statements) expect(JSON.stringify(statement.Resource)).not.toContain(':alias/');
      const backendPolicy = resourcesOf(template, 'AWS::IAM::Policy').find(([, policy]) =>
        JSON.stringify(policy.Properties.Roles).includes('Backend'),
      )![1];
      expect(statementsOf(backendPolicy.Properties.PolicyDocument)).toContainEqual({
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keysOfAccount,
        Condition: condition,
      });
    });
  });

  test('grantRead lets a backend read the secret (and decrypt through Secrets Manager) and nothing else', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'SecretKey');
    const key = new GeneratedPlaybackKeyPair(stack, 'Key', { encryptionKey });
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantRead(backend);
    const template = Template.fromStack(stack);
    const [secretId] = resourcesOf(template, 'AWS::SecretsManager::Secret')[0];
    const [kmsKeyId] = resourcesOf(template, 'AWS::KMS::Key')[0];
    const backendPolicy = resourcesOf(template, 'AWS::IAM::Policy').find(([, policy]) =>
      JSON.stringify(policy.Properties.Roles).includes('Backend'),
    )![1];
    expect(statementsOf(backendPolicy.Properties.PolicyDocument)).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: secretId },
      },
    ]);
    // Decrypt for the backend only through Secrets Manager, granted on the key's policy.
    const keyStatements = statementsOf(resourcesOf(template, 'AWS::KMS::Key')[0][1].Properties.KeyPolicy);
    const backendDecrypt = keyStatements.filter((statement) => JSON.stringify(statement.Principal).includes('Backend'));
    expect(backendDecrypt).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com' } },
      }),
    ]);
    expect(kmsKeyId).toBeDefined();
  });
});

describe('removal policy', () => {
  test('DESTROY by default: CloudFormation deletes the key pairs and the secret', () => {
    const { template } = synth();
    expect(resourcesOf(template, RESOURCE_TYPE)[0][1].DeletionPolicy).toBe('Delete');
    expect(resourcesOf(template, 'AWS::SecretsManager::Secret')[0][1].DeletionPolicy).toBe('Delete');
  });

  test('RETAIN keeps both the key pairs (no Delete is sent) and the secret; applyRemovalPolicy too', () => {
    const retained = synth({ removalPolicy: RemovalPolicy.RETAIN }).template;
    expect(resourcesOf(retained, RESOURCE_TYPE)[0][1].DeletionPolicy).toBe('Retain');
    expect(resourcesOf(retained, 'AWS::SecretsManager::Secret')[0][1].DeletionPolicy).toBe('Retain');
    const stack = newStack();
    new GeneratedPlaybackKeyPair(stack, 'Key').applyRemovalPolicy(RemovalPolicy.RETAIN);
    const applied = Template.fromStack(stack);
    expect(resourcesOf(applied, RESOURCE_TYPE)[0][1].DeletionPolicy).toBe('Retain');
    expect(resourcesOf(applied, 'AWS::SecretsManager::Secret')[0][1].DeletionPolicy).toBe('Retain');
  });
});

describe('the quota of 3 key pairs per region', () => {
  test('fits: a generated key (2) and a PlaybackKeyPair (1), or three generated keys without the previous one', () => {
    const stack = newStack();
    new GeneratedPlaybackKeyPair(stack, 'Generated');
    new PlaybackKeyPair(stack, 'Own', p384().publicKeyPem);
    const other = newStack();
    for (const id of ['A', 'B', 'C']) new GeneratedPlaybackKeyPair(other, id, { keepPreviousKey: false });
    expect(Template.fromStack(other).findResources(RESOURCE_TYPE)).not.toEqual({});
  });

  test('synthesis refuses a stack whose key pairs need more than 3, naming each and its slots', () => {
    const stack = newStack();
    new GeneratedPlaybackKeyPair(stack, 'First');
    expect(messageOf(() => new GeneratedPlaybackKeyPair(stack, 'Second'))).toBe(
      "This stack's key pairs would hold 4 playback key " +
        'pairs, but IVS allows 3 per account and region: TestStack/First (2), TestStack/Second (2). A GeneratedPlaybackKeyPair ' +
        'holds 2 (its current and previous key) unless keepPreviousKey is false; a PlaybackKeyPair holds 1.',
    );
    const mixed = newStack();
    new GeneratedPlaybackKeyPair(mixed, 'Generated');
    new PlaybackKeyPair(mixed, 'Own', p384().publicKeyPem);
    expect(messageOf(() => new PlaybackKeyPair(mixed, 'Third', p384().publicKeyPem))).toMatch(
      /would hold 4 .*TestStack\/Third \(1\)/,
    );
  });
});

describe('validation', () => {
  test.each([
    [0, 'Invalid generation 0: use a whole number from 1 upwards, and raise it to rotate the key'],
    [1.5, 'Invalid generation 1.5: use a whole number from 1 upwards, and raise it to rotate the key'],
    [-1, 'Invalid generation -1: use a whole number from 1 upwards, and raise it to rotate the key'],
  ])('generation %p', (generation, message) => {
    expect(messageOf(() => synth({ generation }))).toBe(message);
  });

  test('names and tags as for PlaybackKeyPair, two tags reserved', () => {
    expect(messageOf(() => synth({ playbackKeyPairName: 'bad name' }))).toMatch(
      /Invalid playbackKeyPairName "bad name"/,
    );
    expect(messageOf(() => synth({ tags: { [GENERATION_TAG_KEY]: '1' } }))).toMatch(
      /reserved for the tag that names the generation/,
    );
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    expect(messageOf(() => synth({ tags }))).toBe(
      'Too many tags (49): at most 48 are allowed (IVS allows 50 per key and a ' +
        'generated key uses two to recognise its keys)',
    );
  });

  test('Tags.of() reaches the key pairs and is checked when the app synthesizes', () => {
    const stack = newStack();
    new GeneratedPlaybackKeyPair(stack, 'Key', { tags: { team: 'video' } });
    Tags.of(stack).add('cost-center', '42');
    Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, { Tags: { team: 'video', 'cost-center': '42' } });
    const crowded = newStack();
    new GeneratedPlaybackKeyPair(crowded, 'Key');
    for (let i = 0; i < 49; i++) Tags.of(crowded).add(`tag${i}`, 'x');
    expect(() => Template.fromStack(crowded)).toThrow(/Too many tags \(49\): at most 48/);
  });

  test('raising the generation changes only the Generation property', () => {
    const first = synth({ generation: 1, playbackKeyPairName: 'viewer' }).template.toJSON() as CfnTemplate;
    const second = synth({ generation: 2, playbackKeyPairName: 'viewer' }).template.toJSON() as CfnTemplate;
    const customResource = (template: CfnTemplate) =>
      Object.values(template.Resources).find((resource) => resource.Type === RESOURCE_TYPE)!;
    expect({ ...customResource(second).Properties, Generation: '1' }).toEqual(customResource(first).Properties);
  });
});
