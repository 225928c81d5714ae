/** The low-latency IVS API's playback key pairs (`@aws-sdk/client-ivs`) as a `KeyApi`. */
import {
  DeletePlaybackKeyPairCommand,
  GetPlaybackKeyPairCommand,
  ImportPlaybackKeyPairCommand,
  IvsClient,
  ListPlaybackKeyPairsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ivs';
import { PLAYBACK_KEY_PAIRS } from '../../../lib/shared/key-kinds';
import type { KeyApi } from './key-api';

export function playbackKeyPairsApi(client: IvsClient): KeyApi {
  return {
    kind: PLAYBACK_KEY_PAIRS,
    operations: {
      import: 'ImportPlaybackKeyPair',
      get: 'GetPlaybackKeyPair',
      list: 'ListPlaybackKeyPairs',
      delete: 'DeletePlaybackKeyPair',
    },
    importKey: async (key, abortSignal) => {
      const output = await client.send(new ImportPlaybackKeyPairCommand(key), { abortSignal });
      return { ...output, key: output.keyPair };
    },
    getKey: async (arn, abortSignal) => {
      const output = await client.send(new GetPlaybackKeyPairCommand({ arn }), { abortSignal });
      return { ...output, key: output.keyPair };
    },
    listKeys: async (nextToken, abortSignal) => {
      const output = await client.send(new ListPlaybackKeyPairsCommand({ nextToken }), { abortSignal });
      const keys = (output.keyPairs ?? []).map((k) => ({ arn: k.arn!, name: k.name ?? '', tags: k.tags ?? {} }));
      return { $metadata: output.$metadata, keys, nextToken: output.nextToken };
    },
    deleteKey: (arn, abortSignal) => client.send(new DeletePlaybackKeyPairCommand({ arn }), { abortSignal }),
    tagKey: (resourceArn, tags, abortSignal) =>
      client.send(new TagResourceCommand({ resourceArn, tags }), { abortSignal }),
    untagKey: (resourceArn, tagKeys, abortSignal) =>
      client.send(new UntagResourceCommand({ resourceArn, tagKeys }), { abortSignal }),
  };
}
