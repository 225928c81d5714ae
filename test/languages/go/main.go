// The example app's stacks (bin/private-channel-stack.ts, bin/generated-key-stack.ts with generation 2,
// bin/real-time-stack.ts) and a stack of one StagePublicKey, written in Go against the binding that
// `npm run package` builds. Usage: go run . <public-key.pem>; synthesizes into CDK_OUTDIR.
// A key that the construct refuses makes it print the error's message and exit with status 3.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsivs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-ivs-playback-key-pair/cdk-ivs-playback-key-pair-go/cdkivsplaybackkeypair"
)

// NewPrivateChannelStack builds an IVS private channel that really plays: a playback key pair, a
// channel that only plays with a signed token, and a stream key to send it video.
func NewPrivateChannelStack(scope constructs.Construct, id string, publicKeyMaterial string) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), nil)

	key := cdkivsplaybackkeypair.NewPlaybackKeyPair(stack, jsii.String("PlaybackKey"), jsii.String(publicKeyMaterial),
		&cdkivsplaybackkeypair.PlaybackKeyPairOptions{
			Tags: &map[string]*string{"purpose": jsii.String("private-channel-example")},
		})
	channel := awsivs.NewCfnChannel(stack, jsii.String("Channel"), &awsivs.CfnChannelProps{
		Name:        jsii.String("private-channel-example"),
		Authorized:  jsii.Bool(true),
		LatencyMode: jsii.String("LOW"),
	})
	streamKey := awsivs.NewCfnStreamKey(stack, jsii.String("StreamKey"), &awsivs.CfnStreamKeyProps{ChannelArn: channel.AttrArn()})

	awscdk.NewCfnOutput(stack, jsii.String("PlaybackKeyPairArn"), &awscdk.CfnOutputProps{Value: key.PlaybackKeyPairArn()})
	awscdk.NewCfnOutput(stack, jsii.String("PlaybackKeyPairFingerprint"), &awscdk.CfnOutputProps{Value: key.PlaybackKeyPairFingerprint()})
	awscdk.NewCfnOutput(stack, jsii.String("ChannelArn"), &awscdk.CfnOutputProps{Value: channel.AttrArn()})
	awscdk.NewCfnOutput(stack, jsii.String("PlaybackUrl"), &awscdk.CfnOutputProps{Value: channel.AttrPlaybackUrl()})
	awscdk.NewCfnOutput(stack, jsii.String("IngestEndpoint"), &awscdk.CfnOutputProps{
		Value:       channel.AttrIngestEndpoint(),
		Description: jsii.String("Stream to rtmps://<IngestEndpoint>:443/app/ with the stream key."),
	})
	awscdk.NewCfnOutput(stack, jsii.String("StreamKeyArn"), &awscdk.CfnOutputProps{
		Value:       streamKey.AttrArn(),
		Description: jsii.String("The stream key is a secret: read it with aws ivs get-stream-key --arn <StreamKeyArn>."),
	})
	return stack
}

// NewGeneratedKeyStack builds an IVS private channel whose key the deploy generates, and a backend
// role that may read it.
func NewGeneratedKeyStack(scope constructs.Construct, id string, generation float64) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), nil)

	key := cdkivsplaybackkeypair.NewGeneratedPlaybackKeyPair(stack, jsii.String("ViewerKey"),
		&cdkivsplaybackkeypair.GeneratedPlaybackKeyPairProps{
			Generation:       jsii.Number(generation),
			RotationSchedule: awscdk.Duration_Days(jsii.Number(30)),
			Tags:             &map[string]*string{"purpose": jsii.String("generated-key-example")},
		})
	channel := awsivs.NewCfnChannel(stack, jsii.String("Channel"), &awsivs.CfnChannelProps{
		Name:        jsii.String("generated-key-example"),
		Authorized:  jsii.Bool(true),
		LatencyMode: jsii.String("LOW"),
	})
	backend := awsiam.NewRole(stack, jsii.String("TokenBackendRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	key.GrantRead(backend)

	awscdk.NewCfnOutput(stack, jsii.String("PlaybackKeyPairArn"), &awscdk.CfnOutputProps{Value: key.PlaybackKeyPairArn()})
	awscdk.NewCfnOutput(stack, jsii.String("PreviousPlaybackKeyPairArn"), &awscdk.CfnOutputProps{Value: key.PreviousPlaybackKeyPairArn()})
	awscdk.NewCfnOutput(stack, jsii.String("SecretArn"), &awscdk.CfnOutputProps{Value: key.Secret().SecretArn()})
	awscdk.NewCfnOutput(stack, jsii.String("ChannelArn"), &awscdk.CfnOutputProps{Value: channel.AttrArn()})
	awscdk.NewCfnOutput(stack, jsii.String("PlaybackUrl"), &awscdk.CfnOutputProps{Value: channel.AttrPlaybackUrl()})
	awscdk.NewCfnOutput(stack, jsii.String("TokenBackendRoleArn"), &awscdk.CfnOutputProps{Value: backend.RoleArn()})
	return stack
}

// NewRealTimeStack builds an IVS Real-Time stage with a generated public key for participant tokens,
// rotated every 30 days, and a backend role that may read the key and look up the stage.
func NewRealTimeStack(scope constructs.Construct, id string) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), nil)

	stage := awsivs.NewCfnStage(stack, jsii.String("Stage"), &awsivs.CfnStageProps{Name: jsii.String("real-time-example")})
	key := cdkivsplaybackkeypair.NewGeneratedStagePublicKey(stack, jsii.String("ParticipantKey"),
		&cdkivsplaybackkeypair.GeneratedStagePublicKeyProps{
			RotationSchedule: awscdk.Duration_Days(jsii.Number(30)),
			Tags:             &map[string]*string{"purpose": jsii.String("real-time-example")},
		})
	backend := awsiam.NewRole(stack, jsii.String("TokenBackendRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	key.GrantRead(backend)
	backend.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ivs:GetStage"),
		Resources: &[]*string{stage.AttrArn()},
	}))

	awscdk.NewCfnOutput(stack, jsii.String("StageArn"), &awscdk.CfnOutputProps{Value: stage.AttrArn()})
	awscdk.NewCfnOutput(stack, jsii.String("PublicKeyArn"), &awscdk.CfnOutputProps{Value: key.PublicKeyArn()})
	awscdk.NewCfnOutput(stack, jsii.String("SecretArn"), &awscdk.CfnOutputProps{Value: key.Secret().SecretArn()})
	awscdk.NewCfnOutput(stack, jsii.String("TokenBackendRoleArn"), &awscdk.CfnOutputProps{Value: backend.RoleArn()})
	return stack
}

// NewStagePublicKeyStack imports a public key you bring into IVS Real-Time.
func NewStagePublicKeyStack(scope constructs.Construct, id string, publicKeyMaterial string) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), nil)

	key := cdkivsplaybackkeypair.NewStagePublicKey(stack, jsii.String("StageKey"), jsii.String(publicKeyMaterial),
		&cdkivsplaybackkeypair.StagePublicKeyOptions{
			PublicKeyName: jsii.String("stage-key"),
			Tags:          &map[string]*string{"team": jsii.String("rt")},
		})

	awscdk.NewCfnOutput(stack, jsii.String("PublicKeyArn"), &awscdk.CfnOutputProps{Value: key.PublicKeyArn()})
	awscdk.NewCfnOutput(stack, jsii.String("PublicKeyFingerprint"), &awscdk.CfnOutputProps{Value: key.PublicKeyFingerprint()})
	return stack
}

func main() {
	defer jsii.Close()
	pem, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	app := awscdk.NewApp(nil)
	if message := tryNewStack(app, string(pem)); message != "" {
		fmt.Fprintln(os.Stderr, message)
		jsii.Close()
		os.Exit(3)
	}
	NewGeneratedKeyStack(app, "IvsGeneratedKeyExample", 2)
	NewRealTimeStack(app, "IvsRealTimeExample")
	NewStagePublicKeyStack(app, "IvsStagePublicKeyExample", string(pem))
	app.Synth(nil)
}

// tryNewStack returns the message of the error the construct threw, if any: jsii delivers it as a panic.
func tryNewStack(app awscdk.App, publicKeyMaterial string) (message string) {
	defer func() {
		if recovered := recover(); recovered != nil {
			message = fmt.Sprint(recovered)
		}
	}()
	NewPrivateChannelStack(app, "IvsPrivateChannelExample", publicKeyMaterial)
	return ""
}
