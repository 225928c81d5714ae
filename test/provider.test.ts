/**
 * What every stack with a `PlaybackKeyPair` pays for the custom resource, and what must never
 * change once a version has been deployed: the handler function's logical ID (the key pairs'
 * ServiceToken) and the key pair's property layout.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage, aws_lambda as lambda } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { PlaybackKeyPair } from '../lib';
import { HANDLER_ASSET_DIR } from '../lib/construct/playback-key-pair-provider';
import { directDependencies } from './support/deployment-order';
import { p384 } from './support/keys';

const RESOURCE_TYPE = 'Custom::IvsPlaybackKeyPair';

interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;
}

function template(stack: Stack): CfnTemplate {
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

function stackWithKeys(count: number, stack = new Stack(new App(), 'KeyStack')): Stack {
  for (let i = 0; i < count; i++) new PlaybackKeyPair(stack, `Key${i}`, p384().publicKeyPem);
  return stack;
}

/** Resources besides CDK's own metadata. */
function resourceCount(stack: Stack): number {
  return Object.values(template(stack).Resources).filter((resource) => resource.Type !== 'AWS::CDK::Metadata').length;
}

/** The longest chain of resources CloudFormation creates one after another, ending at `logicalId`. */
function longestChain(resources: CfnTemplate['Resources'], logicalId: string): string[] {
  const before = [...new Set(directDependencies({ Resources: resources }, logicalId))].map((id) =>
    longestChain(resources, id),
  );
  return [...before.reduce((longest, chain) => (chain.length > longest.length ? chain : longest), []), logicalId];
}

describe('the cost of a key pair', () => {
  // Changed in issue 16: the function's asynchronous-invocation settings are one more resource per stack.
  test('one key pair: 5 resources (the function, its async settings, its role, its log group, the key pair); each further one adds 1', () => {
    expect([1, 2, 3].map((count) => resourceCount(stackWithKeys(count)))).toEqual([5, 6, 7]);
    const types = Object.values(template(stackWithKeys(1)).Resources)
      .map((resource) => resource.Type)
      .sort();
    expect(types).toEqual([
      'AWS::IAM::Role',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::Lambda::Function',
      'AWS::Logs::LogGroup',
      RESOURCE_TYPE,
    ]);
  });

  test('Lambda drops an event CloudFormation no longer waits for, and retries a failed one at most twice', () => {
    const resources = template(stackWithKeys(1)).Resources;
    const [functionId] = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::Lambda::Function');
    const [config] = Object.values(resources).filter((resource) => resource.Type === 'AWS::Lambda::EventInvokeConfig');
    const [keyPair] = Object.values(resources).filter((resource) => resource.Type === RESOURCE_TYPE);
    expect(config.Properties).toEqual({
      FunctionName: { Ref: functionId },
      Qualifier: '$LATEST',
      MaximumEventAgeInSeconds: Number(keyPair.Properties!.ServiceTimeout),
      MaximumRetryAttempts: 2,
    });
  });

  test('a key pair waits for a chain of at most 4 resources: log group, role, function, key pair', () => {
    const resources = template(stackWithKeys(1)).Resources;
    const [keyPair] = Object.keys(resources).filter((id) => resources[id].Type === RESOURCE_TYPE);
    expect(longestChain(resources, keyPair).map((id) => resources[id].Type)).toEqual([
      'AWS::Logs::LogGroup',
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
      RESOURCE_TYPE,
    ]);
  });

  test('each further key pair of the stack waits for the one before it, and for nothing else', () => {
    // Siblings deploy one at a time (the quota of 3 and the 3 calls a second are per region), so the
    // n-th key pair's chain is 3 + n long; a region holds at most 3 key pairs.
    const resources = template(stackWithKeys(3)).Resources;
    const chains = Object.keys(resources)
      .filter((id) => resources[id].Type === RESOURCE_TYPE)
      .map((id) => longestChain(resources, id).map((link) => resources[link].Type))
      .sort((a, b) => a.length - b.length);
    const prefix = ['AWS::Logs::LogGroup', 'AWS::IAM::Role', 'AWS::Lambda::Function'];
    expect(chains).toEqual([
      [...prefix, RESOURCE_TYPE],
      [...prefix, RESOURCE_TYPE, RESOURCE_TYPE],
      [...prefix, RESOURCE_TYPE, RESOURCE_TYPE, RESOURCE_TYPE],
    ]);
  });

  test('CloudFormation fails a key pair that gets no answer after 6 minutes, not the default hour', () => {
    const resources = template(stackWithKeys(1)).Resources;
    const [keyPair] = Object.values(resources).filter((resource) => resource.Type === RESOURCE_TYPE);
    const [handler] = Object.values(resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(keyPair.Properties!.ServiceTimeout).toBe('360'); // aws-cdk-lib writes it as a string, as CloudFormation passes every property
    // The handler answers before its own timeout; the ServiceTimeout leaves a minute for the invocation.
    expect(handler.Properties!.Timeout).toBe(300);
  });
});

describe("the handler's code", () => {
  /** The function's Code, its asset metadata and its asset manifest entry, from a synthesized stack. */
  function publishedCode(build: (stack: Stack) => void) {
    const app = new App({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-key-code-')),
      context: { 'aws:cdk:enable-asset-metadata': true },
    });
    const stack = new Stack(app, 'Code');
    build(stack);
    const assembly = app.synth();
    const [fn] = Object.values(template(stack).Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    ) as any[];
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Code.assets.json'), 'utf8'));
    const assets = Object.values<any>(manifest.files)
      .filter((asset) => asset.source.packaging === 'zip')
      // Named after the function that uses it: ours, or the control function.
      .map(({ displayName, ...entry }) => ({
        ...entry,
        displayName: displayName.replace(/^(IvsPlaybackKeyPairProvider\/Handler|Control)\//, '<function>/'),
      }));
    fs.rmSync(assembly.directory, { recursive: true, force: true });
    return { code: fn.Properties.Code, metadata: fn.Metadata, assets };
  }

  test('is staged and published as lambda.Code.fromAsset publishes it: the same S3 location, asset and metadata', () => {
    const ours = publishedCode((stack) => new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem));
    const fromAsset = publishedCode(
      (stack) =>
        new lambda.Function(stack, 'Control', {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: lambda.Code.fromAsset(HANDLER_ASSET_DIR),
        }),
    );

    expect(ours.code).toEqual(fromAsset.code);
    expect(ours.assets).toEqual(fromAsset.assets);
    expect(ours.metadata).toMatchObject({
      'aws:asset:path': fromAsset.metadata['aws:asset:path'],
      'aws:asset:is-bundled': false,
      'aws:asset:property': 'Code',
    });
  });
});

/*
 * Fixed for good. CloudFormation refuses to change an existing custom resource's ServiceToken
 * ("Modifying service token is not allowed"), so a stack deployed with one version of this library
 * can only be updated by a later version whose handler function has the same logical ID. Rollback
 * Updates and Deletes also send the properties as an older version wrote them, so the property
 * names stay too. If this test fails, the change breaks every deployed stack: undo it. (0.1.0, the
 * Provider-framework version, was never published, so this layout is the first one in use.)
 */
describe('fixed for good: the ServiceToken and the property layout', () => {
  const HANDLER_LOGICAL_ID = 'IvsPlaybackKeyPairProviderHandler9273857C';

  test('the key pair sends its events to the function with this logical ID, with exactly these properties', () => {
    const stack = new Stack(new App(), 'Pinned');
    new PlaybackKeyPair(stack, 'Key', p384().publicKeyPem, {
      playbackKeyPairName: 'viewer-key',
      tags: { team: 'video' },
    });
    const resources = template(stack).Resources;

    expect(resources[HANDLER_LOGICAL_ID].Type).toBe('AWS::Lambda::Function');
    const [keyPair] = Object.values(resources).filter((resource) => resource.Type === RESOURCE_TYPE);
    expect(Object.keys(keyPair.Properties!).sort()).toEqual([
      'Name',
      'PublicKeyMaterial',
      'ServiceTimeout',
      'ServiceToken',
      'Tags',
    ]);
    expect(keyPair.Properties).toMatchObject({
      ServiceToken: { 'Fn::GetAtt': [HANDLER_LOGICAL_ID, 'Arn'] },
      PublicKeyMaterial: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/),
      Name: 'viewer-key',
      Tags: { team: 'video' },
    });
  });

  test('the same logical ID whichever construct, stage or nesting creates the first key pair', () => {
    const stage = new Stage(new App(), 'Prod');
    const stack = new Stack(stage, 'Video', { stackName: 'another-name' });
    new PlaybackKeyPair(new Construct(new Construct(stack, 'Deep'), 'Deeper'), 'First', p384().publicKeyPem);
    new PlaybackKeyPair(stack, 'Second', p384().publicKeyPem);
    const resources = template(stack).Resources;

    const tokens = Object.values(resources)
      .filter((resource) => resource.Type === RESOURCE_TYPE)
      .map((resource) => resource.Properties!.ServiceToken);
    expect(tokens).toEqual([
      { 'Fn::GetAtt': [HANDLER_LOGICAL_ID, 'Arn'] },
      { 'Fn::GetAtt': [HANDLER_LOGICAL_ID, 'Arn'] },
    ]);
  });
});
