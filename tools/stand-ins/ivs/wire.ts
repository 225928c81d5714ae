/**
 * The REST-JSON wire format both IVS APIs share (low-latency `ivs` and real-time `ivsrealtime`, both 2020-07-14,
 * both signed for `ivs`): routing a request to an operation as the SDK serializes it, the error shapes and how
 * errors are answered. Sources: docs/facts/ivs-real-time.md and /work/shared/IVS-AND-CLOUDFORMATION-FACTS.md.
 */
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

/** Status of each IVS error shape (note: `PendingVerification` has no `Exception` suffix). */
export const IVS_ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;
export type IvsErrorType = keyof typeof IVS_ERROR_STATUS;

/** An error the stand-in answers with; thrown by the operation handlers. */
export class IvsError extends Error {
  readonly status: number;
  constructor(
    readonly errorType: IvsErrorType,
    message: string,
  ) {
    super(message);
    this.status = IVS_ERROR_STATUS[errorType];
  }
}

export const invalid = (message: string) => new IvsError('ValidationException', message);

/** The operations of one API that the stand-in routes: `POST /<Operation>` ones and the three `/tags/{arn}` ones. */
export interface ApiRoutes<Op extends string> {
  /** Operations sent as `POST /<name>` with a JSON body that may carry `arn`. */
  readonly postOperations: readonly Op[];
  readonly tag: Op;
  readonly untag: Op;
  readonly listTags: Op;
}

export interface ParsedRequest<Op extends string> {
  readonly operation: Op;
  /** The ARN the call addresses: body `arn` or the `/tags/{arn}` path. */
  readonly arn?: string;
  readonly body: Record<string, unknown>;
}

/** Maps method and path to an operation the way the SDK serializes them; undefined for anything else. */
export function parseRequest<Op extends string>(
  routes: ApiRoutes<Op>,
  method: string,
  url: string,
  rawBody: string,
): ParsedRequest<Op> | undefined {
  const { pathname, searchParams } = new URL(url, 'http://stand-in');
  const body = parseJsonObject(rawBody);
  const postOperation = routes.postOperations.find((op) => pathname === `/${op}`);
  if (method === 'POST' && postOperation) {
    return { operation: postOperation, arn: typeof body.arn === 'string' ? body.arn : undefined, body };
  }
  if (!pathname.startsWith('/tags/')) return undefined;
  // The SDK percent-encodes the whole ARN into one segment (`:` -> %3A, `/` -> %2F).
  const arn = decodeArn(pathname.slice('/tags/'.length));
  if (method === 'POST') return { operation: routes.tag, arn, body };
  if (method === 'GET') return { operation: routes.listTags, arn, body };
  if (method === 'DELETE') {
    // Repeated query parameter; the SDK omits it entirely for an empty list.
    const tagKeys = searchParams.has('tagKeys') ? searchParams.getAll('tagKeys') : undefined;
    return { operation: routes.untag, arn, body: { ...body, tagKeys } };
  }
  return undefined;
}

function decodeArn(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw invalid('Request member: resourceArn failed to satisfy the constraints');
  }
}

function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * IVS checks SigV4 before anything else; a client signing for another service gets 403 (not an IVS error shape).
 * Both APIs' clients sign for `ivs` (the models' `signingName`).
 */
export function checkSignatureScope(
  authorization: string | undefined,
): { errorType: string; body: object } | undefined {
  if (!authorization) {
    return { errorType: 'MissingAuthenticationTokenException', body: { message: 'Missing Authentication Token' } };
  }
  if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/ivs\/aws4_request/.test(authorization)) {
    const message = "Credential should be scoped to correct service: 'ivs'";
    return { errorType: 'InvalidSignatureException', body: { message } };
  }
  return undefined;
}

export function send(res: ServerResponse, status: number, body: object, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

/** Errors carry their text in `exceptionMessage`, the one member of every IVS error shape's body. */
export function sendError(res: ServerResponse, error: unknown): void {
  const { status, errorType, message } = asIvsError(error);
  send(res, status, { exceptionMessage: message }, errorType);
}

export function asIvsError(error: unknown): IvsError {
  // Anything unexpected is a bug in the stand-in; answer like AWS would (500) rather than hang the client.
  return error instanceof IvsError ? error : new IvsError('InternalServerException', String(error));
}

export function errorTypeForStatus(status: number): IvsErrorType {
  const match = (Object.keys(IVS_ERROR_STATUS) as IvsErrorType[]).find((type) => IVS_ERROR_STATUS[type] === status);
  if (!match) throw new Error(`No IVS error has status ${status}`);
  return match;
}
