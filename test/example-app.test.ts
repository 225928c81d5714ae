import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { generatePlaybackKeyPair } from '../lib/tokens';
import { PrivateChannelStack } from '../bin/private-channel-stack';

test('the example stack has a key pair, an authorized channel and the outputs the walkthrough uses', () => {
  const { publicKeyPem } = generatePlaybackKeyPair();
  const template = Template.fromStack(
    new PrivateChannelStack(new App(), 'IvsPrivateChannelExample', { publicKeyMaterial: publicKeyPem }),
  );
  template.hasResourceProperties('Custom::IvsPlaybackKeyPair', { PublicKeyMaterial: publicKeyPem });
  template.hasResourceProperties('AWS::IVS::Channel', { Authorized: true });
  expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
    'ChannelArn',
    'PlaybackKeyPairArn',
    'PlaybackKeyPairFingerprint',
    'PlaybackUrl',
  ]);
});
