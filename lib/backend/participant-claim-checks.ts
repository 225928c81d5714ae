/**
 * The checks of each participant token claim, one claim at a time, against what IVS Real-Time accepts: the
 * limits of `CreateParticipantToken` and the claims of AWS's self-signing samples (docs/facts/ivs-real-time.md),
 * shared by signing, verifying and the signer. Messages name the claim and the allowed values; claims are not
 * secret, so short values are quoted.
 */
import { describeValue } from './claim-checks';
import { ParticipantTokenError } from './participant-token-error';
import { IvsArn, parseIvsArn } from '../shared/arn';

export const STAGE_ARN_FORM = 'arn:<partition>:ivs:<region>:<account>:stage/<id>';
export const PUBLIC_KEY_ARN_FORM = 'arn:<partition>:ivs:<region>:<account>:public-key/<id>';
/** `CreateParticipantToken`'s limits: `userId` 0 to 128 characters, `attributes` 1 KB in total. */
export const MAX_USER_ID_LENGTH = 128;
export const MAX_ATTRIBUTES_BYTES = 1024;
/** A participant id (`jti`): 1 to 64 of `[a-zA-Z0-9-_]`. */
const PARTICIPANT_ID = /^[a-zA-Z0-9_-]{1,64}$/;
/** The model's StageEndpoints members are strings of at most 2048 characters. */
const MAX_ENDPOINT_LENGTH = 2048;

/** The stage ARN and its id (the ARN's last segment, the token's `topic`). */
export function checkStageArn(value: unknown, subject: string): IvsArn {
  return checkArn(value, subject, 'stage', `an IVS Real-Time stage ARN of the form ${STAGE_ARN_FORM}`, {
    ':channel/': 'that is a channel ARN, for playback tokens; a participant token names a stage',
    ':public-key/': 'that is a public key ARN, the publicKeyArn; the token names the stage in stageArn',
  });
}

/** The ARN of the public key that verifies the token (its `kid`). */
export function checkPublicKeyArn(value: unknown, subject: string): string {
  checkArn(value, subject, 'public-key', `an IVS Real-Time public key ARN of the form ${PUBLIC_KEY_ARN_FORM}`, {
    ':playback-key/': 'that is a playback key ARN; a participant token names a public key imported into IVS Real-Time',
    ':stage/': 'that is a stage ARN, the stageArn; the token names its key in publicKeyArn',
  });
  return value as string;
}

/** An IVS ARN of `resourceType`, or an error naming `subject`, what is expected and, for a likely mix-up, what it is. */
function checkArn(
  value: unknown,
  subject: string,
  resourceType: 'stage' | 'public-key',
  expected: string,
  mixUps: Record<string, string>,
): IvsArn {
  const arn = typeof value === 'string' ? parseIvsArn(value, resourceType) : undefined;
  if (arn) return arn;
  const mixUp = Object.keys(mixUps).find((segment) => typeof value === 'string' && value.includes(segment));
  throw new ParticipantTokenError(
    `${subject} must be ${expected}; got ${describeValue(value)}${mixUp ? ` (${mixUps[mixUp]})` : ''}`,
  );
}

/** An endpoint of the stage (`events_url`, `whip_url`): an absolute URL, as `GetStage` answers it. */
export function checkEndpointUrl(value: unknown, subject: string, example: string): string {
  if (typeof value === 'string' && value.length <= MAX_ENDPOINT_LENGTH && URL.canParse(value)) {
    return value;
  }
  throw new ParticipantTokenError(
    `${subject} must be an absolute URL of at most ${MAX_ENDPOINT_LENGTH} characters, the stage's endpoint as ` +
      `GetStage answers it (such as ${JSON.stringify(example)}); got ${describeValue(value)}`,
  );
}

export function checkParticipantId(value: unknown, subject: string): string {
  if (typeof value !== 'string' || !PARTICIPANT_ID.test(value)) {
    throw new ParticipantTokenError(
      `${subject} must be 1 to 64 characters of a-z, A-Z, 0-9, "-" and "_"; got ${describeValue(value)}`,
    );
  }
  return value;
}

export function checkUserId(value: unknown, subject: string): string {
  if (typeof value !== 'string' || value.length > MAX_USER_ID_LENGTH) {
    const length = typeof value === 'string' ? ` (${value.length} characters)` : '';
    throw new ParticipantTokenError(
      `${subject} must be a string of at most ${MAX_USER_ID_LENGTH} characters; ` +
        `got ${describeValue(value)}${length}`,
    );
  }
  return value;
}

/** A string map of at most 1 KB as JSON (UTF-8 bytes), as `CreateParticipantToken` allows. */
export function checkAttributes(value: unknown, subject: string): Record<string, string> {
  const allowed = `an object of string values, at most ${MAX_ATTRIBUTES_BYTES} bytes (1 KB) in total as JSON`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParticipantTokenError(`${subject} must be ${allowed}; got ${describeValue(value)}`);
  }
  const notString = Object.entries(value).find(([, entry]) => typeof entry !== 'string');
  if (notString) {
    throw new ParticipantTokenError(
      `${subject} must be ${allowed}; its ${JSON.stringify(notString[0])} is ${describeValue(notString[1])}`,
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_ATTRIBUTES_BYTES) {
    throw new ParticipantTokenError(`${subject} must be ${allowed}; got ${bytes} bytes`);
  }
  return value as Record<string, string>;
}

/** An object with only the given boolean members, each optional. */
export function checkBooleanMembers(
  value: unknown,
  members: readonly string[],
  subject: string,
): Record<string, boolean | undefined> {
  const allowed = `an object with ${members.map((member) => `${member} (true or false)`).join(' and ')}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParticipantTokenError(`${subject} must be ${allowed}; got ${describeValue(value)}`);
  }
  for (const [name, member] of Object.entries(value)) {
    if (!members.includes(name)) {
      throw new ParticipantTokenError(`${subject} must be ${allowed}; it has ${JSON.stringify(name)}`);
    }
    if (typeof member !== 'boolean') {
      throw new ParticipantTokenError(`${subject} must be ${allowed}; its ${name} is ${describeValue(member)}`);
    }
  }
  return value as Record<string, boolean | undefined>;
}

/** Refuses a property outside `known`: a misspelt claim or option would otherwise be dropped without a word. */
export function checkKnownProperties(value: object, known: readonly string[], subject: string): void {
  const unknown = Object.keys(value).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new ParticipantTokenError(
      `${subject} has no property ${JSON.stringify(unknown)}; it takes ${known.join(', ')}`,
    );
  }
}
