import { CfnOutput, Stack, StackProps, aws_ivs as ivs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlaybackKeyPair } from '../lib';

/** Properties of the example stack. */
export interface PrivateChannelStackProps extends StackProps {
  /** The PEM text of the ECDSA P-384 public key that signs viewer tokens. */
  readonly publicKeyMaterial: string;
}

/** An IVS private channel: a playback key pair, and a channel that only plays with a signed token. */
export class PrivateChannelStack extends Stack {
  constructor(scope: Construct, id: string, props: PrivateChannelStackProps) {
    super(scope, id, props);

    const key = new PlaybackKeyPair(this, 'PlaybackKey', props.publicKeyMaterial, {
      tags: { purpose: 'private-channel-example' },
    });
    const channel = new ivs.CfnChannel(this, 'Channel', {
      name: 'private-channel-example',
      authorized: true,
      latencyMode: 'LOW',
    });

    new CfnOutput(this, 'PlaybackKeyPairArn', { value: key.playbackKeyPairArn });
    new CfnOutput(this, 'PlaybackKeyPairFingerprint', { value: key.playbackKeyPairFingerprint });
    new CfnOutput(this, 'ChannelArn', { value: channel.attrArn });
    new CfnOutput(this, 'PlaybackUrl', { value: channel.attrPlaybackUrl });
  }
}
