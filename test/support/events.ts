/**
 * Fixtures for the handler tests: keys, CloudFormation custom-resource events as CloudFormation
 * sends them to the handler, IVS answers and IVS errors shaped exactly as `@aws-sdk/client-ivs` raises them.
 */
import { randomUUID, createHash, createPublicKey, KeyObject } from 'node:crypto';
import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  PendingVerification,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-ivs';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { OWNER_TAG_KEY } from '../../lib/shared/contract';
import { p384, wrongKeys } from './keys';

export const ACCOUNT = '123456789012';
export const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/MyStack/4f5d8a2e-3c1b-11ef-9a6e-0a1b2c3d4e5f`;
/** Another stack's id: another deployment of the same app (same logical ids) in the same region. */
export const OTHER_STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/OtherStack/9e8d7c6b-3c1b-11ef-9a6e-0a1b2c3d4e5f`;
export const LOGICAL_ID = 'KeyResourceA1B2C3D4';
export const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/secret-presigned';
export const SERVICE_TOKEN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:MyStack-PlaybackKeyPairProviderOnEvent-AbCdEf123456`;
export const RESOURCE_TYPE = 'Custom::IvsPlaybackKeyPair';

/**
 * The key kind the events and ARNs of this module are made for: playback key pairs unless a suite
 * of both kinds (mocked-ivs.ts, `useMockedKind`) sets another for its tests.
 */
const eventKind = { resourceType: RESOURCE_TYPE, arnResource: 'playback-key' };

/** Makes `createEvent` & co. and `keyArn` speak of another kind of key (`undefined`: playback key pairs again). */
export function setEventKind(kind?: { readonly resourceType: string; readonly arnResource: string }): void {
  eventKind.resourceType = kind?.resourceType ?? RESOURCE_TYPE;
  eventKind.arnResource = kind?.arnResource ?? 'playback-key';
}

/** The owner tag the handler puts on the key pairs of `STACK_ID`/`LOGICAL_ID`. */
export const OWNER_TAG = { [OWNER_TAG_KEY]: `${STACK_ID}/${LOGICAL_ID}` };

/** A key ARN in the test account: a playback key pair's, or of the kind `setEventKind` set. */
export function keyArn(id: string): string {
  return `arn:aws:ivs:us-east-1:${ACCOUNT}:${eventKind.arnResource}/${id}`;
}

/** Every PEM made here, so tests can check that none of them ever leaks into a message or a log line. */
const madePems: string[] = [];

function remember(pem: string): string {
  madePems.push(pem);
  return pem;
}

/** The base64 lines of every PEM made by this module (public and private halves). */
export function allPemBodyLines(): string[] {
  return madePems.flatMap(pemBodyLines);
}

/** The base64 lines of a PEM (without the BEGIN/END lines). */
export function pemBodyLines(pem: string): string[] {
  return pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('-----'));
}

/** An ECDSA P-384 key pair as IVS wants it, with the fingerprint computed independently of the handler. */
export interface TestKey {
  /** SubjectPublicKeyInfo PEM of the public half. */
  readonly pem: string;
  /** PKCS#8 PEM of the private half (must never be echoed). */
  readonly privatePem: string;
  /** MD5 of the DER SubjectPublicKeyInfo, colon-separated lowercase hex, as IVS reports it. */
  readonly fingerprint: string;
}

export function p384Key(): TestKey {
  const { publicKeyPem, privateKeyPem, privateKey } = p384();
  return {
    pem: remember(publicKeyPem),
    privatePem: remember(privateKeyPem),
    fingerprint: md5Fingerprint(createPublicKey(privateKey)),
  };
}

function md5Fingerprint(publicKey: KeyObject): string {
  const hex = createHash('md5')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** Key material IVS would reject. */
export const rejectedKeys = {
  p256: () => remember(wrongKeys.p256()),
  rsa: () => remember(wrongKeys.rsa()),
  /** A P-384 private key in PKCS#8, as `openssl genpkey` writes it. */
  pkcs8Private: () => remember(p384().privateKeyPem),
  /** A P-384 private key as `openssl ecparam -genkey` writes it ("EC PRIVATE KEY"). */
  sec1Private: () => remember(wrongKeys.sec1Private()),
};

/** The same key, formatted differently: line endings, wrapping, surrounding whitespace. */
export const reformatted = {
  crlf: (pem: string) => pem.replace(/\n/g, '\r\n'),
  noTrailingNewline: (pem: string) => pem.trimEnd(),
  unwrapped: (pem: string) => `-----BEGIN PUBLIC KEY-----\n${pemBodyLines(pem).join('')}\n-----END PUBLIC KEY-----\n`,
  wrappedAt40: (pem: string) =>
    `-----BEGIN PUBLIC KEY-----\n${pemBodyLines(pem)
      .join('')
      .match(/.{1,40}/g)!
      .join('\n')}\n-----END PUBLIC KEY-----`,
  blankLinesAround: (pem: string) => `\n\n${pem}\n\n`,
};

/** The resource properties the construct writes into the template (all scalars are strings). */
export interface KeyPairProps {
  readonly PublicKeyMaterial: string;
  readonly Name?: string;
  readonly Tags?: Record<string, string> | Array<{ Key: string; Value: string }>;
}

/** Properties for `key`, named `name`, with `tags` (omitted when undefined). */
export function props(
  key: TestKey | string,
  name: string | undefined = 'my-key',
  tags?: Record<string, string>,
): KeyPairProps {
  return {
    PublicKeyMaterial: typeof key === 'string' ? key : key.pem,
    ...(name === undefined ? {} : { Name: name }),
    ...(tags === undefined ? {} : { Tags: tags }),
  };
}

/** Which stack and logical resource an event is for. */
export interface Identity {
  readonly stackId?: string;
  readonly logicalId?: string;
}

function common(resourceProps: KeyPairProps, identity: Identity) {
  return {
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: RESPONSE_URL,
    StackId: identity.stackId ?? STACK_ID,
    RequestId: randomUUID(),
    LogicalResourceId: identity.logicalId ?? LOGICAL_ID,
    ResourceType: eventKind.resourceType,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...resourceProps },
  };
}

export function createEvent(
  resourceProps: KeyPairProps,
  identity: Identity = {},
): CloudFormationCustomResourceCreateEvent {
  return { RequestType: 'Create', ...common(resourceProps, identity) };
}

/** An Update from `oldProps` to `newProps`; a rollback is an Update with the two swapped. */
export function updateEvent(
  oldProps: KeyPairProps,
  newProps: KeyPairProps,
  physicalResourceId: string,
  identity: Identity = {},
): CloudFormationCustomResourceUpdateEvent {
  return {
    RequestType: 'Update',
    ...common(newProps, identity),
    PhysicalResourceId: physicalResourceId,
    OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...oldProps },
  };
}

export function deleteEvent(
  resourceProps: KeyPairProps,
  physicalResourceId: string,
  identity: Identity = {},
): CloudFormationCustomResourceDeleteEvent {
  return { RequestType: 'Delete', ...common(resourceProps, identity), PhysicalResourceId: physicalResourceId };
}

/** A key pair as IVS describes it (Import and Get answers). */
export interface IvsKeyPair {
  readonly arn: string;
  readonly name: string;
  readonly fingerprint: string;
  readonly tags: Record<string, string>;
}

export function ivsKeyPair(
  arn: string,
  key: TestKey,
  name = 'my-key',
  tags: Record<string, string> = { ...OWNER_TAG },
): IvsKeyPair {
  return { arn, name, fingerprint: key.fingerprint, tags };
}

/** The ListPlaybackKeyPairs summary of a key pair: no fingerprint. */
export function summary({ arn, name, tags }: IvsKeyPair): Omit<IvsKeyPair, 'fingerprint'> {
  return { arn, name, tags };
}

/**
 * IVS errors as the SDK's deserializer builds them: the class for the `x-amzn-ErrorType`, HTTP status
 * in `$metadata`, `message` left at "UnknownError", the body's words in `exceptionMessage`.
 * A new instance each time: the handler rewrites `message` on the error it receives.
 */
export const ivsErrors = {
  conflict: (exceptionMessage = 'Updating or deleting a resource can cause an inconsistent state.') =>
    new ConflictException({ $metadata: { httpStatusCode: 409 }, message: 'UnknownError', exceptionMessage }),
  notFound: (exceptionMessage = 'The specified resource was not found.') =>
    new ResourceNotFoundException({ $metadata: { httpStatusCode: 404 }, message: 'UnknownError', exceptionMessage }),
  quota: (exceptionMessage = 'You have reached the maximum number of playback key pairs.') =>
    new ServiceQuotaExceededException({
      $metadata: { httpStatusCode: 402 },
      message: 'UnknownError',
      exceptionMessage,
    }),
  accessDenied: (
    exceptionMessage = `User: arn:aws:sts::${ACCOUNT}:assumed-role/OnEventRole/fn is not authorized to perform: ivs:ImportPlaybackKeyPair`,
  ) => new AccessDeniedException({ $metadata: { httpStatusCode: 403 }, message: 'UnknownError', exceptionMessage }),
  validation: (exceptionMessage = 'Request member: publicKeyMaterial failed to satisfy the constraints') =>
    new ValidationException({ $metadata: { httpStatusCode: 400 }, message: 'UnknownError', exceptionMessage }),
  pendingVerification: (exceptionMessage = 'Your account is pending verification.') =>
    new PendingVerification({ $metadata: { httpStatusCode: 403 }, message: 'UnknownError', exceptionMessage }),
  internal: (exceptionMessage = 'Unexpected error during processing of request.') =>
    new InternalServerException({ $metadata: { httpStatusCode: 500 }, message: 'UnknownError', exceptionMessage }),
  /** Thrown after the SDK's retries gave up; a body without exceptionMessage. */
  throttlingWithoutBody: () =>
    new ThrottlingException({ $metadata: { httpStatusCode: 429, attempts: 10 }, message: 'UnknownError' }),
};
