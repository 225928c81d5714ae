// A minimal viewer-token backend for Lambda, as a user writes it with this package: signs a
// playback token for the channel in the event and checks it, without the CDK. scripts/bench.ts
// bundles it with esbuild, resolving the package through its "exports" map.
import { signPlaybackToken, verifyPlaybackToken } from 'cdk-ivs-playback-key-pair/tokens';

export async function handler(event) {
  const token = await signPlaybackToken(process.env.PLAYBACK_PRIVATE_KEY, {
    channelArn: event.channelArn,
    expiresIn: 300,
  });
  const { expiresAt } = await verifyPlaybackToken(token, process.env.PLAYBACK_PUBLIC_KEY);
  return { token, expiresAt: expiresAt.toISOString() };
}
