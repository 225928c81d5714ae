'use strict';
// One CDK app run, as `cdk synth` runs it: a fresh Node process builds a stack with `count` key pairs
// and synthesizes it. Spawned by scripts/bench.ts with plain `node`, using the compiled lib/ (the
// package as published), and writes one JSON line to stdout.
//
//   node synth-child.cjs <ours|cfn|awscr> <count>
//
//   ours:  PlaybackKeyPair (this package)
//   cfn:   aws_ivs.CfnPlaybackKeyPair (aws-cdk-lib's native resource)
//   awscr: custom_resources.AwsCustomResource calling ImportPlaybackKeyPair / DeletePlaybackKeyPair
//
// Times come from performance.now(), whose origin is the start of this process:
//   startMs      Node's own start-up, until this file runs
//   cdkLoadMs    require('aws-cdk-lib'), the same for every variant
//   constructMs  require this package (ours only), new App, new Stack, the key pairs
//   synthMs      app.synth()
//   appMs        constructMs + synthMs: what the variants differ in
//   appCpuMs     CPU time (user + system, all threads) over the same span: less sensitive than wall
//                time to other load on the machine
const t0 = performance.now();
const { generateKeyPairSync } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const [variant, countArg] = process.argv.slice(2);
const count = Number(countArg);
const root = path.join(__dirname, '..', '..');
const context = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context ?? {};
const keys = Array.from({ length: count }, () =>
  generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
);
// Run by the CDK CLI (`cdk synth --app ...`), the app writes where the CLI tells it to.
const cliOutdir = process.env.CDK_OUTDIR;
const outdir = cliOutdir ?? fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${variant}-`));

const t1 = performance.now();
const cdk = require('aws-cdk-lib');
const t2 = performance.now();
const cpu2 = process.cpuUsage();

const app = new cdk.App({ outdir, context });
const stack = new cdk.Stack(app, 'BenchStack', { env: { account: '123456789012', region: 'us-east-1' } });
if (variant === 'ours') {
  const { PlaybackKeyPair } = require(root);
  keys.forEach((pem, i) => new PlaybackKeyPair(stack, `Key${i}`, pem));
} else if (variant === 'cfn') {
  keys.forEach(
    (pem, i) => new cdk.aws_ivs.CfnPlaybackKeyPair(stack, `Key${i}`, { publicKeyMaterial: pem, name: `key-${i}` }),
  );
} else if (variant === 'awscr') {
  const cr = cdk.custom_resources;
  keys.forEach(
    (pem, i) =>
      new cr.AwsCustomResource(stack, `Key${i}`, {
        onCreate: {
          service: 'IVS',
          action: 'ImportPlaybackKeyPair',
          parameters: { publicKeyMaterial: pem, name: `key-${i}` },
          physicalResourceId: cr.PhysicalResourceId.fromResponse('keyPair.arn'),
        },
        onDelete: {
          service: 'IVS',
          action: 'DeletePlaybackKeyPair',
          parameters: { arn: new cr.PhysicalResourceIdReference() },
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      }),
  );
} else {
  throw new Error(`Unknown variant ${variant}`);
}
const t3 = performance.now();
const assembly = app.synth();
const t4 = performance.now();
const cpu4 = process.cpuUsage(cpu2);

const template = assembly.getStackByName(stack.stackName).template;
// CDK's own metadata resource is the same for every variant: not counted.
const byId = Object.fromEntries(
  Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type !== 'AWS::CDK::Metadata'),
);
const resources = Object.values(byId);
const types = {};
for (const { Type } of resources) types[Type] = (types[Type] ?? 0) + 1;
// The first custom resource's properties, to build the event its handler receives.
const custom = resources.find((resource) => resource.Type.startsWith('Custom::'));
const keyPairId = Object.keys(byId).find(
  (id) => byId[id].Type.startsWith('Custom::') || byId[id].Type === 'AWS::IVS::PlaybackKeyPair',
);

/** The logical ids a resource waits for: DependsOn, Ref and Fn::GetAtt. */
function dependencies(resource) {
  const found = new Set(resource.DependsOn ?? []);
  const visit = (node) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      if (typeof node.Ref === 'string') found.add(node.Ref);
      if (Array.isArray(node['Fn::GetAtt'])) found.add(node['Fn::GetAtt'][0]);
      Object.values(node).forEach(visit);
    }
  };
  visit(resource.Properties);
  return [...found].filter((id) => id in byId);
}

/** The longest chain of resources CloudFormation creates one after another, ending at `id`, as types. */
function longestChain(id) {
  const before = dependencies(byId[id])
    .map(longestChain)
    .reduce((longest, chain) => (chain.length > longest.length ? chain : longest), []);
  return [...before, byId[id].Type.replace(/^AWS::/, '')];
}
if (!cliOutdir) fs.rmSync(outdir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    variant,
    count,
    startMs: t0,
    cdkLoadMs: t2 - t1,
    constructMs: t3 - t2,
    synthMs: t4 - t3,
    appMs: t4 - t2,
    appCpuMs: (cpu4.user + cpu4.system) / 1000,
    resources: resources.length,
    types,
    chain: keyPairId ? longestChain(keyPairId) : [],
    customResource: custom && { type: custom.Type, properties: custom.Properties },
  })}\n`,
);
