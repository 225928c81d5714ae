/**
 * Deploy-time validation: values the construct could not check at synth time are refused before any IVS call.
 * Mocked IVS, exact calls: see mocked-ivs.ts.
 */
import { OWNER_TAG_KEY } from '../../lib/shared/contract';
import { validatePlaybackKeyPairName, validatePublicKeyMaterial, validateTags } from '../../lib/shared/validation';
import { messageOf } from '../support/errors';
import { createEvent, ivsKeyPair, type KeyPairProps, props, rejectedKeys, updateEvent } from '../support/events';
import {
  useMockedIvs,
  ARN_A,
  failure,
  givenImports,
  importOf,
  invoke,
  KEY_A,
  KEY_B,
  sent,
  wanted,
  mocked,
  useMockedKind,
} from './mocked-ivs';
import { KEY_KINDS } from '../support/key-kinds';

useMockedIvs();

describe.each(KEY_KINDS)('$title', (kind) => {
  useMockedKind(kind);

  describe('deploy-time validation rejects before any IVS call, with the messages of lib/shared/validation', () => {
    const p256 = rejectedKeys.p256();
    const rsa = rejectedKeys.rsa();
    const pkcs8Private = rejectedKeys.pkcs8Private();
    const sec1Private = rejectedKeys.sec1Private();
    const brokenBody = `-----BEGIN PUBLIC KEY-----\n${'QUJD'.repeat(40)}\n-----END PUBLIC KEY-----\n`;
    const fiftyTags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag${i}`, 'v']));

    const cases: Array<[string, KeyPairProps, string, string]> = [
      [
        'a P-256 key',
        props(p256),
        messageOf(() => validatePublicKeyMaterial(p256)),
        'is an EC key on curve prime256v1 (P-256)',
      ],
      ['an RSA key', props(rsa), messageOf(() => validatePublicKeyMaterial(rsa)), 'is an RSA key'],
      [
        'a PKCS#8 private key',
        props(pkcs8Private),
        messageOf(() => validatePublicKeyMaterial(pkcs8Private)),
        'is a private key ("-----BEGIN PRIVATE KEY-----")',
      ],
      [
        'an EC private key',
        props(sec1Private),
        messageOf(() => validatePublicKeyMaterial(sec1Private)),
        'is a private key ("-----BEGIN EC PRIVATE KEY-----")',
      ],
      [
        'a public key followed by its private key',
        props(KEY_A.pem + KEY_A.privatePem),
        messageOf(() => validatePublicKeyMaterial(KEY_A.pem + KEY_A.privatePem)),
        'is a private key',
      ],
      [
        'garbage',
        props('hello world'),
        messageOf(() => validatePublicKeyMaterial('hello world')),
        'contains no PEM block',
      ],
      [
        'no key at all',
        { Name: 'my-key' } as KeyPairProps,
        messageOf(() => validatePublicKeyMaterial('')),
        'contains no PEM block',
      ],
      [
        'a PUBLIC KEY block that is not a key',
        props(brokenBody),
        messageOf(() => validatePublicKeyMaterial(brokenBody)),
        'does not hold a valid SubjectPublicKeyInfo',
      ],
      [
        'two public keys',
        props(KEY_A.pem + KEY_B.pem),
        messageOf(() => validatePublicKeyMaterial(KEY_A.pem + KEY_B.pem)),
        'contains 2 PEM blocks',
      ],
      [
        'a name with a space',
        props(KEY_A, 'my key'),
        messageOf(() => validatePlaybackKeyPairName('my key', kind.kind.nameOption)),
        `Invalid ${kind.kind.nameOption} "my key"`,
      ],
      [
        'a 129-character name',
        props(KEY_A, 'n'.repeat(129)),
        messageOf(() => validatePlaybackKeyPairName('n'.repeat(129), kind.kind.nameOption)),
        'use at most 128 characters',
      ],
      [
        '50 user tags',
        props(KEY_A, 'my-key', fiftyTags),
        messageOf(() => validateTags(fiftyTags)),
        'Too many tags (50): at most 49',
      ],
      [
        'an aws: tag key',
        props(KEY_A, 'my-key', { 'aws:cost': '1' }),
        messageOf(() => validateTags({ 'aws:cost': '1' })),
        'reserved by AWS',
      ],
      [
        'an AWS: tag key',
        props(KEY_A, 'my-key', { 'AWS:cost': '1' }),
        messageOf(() => validateTags({ 'AWS:cost': '1' })),
        'reserved by AWS',
      ],
      [
        'the owner tag key',
        props(KEY_A, 'my-key', { [OWNER_TAG_KEY]: 'me' }),
        messageOf(() => validateTags({ [OWNER_TAG_KEY]: 'me' })),
        `Invalid tag key "${OWNER_TAG_KEY}"`,
      ],
      [
        'a 257-character tag value',
        props(KEY_A, 'my-key', { team: 'v'.repeat(257) }),
        messageOf(() => validateTags({ team: 'v'.repeat(257) })),
        'at most 256 characters',
      ],
    ];

    test.each(cases)('Create with %s', async (_, badProps, message, fragment) => {
      const error = await failure(createEvent(badProps));

      expect(error.message).toBe(message);
      expect(error.message).toContain(fragment);
      expect(mocked().calls()).toHaveLength(0);
    });

    test.each(cases)('Update to %s', async (_, badProps, message) => {
      const error = await failure(updateEvent(props(KEY_A, 'my-key'), badProps, ARN_A));

      expect(error.message).toBe(message);
      expect(mocked().calls()).toHaveLength(0);
    });

    test('the key messages say what IVS accepts', async () => {
      const error = await failure(createEvent(props(p256)));

      expect(error.message).toContain('ECDSA P-384 (secp384r1) public key as a PEM "-----BEGIN PUBLIC KEY-----" block');
    });

    test('49 user tags are accepted (50 with the owner tag)', async () => {
      const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`tag${i}`, 'v']));
      givenImports(ivsKeyPair(ARN_A, KEY_A, 'my-key', wanted(tags)));

      await invoke(createEvent(props(KEY_A, 'my-key', tags)));

      expect(sent()).toEqual([importOf(KEY_A, 'my-key', wanted(tags))]);
      expect(Object.keys(wanted(tags))).toHaveLength(50);
    });
  });
});
