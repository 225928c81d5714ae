import { App, NestedStack, RemovalPolicy, Stack, Tags, aws_ssm as ssm } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlaybackKeyPair, PlaybackKeyPairOptions } from '../lib';
import { OWNER_TAG_KEY } from '../lib/shared/contract';
import { messageOf } from './support/errors';
import { p384, pemBody, wrongKeys } from './support/keys';

const RESOURCE_TYPE = 'Custom::IvsPlaybackKeyPair';

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-west-2' } });
}

function templateWith(options?: PlaybackKeyPairOptions, publicKeyPem = p384().publicKeyPem): Template {
  const stack = newStack();
  new PlaybackKeyPair(stack, 'Key', publicKeyPem, options);
  return Template.fromStack(stack);
}

describe('resources', () => {
  test('one custom resource with the key, a name and the tags', () => {
    const { publicKeyPem } = p384();
    const template = templateWith({ playbackKeyPairName: 'viewer-tokens', tags: { team: 'video' } }, publicKeyPem);
    template.resourceCountIs(RESOURCE_TYPE, 1);
    template.hasResourceProperties(RESOURCE_TYPE, {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IvsPlaybackKeyPairProviderHandler[0-9A-F]{8}$'), 'Arn'] },
      PublicKeyMaterial: publicKeyPem,
      Name: 'viewer-tokens',
      Tags: { team: 'video' },
    });
  });

  test('the default name is unique to the construct path and valid for IVS', () => {
    const template = templateWith();
    template.hasResourceProperties(RESOURCE_TYPE, { Name: Match.stringLikeRegexp('^TestStack-Key-[A-F0-9]{8}$') });
  });

  test('a stack shares one handler: each further key pair adds exactly one resource', () => {
    const counts = [1, 2, 3].map((keyCount) => {
      const stack = newStack();
      for (let i = 0; i < keyCount; i++) new PlaybackKeyPair(stack, `Key${i}`, p384().publicKeyPem);
      const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
      return {
        total: Object.keys(resources).length,
        functions: Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function').length,
      };
    });
    expect(counts.map((c) => c.functions)).toEqual([1, 1, 1]);
    expect(counts[1].total - counts[0].total).toBe(1);
    expect(counts[2].total - counts[1].total).toBe(1);
  });

  test('the handler runs the pre-bundled asset on the newest Node.js runtime', () => {
    const template = templateWith();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('playback key pairs'),
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Timeout: 300,
      Architectures: ['arm64'],
    });
  });

  test('the handler may call only the IVS actions it uses, only on playback keys of its own account and region', () => {
    const template = templateWith();
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([
        {
          PolicyName: 'Ivs',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
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
                Resource: {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ivs:us-west-2:123456789012:playback-key/*']],
                },
              },
            ],
          },
        },
      ]),
    });
    // Inline in the role: no separate policy for the function to wait for.
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('the handler logs are kept for a year', () => {
    templateWith().resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 1);
  });
});

describe('attributes', () => {
  test('ARN and fingerprint come from the service answer', () => {
    const stack = newStack();
    const key = new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem);
    const logicalId = stack.getLogicalId(key.node.findChild('Resource').node.defaultChild as never);
    expect(stack.resolve(key.playbackKeyPairArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(stack.resolve(key.playbackKeyPairFingerprint)).toEqual({ 'Fn::GetAtt': [logicalId, 'Fingerprint'] });
    expect(stack.resolve(key.playbackKeyPairRef.playbackKeyPairArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
  });

  test('fromPlaybackKeyPairArn refers to an existing key pair in its own environment', () => {
    const arn = 'arn:aws:ivs:eu-west-1:111122223333:playback-key/AbCdEf123456';
    const key = PlaybackKeyPair.fromPlaybackKeyPairArn(newStack(), 'Existing', arn);
    expect(key.playbackKeyPairArn).toBe(arn);
    expect(key.playbackKeyPairRef).toEqual({ playbackKeyPairArn: arn });
    expect(key.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
  });

  test('fromPlaybackKeyPairArn rejects an ARN of another kind and accepts a token', () => {
    const stack = newStack();
    expect(() =>
      PlaybackKeyPair.fromPlaybackKeyPairArn(stack, 'Channel', 'arn:aws:ivs:us-west-2:123456789012:channel/abc'),
    ).toThrow(
      'Invalid playback key pair ARN "arn:aws:ivs:us-west-2:123456789012:channel/abc": expected arn:<partition>:ivs:<region>:<account>:playback-key/<id>',
    );
    const parameter = ssm.StringParameter.valueForStringParameter(stack, '/ivs/key-arn');
    expect(PlaybackKeyPair.fromPlaybackKeyPairArn(stack, 'FromParameter', parameter).playbackKeyPairArn).toBe(
      parameter,
    );
  });
});

describe('tags', () => {
  test('Tags.of() reaches the key pair and merges with options.tags; the aspect wins a shared key', () => {
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem, { tags: { team: 'video', env: 'dev' } });
    Tags.of(stack).add('env', 'prod');
    Tags.of(stack).add('cost-center', '42');
    Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, {
      Tags: { team: 'video', env: 'prod', 'cost-center': '42' },
    });
  });

  test('too many tags added by Tags.of() fail the synth', () => {
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem, { tags: { a: '1' } });
    for (let i = 0; i < 49; i++) Tags.of(stack).add(`tag${i}`, 'x');
    expect(() => Template.fromStack(stack)).toThrow(/Too many tags \(50\): at most 49 are allowed/);
  });
});

describe('removal policy', () => {
  test('the key pair is deleted with the stack by default', () => {
    templateWith().hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('options.removalPolicy and applyRemovalPolicy() both reach the custom resource', () => {
    templateWith({ removalPolicy: RemovalPolicy.RETAIN }).hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Retain' });
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem).applyRemovalPolicy(RemovalPolicy.RETAIN);
    Template.fromStack(stack).hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('several key pairs in one stack', () => {
  const logicalIdOf = (stack: Stack, key: PlaybackKeyPair) =>
    stack.getLogicalId(key.node.findChild('Resource').node.defaultChild as never);

  test('each key pair depends on the one added before it, so CloudFormation sends their events one at a time', () => {
    const stack = newStack();
    const keys = ['First', 'Second', 'Third'].map((id) => new PlaybackKeyPair(stack, id, p384().publicKeyPem));
    const [first, second, third] = keys.map((key) => logicalIdOf(stack, key));
    const resources = Template.fromStack(stack).findResources(RESOURCE_TYPE);
    expect(resources[first].DependsOn).toBeUndefined();
    expect(resources[second].DependsOn).toEqual([first]);
    expect(resources[third].DependsOn).toEqual([second]);
  });

  test('the chain is per stack: a key pair in another stack (a nested one too) starts its own', () => {
    const stack = newStack();
    new PlaybackKeyPair(stack, 'Parent', p384().publicKeyPem);
    const nested = new NestedStack(stack, 'Nested');
    const child = new PlaybackKeyPair(nested, 'Child', p384().publicKeyPem);
    const other = new Stack(stack.node.root as App, 'OtherStack');
    const stranger = new PlaybackKeyPair(other, 'Stranger', p384().publicKeyPem);
    expect(
      Template.fromStack(nested).findResources(RESOURCE_TYPE)[logicalIdOf(nested, child)].DependsOn,
    ).toBeUndefined();
    expect(
      Template.fromStack(other).findResources(RESOURCE_TYPE)[logicalIdOf(other, stranger)].DependsOn,
    ).toBeUndefined();
  });

  test('the same literal key twice in one stack is refused, naming both construct paths, even when the PEM text differs', () => {
    const stack = newStack();
    const { publicKeyPem, privateKeyPem } = p384();
    new PlaybackKeyPair(stack, 'Original', publicKeyPem);
    const reformatted = `# the same key, copied\r\n${publicKeyPem.replace(/\n/g, '\r\n')}`;
    const message = messageOf(() => new PlaybackKeyPair(stack, 'Copy', reformatted));
    expect(message).toBe(
      'PlaybackKeyPair TestStack/Copy has the same public key as PlaybackKeyPair TestStack/Original in the ' +
        'same stack. IVS cannot hold one key twice: give each key pair its own key, or use one PlaybackKeyPair for both.',
    );
    for (const body of [pemBody(publicKeyPem), pemBody(privateKeyPem)])
      expect(message).not.toContain(body.slice(0, 32));
  });

  test('the same key in two stacks, or as a token, is left to deploy time', () => {
    const app = new App();
    const { publicKeyPem } = p384();
    const stack = new Stack(app, 'One');
    new PlaybackKeyPair(stack, 'Key', publicKeyPem);
    new PlaybackKeyPair(stack, 'FromSsm', ssm.StringParameter.valueForStringParameter(stack, '/ivs/public-key'));
    new PlaybackKeyPair(stack, 'AlsoFromSsm', ssm.StringParameter.valueForStringParameter(stack, '/ivs/public-key'));
    expect(() => new PlaybackKeyPair(new Stack(app, 'Two'), 'Key', publicKeyPem)).not.toThrow();
  });
});

describe('validation at synth time', () => {
  const ALLOWED = 'IVS accepts only an ECDSA P-384 (secp384r1) public key as a PEM "-----BEGIN PUBLIC KEY-----" block.';
  const create = (publicKeyPem: string, options?: PlaybackKeyPairOptions) => () =>
    new PlaybackKeyPair(newStack(), 'Key', publicKeyPem, options);

  test.each([
    ['a P-256 key', wrongKeys.p256, 'is an EC key on curve prime256v1 (P-256)'],
    ['an RSA key', wrongKeys.rsa, 'is an RSA key'],
    ['an Ed25519 key', wrongKeys.ed25519, 'is a key of type "ed25519"'],
    ['garbage', () => 'not a key', 'contains no PEM block'],
    ['two keys', () => p384().publicKeyPem + p384().publicKeyPem, 'contains 2 PEM blocks; exactly one is allowed'],
    [
      'a broken block',
      () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      'is a "-----BEGIN PUBLIC KEY-----" block that does not hold a valid SubjectPublicKeyInfo',
    ],
    [
      'a certificate',
      () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      'is a "-----BEGIN CERTIFICATE-----" block',
    ],
  ])('rejects %s and names what it found', (_, key, found) => {
    expect(create(key())).toThrow(`Invalid publicKeyMaterial: it ${found}. ${ALLOWED}`);
  });

  test.each([
    ['PKCS#8', () => p384().privateKeyPem, '-----BEGIN PRIVATE KEY-----'],
    ['SEC1', wrongKeys.sec1Private, '-----BEGIN EC PRIVATE KEY-----'],
  ])('rejects a %s private key without echoing it', (_, privateKey, label) => {
    const pem = privateKey();
    const message = messageOf(create(pem));
    expect(message).toContain(`it is a private key ("${label}")`);
    expect(message).toContain('written into the CloudFormation template');
    // The package's own CLI derives the public half: no openssl needed.
    expect(message).toContain('npx cdk-ivs-playback-key-pair public-key --private-key <file> prints it');
    expect(message).not.toContain('openssl');
    expect(message).not.toContain(pemBody(pem).slice(0, 40));
  });

  test('accepts a key whose PEM has Windows line endings and surrounding text', () => {
    const pem = `# viewer key\r\n${p384().publicKeyPem.replace(/\n/g, '\r\n')}`;
    expect(create(pem)).not.toThrow();
  });

  test.each([
    ['spaces and a dot', 'my key. my rules', 'it contains " ", "."'],
    ['129 characters', 'k'.repeat(129), 'it has 129'],
  ])('rejects a name with %s and quotes it', (_, name, problem) => {
    expect(create(p384().publicKeyPem, { playbackKeyPairName: name })).toThrow(
      `Invalid playbackKeyPairName "${name}": use at most 128 characters from a-z, A-Z, 0-9, "-" and "_" (${problem})`,
    );
  });

  test('a private key pasted into the name or a tag is not echoed either', () => {
    const { privateKeyPem } = p384();
    const nameError = messageOf(create(p384().publicKeyPem, { playbackKeyPairName: privateKeyPem }));
    expect(nameError).toMatch(/^Invalid playbackKeyPairName \(a PEM key, not shown\): use at most 128 characters/);
    const tagError = messageOf(create(p384().publicKeyPem, { tags: { [privateKeyPem]: 'v' } }));
    expect(tagError).toMatch(/^Invalid tag key \(a PEM key, not shown\): use 1 to 128 characters/);
    for (const message of [nameError, tagError]) expect(message).not.toContain(pemBody(privateKeyPem).slice(0, 32));
  });

  test('accepts the longest and the emptiest valid names', () => {
    expect(create(p384().publicKeyPem, { playbackKeyPairName: 'a-Z_0'.repeat(25) + 'abc' })).not.toThrow();
    expect(create(p384().publicKeyPem, { playbackKeyPairName: '' })).not.toThrow();
  });

  test.each([
    [
      '50 tags',
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])),
      'Too many tags (50): at most 49 are allowed',
    ],
    ['an empty key', { '': 'v' }, 'Invalid tag key "": use 1 to 128 characters (got 0)'],
    [
      'a 129-character key',
      { ['k'.repeat(129)]: 'v' },
      `Invalid tag key "${'k'.repeat(129)}": use 1 to 128 characters (got 129)`,
    ],
    [
      'a 257-character value',
      { k: 'v'.repeat(257) },
      'Invalid value for tag "k": at most 256 characters are allowed (got 257)',
    ],
    ['an aws: key', { 'aws:team': 'v' }, 'Invalid tag key "aws:team": keys beginning with "aws:" are reserved by AWS'],
    ['the owner key', { [OWNER_TAG_KEY]: 'v' }, `Invalid tag key "${OWNER_TAG_KEY}": it is reserved`],
  ])('rejects %s', (_, tags, message) => {
    expect(create(p384().publicKeyPem, { tags })).toThrow(message);
  });

  test('accepts 49 tags at the limits', () => {
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`${i}`.padEnd(128, 'k'), 'v'.repeat(256)]));
    expect(create(p384().publicKeyPem, { tags })).not.toThrow();
  });

  test('tokens synthesize and are left for the handler to check at deploy time', () => {
    const stack = newStack();
    const key = ssm.StringParameter.valueForStringParameter(stack, '/ivs/public-key');
    const name = ssm.StringParameter.valueForStringParameter(stack, '/ivs/key-name');
    new PlaybackKeyPair(stack, 'Key', key, { playbackKeyPairName: name, tags: { team: name } });
    Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, {
      PublicKeyMaterial: { Ref: Match.stringLikeRegexp('SsmParameterValueivspublickey') },
      Name: { Ref: Match.stringLikeRegexp('SsmParameterValueivskeyname') },
    });
  });
});
