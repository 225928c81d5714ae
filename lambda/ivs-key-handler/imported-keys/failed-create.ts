import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID,
  NOTHING_IMPORTED_PHYSICAL_ID,
  OWNER_TAG_KEY,
} from '../../../lib/shared/contract';
import { fingerprintOf, previousName } from './desired-key-pair';
import { KeySession } from '../ivs-apis/key-session';
import { ownerTagValues } from './owner-tag';

/**
 * CloudFormation needs a physical id in a FAILED answer too, and sends its Delete for that id.
 * An Update or Delete keeps the current one. A failed Create names what may exist: the key pair
 * it imported; "nothing imported" only when IVS refused every Import with an error that proves
 * nothing was created and no key pair of this resource (owner tag, name and key) was seen, so the
 * Delete calls nothing; otherwise (no answer, a 5xx, a 409: IVS holds the key, maybe as ours) an
 * id whose Delete looks for this resource's key pair.
 */
export function physicalIdAfterFailure(event: CloudFormationCustomResourceEvent, ivs: KeySession): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId;
  if (ivs.importedArn) return ivs.importedArn;
  const owners = ownerTagValues(event);
  const name = previousName(event.ResourceProperties);
  const fingerprint = fingerprintOf(event.ResourceProperties);
  const ownKeySeen = [...ivs.fetched.values()].some(
    (keyPair) =>
      owners.includes(keyPair.tags[OWNER_TAG_KEY]) && keyPair.name === name && keyPair.fingerprint === fingerprint,
  );
  return ivs.importOutcomeUnknown || ivs.importConflicted || ownKeySeen
    ? IMPORT_OUTCOME_UNKNOWN_PHYSICAL_ID
    : NOTHING_IMPORTED_PHYSICAL_ID;
}
