/**
 * Integration test against a real AWS account: two playback key pairs and an authorized channel,
 * checked through the IVS API. Not run by CI (no account); CI only checks that the committed
 * snapshot is current (test/integ-snapshot.test.ts).
 *
 * Needs credentials for a throw-away account, a region with Amazon IVS, and two free playback key
 * pair slots there (the quota is 3 per region).
 *
 * The app has two versions, switched by the context key `playbackKeyPairIntegVariant`:
 *   - `initial` (the default, and what the committed snapshot holds);
 *   - `rotated`: the `Signing` key pair gets a new public key (key rotation, import-first) and
 *     new tags; the `Spare` key pair keeps its key while one tag changes and one goes (tags
 *     updated in place).
 * The test case deploys `rotated` (cdkCommandOptions below). integ-runner's update workflow first
 * deploys the committed snapshot, i.e. `initial` (Create), then the app, i.e. `rotated` (Update),
 * asserts the rotated state, and destroys both stacks (Delete):
 *
 *   npm run build
 *   npx integ-runner --language typescript --app "npx tsx {filePath}" --parallel-regions us-west-2 \
 *     --update-workflow --force integ.playback-key-pair.ts
 *
 * (`--no-update-workflow` deploys `rotated` from scratch: Create only.) The rotation briefly needs
 * a third slot; with only two free it takes the handler's quota path instead (delete the old key,
 * then import the new one).
 *
 * integ-runner 2.197 cannot read the cloud assemblies of aws-cdk-lib 2.276 (schema 55). Until a
 * release can, the same steps by hand (every `AssertionResults…` output must read
 * `{"status":"success"}`):
 *
 *   npm run build
 *   npx cdk deploy --app "npx tsx test/integ.playback-key-pair.ts" IvsPlaybackKeyPairInteg
 *   npx cdk deploy --app "npx tsx test/integ.playback-key-pair.ts" --all -c playbackKeyPairIntegVariant=rotated \
 *     --outputs-file integ-outputs.json
 *   npx cdk destroy --app "npx tsx test/integ.playback-key-pair.ts" --all --force
 *
 * (The assertion stack imports the key pairs' ARNs, so it is created only after the update, as
 * integ-runner does.) After changing the app, the construct or the handler, regenerate the
 * snapshot with `npm run build && UPDATE_INTEG_SNAPSHOT=1 npx jest test/integ-snapshot.test.ts`.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, CfnElement, Stack, aws_ivs as ivs } from 'aws-cdk-lib';
import { PlaybackKeyPair } from '../lib';
import { OWNER_TAG_KEY } from '../lib/shared/contract';

/** The context key that picks the version of the app. */
const VARIANT_CONTEXT_KEY = 'playbackKeyPairIntegVariant';

// ECDSA P-384 public keys made for this test; the private halves were never kept.
const SIGNING_KEY = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEzJxjPvPZ3CR4kllarsTsCF4nY3aq5YjS
7v+IO4dZip+hHLJF6YFNLVMw+Ok5P8xKhMBPB6JLVra4m/s1fYlMfIcEjycTkGUL
vW1iCVY0f7aP1arQidAEy8XfEzP3hFCY
-----END PUBLIC KEY-----
`;
const SPARE_KEY = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEBwFmGraqs3wNRhyV96zBBPZ8w+bydVbt
DJ2IvQuOA0Vf2IJAhtXzD2o58bRthCA3Ii7Upg7wTo5abaZ1GKzEmNcUauNLHIIu
zMf7vX+uESUlbCJ75z+0btBaVJeXQK7s
-----END PUBLIC KEY-----
`;
const ROTATED_SIGNING_KEY = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEboZW26dgd+lF/31g7RcdSaNAoaMNurM7
/r2N2XWcEnfiLktJsCqZSgfO/T5bH5yYHQh/OskyadwJSUXZQohuLxGTbEAk5hU2
cPcFQIH5No/Q4/YnuKB3kfzbFEgR9Vd2
-----END PUBLIC KEY-----
`;

interface Variant {
  readonly signingKey: string;
  readonly signingTags: Record<string, string>;
  readonly spareTags: Record<string, string>;
}

const VARIANTS: Record<string, Variant> = {
  initial: {
    signingKey: SIGNING_KEY,
    signingTags: { stage: 'initial' },
    spareTags: { stage: 'initial', retiring: 'soon' },
  },
  rotated: {
    signingKey: ROTATED_SIGNING_KEY,
    signingTags: { stage: 'rotated', rotation: '1' },
    spareTags: { stage: 'rotated' },
  },
};

/**
 * The fingerprint IVS gives a public key, worked out here independently of the library: the MD5
 * of the key's DER (SubjectPublicKeyInfo), as colon-separated lowercase hex bytes.
 */
function ivsFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
}

/** Exported so that test/integ-snapshot.test.ts can synthesize it in-process. */
export const app = new App();
const variantName: string = app.node.tryGetContext(VARIANT_CONTEXT_KEY) ?? 'initial';
const variant = VARIANTS[variantName];
if (!variant) {
  throw new Error(`Unknown ${VARIANT_CONTEXT_KEY} "${variantName}": use ${Object.keys(VARIANTS).join(' or ')}`);
}

// Environment-agnostic, as integ-runner's update workflow requires.
const stack = new Stack(app, 'IvsPlaybackKeyPairInteg');
const signing = new PlaybackKeyPair(stack, 'Signing', variant.signingKey, {
  playbackKeyPairName: 'integ-signing',
  tags: variant.signingTags,
});
const spare = new PlaybackKeyPair(stack, 'Spare', SPARE_KEY, { tags: variant.spareTags });
const channel = new ivs.CfnChannel(stack, 'Channel', { authorized: true, latencyMode: 'LOW' });

const integ = new IntegTest(app, 'PlaybackKeyPairInteg', {
  testCases: [stack],
  stackUpdateWorkflow: true,
  // Deploy the rotated version: over the committed (initial) snapshot, that is the update step.
  cdkCommandOptions: { deploy: { args: { context: { [VARIANT_CONTEXT_KEY]: 'rotated' } } } },
});

// What IVS holds: the key each resource asked for (by fingerprint), under its ARN, with its tags.
// (objectLike: IVS also returns the construct's owner tag.)
integ.assertions.awsApiCall('IVS', 'getPlaybackKeyPair', { arn: signing.playbackKeyPairArn }).expect(
  ExpectedResult.objectLike({
    keyPair: {
      arn: signing.playbackKeyPairArn,
      fingerprint: ivsFingerprint(variant.signingKey),
      name: 'integ-signing',
      tags: variant.signingTags,
    },
  }),
);
integ.assertions.awsApiCall('IVS', 'getPlaybackKeyPair', { arn: spare.playbackKeyPairArn }).expect(
  ExpectedResult.objectLike({
    keyPair: {
      arn: spare.playbackKeyPairArn,
      fingerprint: ivsFingerprint(SPARE_KEY),
      tags: variant.spareTags,
    },
  }),
);
// Exactly these tags: one the update removed must be gone, and the owner tag must be in place.
const spareLogicalId = stack.getLogicalId(spare.node.findChild('Resource').node.defaultChild as CfnElement);
integ.assertions
  .awsApiCall('IVS', 'listTagsForResource', { resourceArn: spare.playbackKeyPairArn })
  .expect(
    ExpectedResult.exact({ tags: { ...variant.spareTags, [OWNER_TAG_KEY]: `${stack.stackId}/${spareLogicalId}` } }),
  );
integ.assertions
  .awsApiCall('IVS', 'getChannel', { arn: channel.attrArn })
  .expect(ExpectedResult.objectLike({ channel: { authorized: true } }));
