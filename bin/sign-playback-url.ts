#!/usr/bin/env node
/**
 * The last step of the example: signs a viewer token for the deployed private channel and prints
 * the playback URL a player opens.
 *
 *   npx cdk deploy -c publicKeyFile=keys/public.pem --outputs-file outputs.json
 *   npx tsx bin/sign-playback-url.ts keys/private.pem outputs.json
 */
import * as fs from 'node:fs';
import { playbackUrlWithToken, signPlaybackToken } from '../lib/tokens';

const STACK_NAME = 'IvsPrivateChannelExample';

/** Reads the example stack's outputs, as `cdk deploy --outputs-file` writes them. */
export function channelFromOutputs(outputsJson: string): { channelArn: string; playbackUrl: string } {
  const outputs = JSON.parse(outputsJson)[STACK_NAME];
  if (!outputs?.ChannelArn || !outputs?.PlaybackUrl) {
    throw new Error(
      `The outputs file has no ChannelArn and PlaybackUrl for the stack ${STACK_NAME}; ` +
        `write it with: npx cdk deploy --outputs-file outputs.json`,
    );
  }
  return { channelArn: outputs.ChannelArn, playbackUrl: outputs.PlaybackUrl };
}

/** A playback URL for the channel with a token that expires in `expiresIn` seconds. */
export async function signedPlaybackUrl(privateKeyPem: string, outputsJson: string, expiresIn = 300): Promise<string> {
  const { channelArn, playbackUrl } = channelFromOutputs(outputsJson);
  const token = await signPlaybackToken(privateKeyPem, { channelArn, expiresIn });
  return playbackUrlWithToken(playbackUrl, token);
}

if (require.main === module) {
  const [privateKeyFile, outputsFile = 'outputs.json'] = process.argv.slice(2);
  if (!privateKeyFile) {
    console.error('Usage: npx tsx bin/sign-playback-url.ts <private.pem> [outputs.json]');
    process.exit(2);
  }
  signedPlaybackUrl(fs.readFileSync(privateKeyFile, 'utf8'), fs.readFileSync(outputsFile, 'utf8'))
    .then((url) => console.log(url))
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });
}
