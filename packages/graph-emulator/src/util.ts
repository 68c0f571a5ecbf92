/**
 * Small helpers shared by the Graph emulator modules (no dependencies beyond node:crypto).
 */
import { randomUUID } from 'node:crypto';

/** A GUID in canonical 8-4-4-4-12 form, any case. */
export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Graph's JSON content type (the real service sends the OData parameters; it is still application/json). */
export const JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON value as a message quotes it: a string as it is, anything else as JSON. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

export function newGuid(): string {
  return randomUUID();
}

/** `2026-03-01T10:00:00Z` (Graph's innerError.date has second precision). */
export function graphDate(d: Date = new Date()): string {
  return d.toISOString().slice(0, 19) + 'Z';
}

/** decodeURIComponent that returns undefined instead of throwing on malformed escapes. */
export function safeDecode(s: string): string | undefined {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Parses a query string (without the leading `?`). Names and values are percent-decoded; `+` is NOT
 * treated as a space (OData URLs use %20). Malformed escapes are kept verbatim. Last value wins.
 */
export function parseQuery(qs: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (qs.length === 0) return out;
  for (const part of qs.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const name = safeDecode(rawName) ?? rawName;
    out[name] = safeDecode(rawValue) ?? rawValue;
  }
  return out;
}

export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

/** A reply produced by a Graph handler, independent of transport (plain HTTP or a $batch item). */
export interface GraphReply {
  status: number;
  /** Extra response headers, lower-case names. */
  headers?: Record<string, string>;
  /** JSON-serialisable body; undefined → no body. */
  body?: unknown;
  /** Pre-serialised body text; takes precedence over `body`. `''` means an empty body. */
  raw?: string;
  /** Content type for `raw` (default: Graph's JSON content type). */
  contentType?: string;
}

const DEFAULT_ERRORS: Record<number, [code: string, message: string]> = {
  400: ['BadRequest', 'Bad request.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['Forbidden', 'Insufficient privileges to complete the operation.'],
  404: ['ResourceNotFound', 'Resource not found.'],
  405: ['MethodNotAllowed', 'The HTTP method is not allowed for the requested resource.'],
  409: ['Conflict', 'The request conflicts with the current state of the resource.'],
  412: ['PreconditionFailed', 'The precondition given in the request evaluated to false.'],
  429: ['TooManyRequests', 'Too many requests. The request was throttled; retry later.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  501: ['NotImplemented', 'The requested feature is not implemented.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway timed out waiting for the backend service.'],
  507: ['InsufficientStorage', 'The service does not have enough storage to complete the request.'],
  509: ['BandwidthLimitExceeded', 'The bandwidth limit has been exceeded.'],
};

export function defaultErrorFor(status: number): [code: string, message: string] {
  return DEFAULT_ERRORS[status] ?? ['UnknownError', `The service returned HTTP ${status}.`];
}

/** A Graph-shaped error reply: `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`. */
export function graphError(
  status: number,
  code: string,
  message: string,
  ids: RequestIds,
  headers?: Record<string, string>,
): GraphReply {
  return {
    status,
    headers,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: graphDate(),
          'request-id': ids.requestId,
          'client-request-id': ids.clientRequestId,
        },
      },
    },
  };
}

/** Case-insensitive header lookup on a plain object. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return headers[k];
  return undefined;
}

/** A parsed request body. */
export type BodyInfo =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; text: string };

export function parseBodyText(text: string | undefined): BodyInfo {
  if (text === undefined || text.length === 0) return { kind: 'none' };
  try {
    const value: unknown = JSON.parse(text);
    return { kind: 'json', value };
  } catch {
    return { kind: 'invalid', text };
  }
}

/** One Graph request, independent of transport (a plain HTTP request or a $batch item). */
export interface GraphCall {
  /** Upper-case HTTP method. */
  method: string;
  /** Raw (still percent-encoded) pathname, e.g. /beta/deviceManagement/embeddedSIMActivationCodePools/abc%2F */
  pathname: string;
  query: Record<string, string>;
  body: BodyInfo;
  ids: RequestIds;
}

export function badRequest(message: string, ids: RequestIds): GraphReply {
  return graphError(400, 'BadRequest', message, ids);
}

export function methodNotAllowed(method: string, allow: string, ids: RequestIds): GraphReply {
  return graphError(
    405,
    'MethodNotAllowed',
    `The HTTP method '${method}' is not allowed for the requested resource. Allowed: ${allow}.`,
    ids,
    { allow },
  );
}

/**
 * True when an `@odata.type` value names `expected` (given with its `#`). OData readers accept the
 * type name with and without the leading `#` (Graph's own docs send `microsoft.graph.…` in bodies).
 */
export function isODataType(value: unknown, expected: string): boolean {
  if (typeof value !== 'string') return false;
  const name = expected.startsWith('#') ? expected.slice(1) : expected;
  return value === name || value === '#' + name;
}
