/** The IVS Real-Time API's stage public keys (`@aws-sdk/client-ivs-realtime`) as a `KeyApi`. */
import {
  DeletePublicKeyCommand,
  GetPublicKeyCommand,
  ImportPublicKeyCommand,
  IVSRealTimeClient,
  ListPublicKeysCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ivs-realtime';
import { STAGE_PUBLIC_KEYS } from '../../../lib/shared/key-kinds';
import type { KeyApi } from './key-api';

export function publicKeysApi(client: IVSRealTimeClient): KeyApi {
  return {
    kind: STAGE_PUBLIC_KEYS,
    operations: { import: 'ImportPublicKey', get: 'GetPublicKey', list: 'ListPublicKeys', delete: 'DeletePublicKey' },
    importKey: async (key, abortSignal) => {
      const output = await client.send(new ImportPublicKeyCommand(key), { abortSignal });
      return { ...output, key: output.publicKey };
    },
    getKey: async (arn, abortSignal) => {
      const output = await client.send(new GetPublicKeyCommand({ arn }), { abortSignal });
      return { ...output, key: output.publicKey };
    },
    listKeys: async (nextToken, abortSignal) => {
      const output = await client.send(new ListPublicKeysCommand({ nextToken }), { abortSignal });
      const keys = (output.publicKeys ?? []).map((k) => ({ arn: k.arn!, name: k.name ?? '', tags: k.tags ?? {} }));
      return { $metadata: output.$metadata, keys, nextToken: output.nextToken };
    },
    deleteKey: (arn, abortSignal) => client.send(new DeletePublicKeyCommand({ arn }), { abortSignal }),
    tagKey: (resourceArn, tags, abortSignal) =>
      client.send(new TagResourceCommand({ resourceArn, tags }), { abortSignal }),
    untagKey: (resourceArn, tagKeys, abortSignal) =>
      client.send(new UntagResourceCommand({ resourceArn, tagKeys }), { abortSignal }),
  };
}
