/**
 * The PhysicalResourceId a failed Create answers with when it knows that it imported nothing
 * (CloudFormation requires an id in every answer, FAILED included). The Delete that CloudFormation
 * sends for it after the failed Create succeeds without calling IVS. Every other id that is not a
 * playback-key ARN may hide a key pair whose Create answer was lost.
 */
export const NOTHING_IMPORTED_PHYSICAL_ID = 'cdk-ivs-playback-key-pair:create-failed:nothing-imported';

/**
 * The PhysicalResourceId a failed Create answers with when an Import may have created a key pair
 * without the handler learning its ARN (no answer from IVS, the handler's deadline, a 5xx), or when
 * it saw a key pair carrying this resource's owner tag. Not an ARN, and not
 * `NOTHING_IMPORTED_PHYSICAL_ID`: the Delete for it looks for this resource's key pairs by owner tag.
 */
export const IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID = 'cdk-ivs-playback-key-pair:create-failed:import-outcome-unknown';
