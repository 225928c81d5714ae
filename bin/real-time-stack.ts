import { CfnOutput, Duration, Stack, StackProps, aws_iam as iam, aws_ivs as ivs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GeneratedStagePublicKey } from '../lib';

/**
 * An IVS Real-Time stage whose participant tokens a backend signs itself: a public key the deploy
 * generates (the private half only in Secrets Manager), rotated by Secrets Manager every 30 days with the
 * previous key still imported, and a role for the backend, allowed to read the key and to look up the
 * stage's endpoints (`GetStage`) for the tokens' `events_url` and `whip_url`.
 */
export class RealTimeStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const stage = new ivs.CfnStage(this, 'Stage', { name: 'real-time-example' });
    const key = new GeneratedStagePublicKey(this, 'ParticipantKey', {
      rotationSchedule: Duration.days(30),
      tags: { purpose: 'real-time-example' },
    });
    const backend = new iam.Role(this, 'TokenBackendRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    key.grantRead(backend);
    backend.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ivs:GetStage'], resources: [stage.attrArn] }));

    new CfnOutput(this, 'StageArn', { value: stage.attrArn });
    new CfnOutput(this, 'PublicKeyArn', { value: key.publicKeyArn });
    new CfnOutput(this, 'SecretArn', { value: key.secret.secretArn });
    new CfnOutput(this, 'TokenBackendRoleArn', { value: backend.roleArn });
  }
}
