/**
 * The PhysicalResourceId a failed Create answers with when it knows that it imported nothing
 * (CloudFormation requires an id in every answer, FAILED included). The Delete that CloudFormation
 * sends for it after the failed Create succeeds without calling IVS. Every other id that is not a
 * playback-key ARN may hide a key pair whose Create answer was lost.
 */
export const NOTHING_IMPORTED_PHYSICAL_ID = 'cdk-ivs-playback-key-pair:create-failed:nothing-imported';
