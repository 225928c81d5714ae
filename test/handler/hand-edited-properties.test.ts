/**
 * Issue 16, situation 7: hand-edited properties (a template changed outside the construct) are
 * refused by the shipped handler before any IVS call, with the messages the construct gives at
 * synth time; an oversized PublicKeyMaterial is refused before any regular expression runs.
 */
import { App, Stack } from 'aws-cdk-lib';
import { GeneratedPlaybackKeyPair, GeneratedStagePublicKey } from '../../lib';
import { MAX_PUBLIC_KEY_MATERIAL_LENGTH } from '../../lib/shared/contract';
import { pemBlocks, validatePublicKeyMaterial } from '../../lib/shared/validation';
import { KeyPairProperties, SimulatedResource, SimulatedResourceOptions } from '../../tools/stand-ins/cloudformation';
import { messageOf } from '../support/errors';
import { p384 } from '../support/keys';
import { KEY_KINDS, PLAYBACK_KIND } from '../support/key-kinds';
import { useShippedHandler } from '../support/shipped-setup';

/** Tags a hand edit can put in a template, and the message both synthesis and the handler refuse them with. */
const MALFORMED_TAGS: Array<[string, unknown, string]> = [
  ['a string', 'team=video', 'Invalid tags: expected a map of tag keys to string values (got a string)'],
  ['a number', 42, 'Invalid tags: expected a map of tag keys to string values (got a number)'],
  [
    'a value that is an object',
    { team: { name: 'video' } },
    'Invalid value for tag "team": expected a string (got an object)',
  ],
  ['a value that is a number', { cost: 42 }, 'Invalid value for tag "cost": expected a string (got a number)'],
  ['a value that is null', { team: null }, 'Invalid value for tag "team": expected a string (got null)'],
];

jest.setTimeout(30_000);

const rig = useShippedHandler();

const key = () => p384().publicKeyPem;

describe.each(KEY_KINDS)('$title', (kind) => {
  const api = () => kind.api(rig.ivs);
  /** A resource of this kind, as CloudFormation drives it. */
  const simulated = (logicalId = 'PlaybackKey', options: SimulatedResourceOptions = {}) =>
    new SimulatedResource(rig.handler, logicalId, { resourceType: kind.resourceType, ...options });

  /** What the construct says at synth time for the same values, passed as JavaScript or another language could. */
  function synthMessage(publicKeyMaterial: unknown, options: Record<string, unknown>): string {
    return messageOf(() =>
      kind.construct(new Stack(new App(), 'Synth'), 'Key', publicKeyMaterial as string, options as never),
    );
  }

  async function deployMessage(properties: Record<string, unknown>): Promise<string> {
    api().resetCalls();
    const message = await simulated()
      .create(properties as unknown as KeyPairProperties)
      .then(
        () => 'succeeded',
        (error: Error) => error.message,
      );
    expect(api().calls).toEqual([]);
    return message;
  }

  test.each(MALFORMED_TAGS)('Tags that are %s: refused with the synth-time message', async (_, tags, message) => {
    const publicKey = key();
    expect(synthMessage(publicKey, { tags })).toBe(message);
    expect(await deployMessage({ PublicKeyMaterial: publicKey, Name: 'viewer-key', Tags: tags })).toBe(message);
  });

  describe(`a ${kind.kind.generatedConstruct}: the same checks and messages (issue 21, item 7)`, () => {
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:GeneratedKeySecret-AbCdEf';

    function generatedSynthMessage(tags: unknown): string {
      return messageOf(
        () =>
          new (kind === PLAYBACK_KIND ? GeneratedPlaybackKeyPair : GeneratedStagePublicKey)(
            new Stack(new App(), 'Synth'),
            'Key',
            { tags: tags as Record<string, string> },
          ),
      );
    }

    async function generatedDeployMessage(tags: unknown): Promise<string> {
      api().resetCalls();
      const resource = simulated('GeneratedKey', {
        resourceType: kind.generatedResourceType,
      });
      const properties = {
        SecretArn: secretArn,
        Generation: '1',
        KeepPreviousKey: 'true',
        Name: 'viewer-key',
        Tags: tags,
      };
      const message = await resource.create(properties as never).then(
        () => 'succeeded',
        (error: Error) => error.message,
      );
      expect(api().calls).toEqual([]);
      expect(rig.jsonLines().at(-1)).toMatchObject({ error: message, secretsManagerCalls: [] });
      return message;
    }

    test.each(MALFORMED_TAGS)(
      'Tags that are %s: refused with the synth-time message, before any call',
      async (_, tags, message) => {
        expect(generatedSynthMessage(tags)).toBe(message);
        expect(await generatedDeployMessage(tags)).toBe(message);
      },
    );

    test('Tags in the list form with an entry that is null: refused', async () => {
      expect(await generatedDeployMessage([null])).toBe(
        'Invalid tags: entry 1 of the list is null; each must be {"Key": string, "Value": string}',
      );
    });

    test('a Name that is not a string: refused with the synth-time message', async () => {
      api().resetCalls();
      const message = await simulated('GeneratedKey', {
        resourceType: kind.generatedResourceType,
      })
        .create({ SecretArn: secretArn, Generation: '1', KeepPreviousKey: 'true', Name: { name: 'x' } } as never)
        .then(
          () => 'succeeded',
          (error: Error) => error.message,
        );
      expect(message).toBe(`Invalid ${kind.kind.nameOption}: expected a string (got an object)`);
      expect(api().calls).toEqual([]);
    });
  });

  test.each<[string, unknown[], string]>([
    ['null', [null], 'Invalid tags: entry 1 of the list is null; each must be {"Key": string, "Value": string}'],
    [
      'a string',
      [{ Key: 'team', Value: 'video' }, 'env=prod'],
      'Invalid tags: entry 2 of the list is a string; each must be {"Key": string, "Value": string}',
    ],
    [
      'a value that is an object',
      [{ Key: 'team', Value: { name: 'video' } }],
      'Invalid tags: entry 1 of the list is an object; each must be {"Key": string, "Value": string}',
    ],
  ])('Tags in the list form with an entry that is %s: refused', async (_, tags, message) => {
    expect(await deployMessage({ PublicKeyMaterial: key(), Name: 'viewer-key', Tags: tags })).toBe(message);
  });

  test('Tags in the list form of older templates are still read', async () => {
    await simulated().create({
      PublicKeyMaterial: key(),
      Name: 'viewer-key',
      Tags: [{ Key: 'team', Value: 'video' }],
    } as never);
    expect(api().keys()[0].tags).toMatchObject({ team: 'video' });
  });

  test('a Name that is not a string: refused with the synth-time message', async () => {
    const publicKey = key();
    const message = `Invalid ${kind.kind.nameOption}: expected a string (got an object)`;
    expect(synthMessage(publicKey, { name: { name: 'x' } })).toBe(message);
    expect(await deployMessage({ PublicKeyMaterial: publicKey, Name: { name: 'x' } })).toBe(message);
  });

  test('a PublicKeyMaterial that is not a string: refused', async () => {
    expect(await deployMessage({ PublicKeyMaterial: { pem: 'x' }, Name: 'viewer-key' })).toBe(
      'Invalid publicKeyMaterial: it is an object, not the text of a PEM file. IVS accepts only an ECDSA P-384 (secp384r1) public key as a PEM "-----BEGIN PUBLIC KEY-----" block.',
    );
  });

  describe('an oversized or adversarial PublicKeyMaterial', () => {
    // 256 KB of BEGIN lines without an END: a lazy BEGIN...END regular expression retries from every
    // BEGIN and scans to the end each time, which took seconds.
    const beginLines = '-----BEGIN PUBLIC KEY-----\n'.repeat(Math.ceil((256 * 1024) / 27));

    test(`more than ${MAX_PUBLIC_KEY_MATERIAL_LENGTH} characters is refused at once, at synth time and at deploy time alike`, async () => {
      const message =
        `Invalid publicKeyMaterial: it has ${beginLines.length} characters; at most ${MAX_PUBLIC_KEY_MATERIAL_LENGTH} are allowed ` +
        '(a P-384 public key PEM has 215). IVS accepts only an ECDSA P-384 (secp384r1) public key as a PEM "-----BEGIN PUBLIC KEY-----" block.';
      expect(synthMessage(beginLines, {})).toBe(message);
      const started = performance.now();
      expect(await deployMessage({ PublicKeyMaterial: beginLines, Name: 'viewer-key' })).toBe(message);
      expect(performance.now() - started).toBeLessThan(2_000); // an event's whole round trip
    });
  });
});

test('the PEM parser is linear, and finds the blocks the lazy regular expression found', () => {
  const beginLines = '-----BEGIN PUBLIC KEY-----\n'.repeat(Math.ceil((256 * 1024) / 27));
  const atLimit = beginLines.slice(0, MAX_PUBLIC_KEY_MATERIAL_LENGTH);
  expect(messageOf(() => validatePublicKeyMaterial(atLimit))).toContain('contains no PEM block');

  // Beyond the size check: 1 MB of BEGIN lines (the old expression: minutes; quadratic in the length).
  const started = performance.now();
  expect(pemBlocks(beginLines.repeat(4))).toEqual([]);
  expect(performance.now() - started).toBeLessThan(500);

  const lazy = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  const publicKey = key();
  for (const text of [
    publicKey,
    `# comment\n${publicKey}`,
    publicKey + publicKey,
    `-----BEGIN A-----\n${publicKey}-----END A-----`,
    `-----BEGIN A-----x-----BEGIN B-----y-----END B-----`,
    `-----BEGIN A-----x-----END B----------END A-----`,
    beginLines.slice(0, 500),
    `${publicKey.replace('-----END PUBLIC KEY-----', '')}${publicKey}`,
  ]) {
    expect(pemBlocks(text)).toEqual([...text.matchAll(lazy)].map((match) => [match[0], match[1]]));
  }
});
