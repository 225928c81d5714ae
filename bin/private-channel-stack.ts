import { CfnOutput, Stack, StackProps, aws_ivs as ivs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlaybackKeyPair } from '../lib';

/** Properties of the example stack. */
export interface PrivateChannelStackProps extends StackProps {
  /** The PEM text of the ECDSA P-384 public key that signs viewer tokens. */
  readonly publicKeyMaterial: string;
}

/**
 * An IVS private channel that really plays: a playback key pair, a channel that only plays with a
 * signed token, and a stream key to send it video with any RTMPS encoder.
 */
export class PrivateChannelStack extends Stack {
  constructor(scope: Construct, id: string, props: PrivateChannelStackProps) {
    super(scope, id, props);

    // The channel does not name the key pair: IVS checks a token against every key pair of the region.
    const key = new PlaybackKeyPair(this, 'PlaybackKey', props.publicKeyMaterial, {
      tags: { purpose: 'private-channel-example' },
    });
    const channel = new ivs.CfnChannel(this, 'Channel', {
      name: 'private-channel-example',
      authorized: true,
      latencyMode: 'LOW',
    });
    // A channel made by CloudFormation has no stream key of its own.
    const streamKey = new ivs.CfnStreamKey(this, 'StreamKey', { channelArn: channel.attrArn });

    new CfnOutput(this, 'PlaybackKeyPairArn', { value: key.playbackKeyPairArn });
    new CfnOutput(this, 'PlaybackKeyPairFingerprint', { value: key.playbackKeyPairFingerprint });
    new CfnOutput(this, 'ChannelArn', { value: channel.attrArn });
    new CfnOutput(this, 'PlaybackUrl', { value: channel.attrPlaybackUrl });
    new CfnOutput(this, 'IngestEndpoint', {
      value: channel.attrIngestEndpoint,
      description: 'Stream to rtmps://<IngestEndpoint>:443/app/ with the stream key.',
    });
    // The key's ARN, never its value: outputs are readable by anyone who may describe the stack.
    new CfnOutput(this, 'StreamKeyArn', {
      value: streamKey.attrArn,
      description: 'The stream key is a secret: read it with aws ivs get-stream-key --arn <StreamKeyArn>.',
    });
  }
}
