import { CfnOutput, Duration, Stack, StackProps, aws_iam as iam, aws_ivs as ivs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GeneratedPlaybackKeyPair } from '../lib';

/** Properties of the generated-key example stack. */
export interface GeneratedKeyStackProps extends StackProps {
  /** The key's generation: raise it to rotate at the next deploy. Default 1. */
  readonly generation?: number;
}

/**
 * An IVS private channel whose key the deploy generates: the private half only in Secrets Manager,
 * rotated every 30 days (and whenever `generation` is raised), and a role for the backend that signs
 * viewer tokens, allowed to read it.
 */
export class GeneratedKeyStack extends Stack {
  constructor(scope: Construct, id: string, props: GeneratedKeyStackProps = {}) {
    super(scope, id, props);

    const key = new GeneratedPlaybackKeyPair(this, 'ViewerKey', {
      generation: props.generation ?? 1,
      // Secrets Manager rotates it between deploys too, keeping the previous key imported.
      rotationSchedule: Duration.days(30),
      tags: { purpose: 'generated-key-example' },
    });
    const channel = new ivs.CfnChannel(this, 'Channel', {
      name: 'generated-key-example',
      authorized: true,
      latencyMode: 'LOW',
    });
    const backend = new iam.Role(this, 'TokenBackendRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    key.grantRead(backend);

    new CfnOutput(this, 'PlaybackKeyPairArn', { value: key.playbackKeyPairArn });
    new CfnOutput(this, 'PreviousPlaybackKeyPairArn', { value: key.previousPlaybackKeyPairArn });
    new CfnOutput(this, 'SecretArn', { value: key.secret.secretArn });
    new CfnOutput(this, 'ChannelArn', { value: channel.attrArn });
    new CfnOutput(this, 'PlaybackUrl', { value: channel.attrPlaybackUrl });
    new CfnOutput(this, 'TokenBackendRoleArn', { value: backend.roleArn });
  }
}
