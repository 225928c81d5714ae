"""The example app's stacks (bin/private-channel-stack.ts, bin/generated-key-stack.ts with
generation 2, bin/real-time-stack.ts) and a stack of one StagePublicKey, written in Python against the
binding that `npm run package` builds.
Usage: python app.py <public-key.pem>; synthesizes into CDK_OUTDIR.
A key that the construct refuses makes it print the error's message and exit with status 3."""
import sys

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ivs as ivs
from constructs import Construct

from cdk_ivs_playback_key_pair import (
    GeneratedPlaybackKeyPair,
    GeneratedStagePublicKey,
    PlaybackKeyPair,
    StagePublicKey,
)


class PrivateChannelStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, public_key_material: str) -> None:
        super().__init__(scope, construct_id)

        key = PlaybackKeyPair(self, "PlaybackKey", public_key_material,
                              tags={"purpose": "private-channel-example"})
        channel = ivs.CfnChannel(self, "Channel",
                                 name="private-channel-example",
                                 authorized=True,
                                 latency_mode="LOW")
        stream_key = ivs.CfnStreamKey(self, "StreamKey", channel_arn=channel.attr_arn)

        cdk.CfnOutput(self, "PlaybackKeyPairArn", value=key.playback_key_pair_arn)
        cdk.CfnOutput(self, "PlaybackKeyPairFingerprint", value=key.playback_key_pair_fingerprint)
        cdk.CfnOutput(self, "ChannelArn", value=channel.attr_arn)
        cdk.CfnOutput(self, "PlaybackUrl", value=channel.attr_playback_url)
        cdk.CfnOutput(self, "IngestEndpoint", value=channel.attr_ingest_endpoint,
                      description="Stream to rtmps://<IngestEndpoint>:443/app/ with the stream key.")
        cdk.CfnOutput(self, "StreamKeyArn", value=stream_key.attr_arn,
                      description="The stream key is a secret: read it with aws ivs get-stream-key --arn <StreamKeyArn>.")


class GeneratedKeyStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, generation: int) -> None:
        super().__init__(scope, construct_id)

        key = GeneratedPlaybackKeyPair(self, "ViewerKey", generation=generation,
                                       rotation_schedule=cdk.Duration.days(30),
                                       tags={"purpose": "generated-key-example"})
        channel = ivs.CfnChannel(self, "Channel",
                                 name="generated-key-example",
                                 authorized=True,
                                 latency_mode="LOW")
        backend = iam.Role(self, "TokenBackendRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        key.grant_read(backend)

        cdk.CfnOutput(self, "PlaybackKeyPairArn", value=key.playback_key_pair_arn)
        cdk.CfnOutput(self, "PreviousPlaybackKeyPairArn", value=key.previous_playback_key_pair_arn)
        cdk.CfnOutput(self, "SecretArn", value=key.secret.secret_arn)
        cdk.CfnOutput(self, "ChannelArn", value=channel.attr_arn)
        cdk.CfnOutput(self, "PlaybackUrl", value=channel.attr_playback_url)
        cdk.CfnOutput(self, "TokenBackendRoleArn", value=backend.role_arn)


class RealTimeStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)

        stage = ivs.CfnStage(self, "Stage", name="real-time-example")
        key = GeneratedStagePublicKey(self, "ParticipantKey",
                                      rotation_schedule=cdk.Duration.days(30),
                                      tags={"purpose": "real-time-example"})
        backend = iam.Role(self, "TokenBackendRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        key.grant_read(backend)
        backend.add_to_principal_policy(iam.PolicyStatement(actions=["ivs:GetStage"], resources=[stage.attr_arn]))

        cdk.CfnOutput(self, "StageArn", value=stage.attr_arn)
        cdk.CfnOutput(self, "PublicKeyArn", value=key.public_key_arn)
        cdk.CfnOutput(self, "SecretArn", value=key.secret.secret_arn)
        cdk.CfnOutput(self, "TokenBackendRoleArn", value=backend.role_arn)


class StagePublicKeyStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, public_key_material: str) -> None:
        super().__init__(scope, construct_id)

        key = StagePublicKey(self, "StageKey", public_key_material,
                             public_key_name="stage-key", tags={"team": "rt"})

        cdk.CfnOutput(self, "PublicKeyArn", value=key.public_key_arn)
        cdk.CfnOutput(self, "PublicKeyFingerprint", value=key.public_key_fingerprint)


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as pem:
        public_key_material = pem.read()
    app = cdk.App()
    try:
        PrivateChannelStack(app, "IvsPrivateChannelExample", public_key_material=public_key_material)
    except RuntimeError as error:  # how jsii delivers an error thrown in the construct
        print(error, file=sys.stderr)
        return 3
    GeneratedKeyStack(app, "IvsGeneratedKeyExample", generation=2)
    RealTimeStack(app, "IvsRealTimeExample")
    StagePublicKeyStack(app, "IvsStagePublicKeyExample", public_key_material=public_key_material)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
