package io.github.cdkivsplaybackkeypair.example;

import io.github.cdkivsplaybackkeypair.GeneratedPlaybackKeyPair;
import io.github.cdkivsplaybackkeypair.GeneratedPlaybackKeyPairProps;
import io.github.cdkivsplaybackkeypair.GeneratedStagePublicKey;
import io.github.cdkivsplaybackkeypair.GeneratedStagePublicKeyProps;
import io.github.cdkivsplaybackkeypair.PlaybackKeyPair;
import io.github.cdkivsplaybackkeypair.PlaybackKeyPairOptions;
import io.github.cdkivsplaybackkeypair.StagePublicKey;
import io.github.cdkivsplaybackkeypair.StagePublicKeyOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.ivs.CfnChannel;
import software.amazon.awscdk.services.ivs.CfnStage;
import software.amazon.awscdk.services.ivs.CfnStreamKey;
import software.constructs.Construct;

/**
 * The example app's stacks (bin/private-channel-stack.ts, bin/generated-key-stack.ts with generation 2,
 * bin/real-time-stack.ts) and a stack of one StagePublicKey, written in Java against the binding that
 * `npm run package` builds. Arguments: the public key's PEM file; synthesizes into CDK_OUTDIR.
 * A key that the construct refuses makes it print the error's message and exit with status 3.
 */
public final class PrivateChannelApp {
    /** An IVS private channel that really plays: a playback key pair, a channel that only plays with a signed token, and a stream key. */
    static final class PrivateChannelStack extends Stack {
        PrivateChannelStack(final Construct scope, final String id, final String publicKeyMaterial) {
            super(scope, id);

            PlaybackKeyPair key = new PlaybackKeyPair(this, "PlaybackKey", publicKeyMaterial,
                    PlaybackKeyPairOptions.builder().tags(Map.of("purpose", "private-channel-example")).build());
            CfnChannel channel = CfnChannel.Builder.create(this, "Channel")
                    .name("private-channel-example")
                    .authorized(true)
                    .latencyMode("LOW")
                    .build();
            CfnStreamKey streamKey = CfnStreamKey.Builder.create(this, "StreamKey").channelArn(channel.getAttrArn()).build();

            CfnOutput.Builder.create(this, "PlaybackKeyPairArn").value(key.getPlaybackKeyPairArn()).build();
            CfnOutput.Builder.create(this, "PlaybackKeyPairFingerprint").value(key.getPlaybackKeyPairFingerprint()).build();
            CfnOutput.Builder.create(this, "ChannelArn").value(channel.getAttrArn()).build();
            CfnOutput.Builder.create(this, "PlaybackUrl").value(channel.getAttrPlaybackUrl()).build();
            CfnOutput.Builder.create(this, "IngestEndpoint").value(channel.getAttrIngestEndpoint())
                    .description("Stream to rtmps://<IngestEndpoint>:443/app/ with the stream key.").build();
            CfnOutput.Builder.create(this, "StreamKeyArn").value(streamKey.getAttrArn())
                    .description("The stream key is a secret: read it with aws ivs get-stream-key --arn <StreamKeyArn>.").build();
        }
    }

    /** An IVS private channel whose key the deploy generates, and a backend role that may read it. */
    static final class GeneratedKeyStack extends Stack {
        GeneratedKeyStack(final Construct scope, final String id, final int generation) {
            super(scope, id);

            GeneratedPlaybackKeyPair key = new GeneratedPlaybackKeyPair(this, "ViewerKey", GeneratedPlaybackKeyPairProps.builder()
                    .generation(generation)
                    .rotationSchedule(Duration.days(30))
                    .tags(Map.of("purpose", "generated-key-example"))
                    .build());
            CfnChannel channel = CfnChannel.Builder.create(this, "Channel")
                    .name("generated-key-example")
                    .authorized(true)
                    .latencyMode("LOW")
                    .build();
            Role backend = Role.Builder.create(this, "TokenBackendRole").assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build();
            key.grantRead(backend);

            CfnOutput.Builder.create(this, "PlaybackKeyPairArn").value(key.getPlaybackKeyPairArn()).build();
            CfnOutput.Builder.create(this, "PreviousPlaybackKeyPairArn").value(key.getPreviousPlaybackKeyPairArn()).build();
            CfnOutput.Builder.create(this, "SecretArn").value(key.getSecret().getSecretArn()).build();
            CfnOutput.Builder.create(this, "ChannelArn").value(channel.getAttrArn()).build();
            CfnOutput.Builder.create(this, "PlaybackUrl").value(channel.getAttrPlaybackUrl()).build();
            CfnOutput.Builder.create(this, "TokenBackendRoleArn").value(backend.getRoleArn()).build();
        }
    }

    /** An IVS Real-Time stage with a generated public key, rotated every 30 days, and a backend role that may read it. */
    static final class RealTimeStack extends Stack {
        RealTimeStack(final Construct scope, final String id) {
            super(scope, id);

            CfnStage stage = CfnStage.Builder.create(this, "Stage").name("real-time-example").build();
            GeneratedStagePublicKey key = new GeneratedStagePublicKey(this, "ParticipantKey", GeneratedStagePublicKeyProps.builder()
                    .rotationSchedule(Duration.days(30))
                    .tags(Map.of("purpose", "real-time-example"))
                    .build());
            Role backend = Role.Builder.create(this, "TokenBackendRole").assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build();
            key.grantRead(backend);
            backend.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("ivs:GetStage"))
                    .resources(List.of(stage.getAttrArn()))
                    .build());

            CfnOutput.Builder.create(this, "StageArn").value(stage.getAttrArn()).build();
            CfnOutput.Builder.create(this, "PublicKeyArn").value(key.getPublicKeyArn()).build();
            CfnOutput.Builder.create(this, "SecretArn").value(key.getSecret().getSecretArn()).build();
            CfnOutput.Builder.create(this, "TokenBackendRoleArn").value(backend.getRoleArn()).build();
        }
    }

    /** A public key you bring, imported into IVS Real-Time. */
    static final class StagePublicKeyStack extends Stack {
        StagePublicKeyStack(final Construct scope, final String id, final String publicKeyMaterial) {
            super(scope, id);

            StagePublicKey key = new StagePublicKey(this, "StageKey", publicKeyMaterial,
                    StagePublicKeyOptions.builder().publicKeyName("stage-key").tags(Map.of("team", "rt")).build());

            CfnOutput.Builder.create(this, "PublicKeyArn").value(key.getPublicKeyArn()).build();
            CfnOutput.Builder.create(this, "PublicKeyFingerprint").value(key.getPublicKeyFingerprint()).build();
        }
    }

    public static void main(final String[] args) throws Exception {
        String publicKeyMaterial = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        App app = new App();
        try {
            new PrivateChannelStack(app, "IvsPrivateChannelExample", publicKeyMaterial);
        } catch (RuntimeException error) { // how jsii delivers an error thrown in the construct
            System.err.println(error.getMessage());
            System.exit(3);
        }
        new GeneratedKeyStack(app, "IvsGeneratedKeyExample", 2);
        new RealTimeStack(app, "IvsRealTimeExample");
        new StagePublicKeyStack(app, "IvsStagePublicKeyExample", publicKeyMaterial);
        app.synth();
    }

    private PrivateChannelApp() {
    }
}
