package io.github.cdkivsplaybackkeypair.example;

import io.github.cdkivsplaybackkeypair.PlaybackKeyPair;
import io.github.cdkivsplaybackkeypair.PlaybackKeyPairOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ivs.CfnChannel;
import software.constructs.Construct;

/**
 * The example app's stack (bin/private-channel-stack.ts) written in Java against the binding that
 * `npm run package` builds. Arguments: the public key's PEM file; synthesizes into CDK_OUTDIR.
 * A key that the construct refuses makes it print the error's message and exit with status 3.
 */
public final class PrivateChannelApp {
    /** An IVS private channel: a playback key pair, and a channel that only plays with a signed token. */
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

            CfnOutput.Builder.create(this, "PlaybackKeyPairArn").value(key.getPlaybackKeyPairArn()).build();
            CfnOutput.Builder.create(this, "PlaybackKeyPairFingerprint").value(key.getPlaybackKeyPairFingerprint()).build();
            CfnOutput.Builder.create(this, "ChannelArn").value(channel.getAttrArn()).build();
            CfnOutput.Builder.create(this, "PlaybackUrl").value(channel.getAttrPlaybackUrl()).build();
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
        app.synth();
    }

    private PrivateChannelApp() {
    }
}
