/** The one error type of the Graph client layer: whatever goes wrong talking to Graph becomes a GraphError. */
import { isRecord, tryParseJson } from './json';

export type GraphErrorKind =
  /** Graph answered with an HTTP error status. */
  | 'http'
  /** Throttled (429) and the retry budget or deadline ran out. */
  | 'throttled'
  /** The deadline passed or a connect/headers/body timeout fired. */
  | 'timeout'
  /** The connection failed or was reset. */
  | 'network'
  /** Graph answered, but not with what the operation returns. */
  | 'invalid-response'
  /** No token could be obtained for Graph. */
  | 'credential'
  /** The caller went away (aborted) before Graph answered. */
  | 'aborted'
  /** A client-side limit (bulkhead, write budget) refused the call before it was sent. */
  | 'rejected';

const GRAPH_ERROR_BRAND = Symbol.for('esim-pools-subgraph.GraphError');

/** What a GraphError carries besides its message; `cause` is the Error's own. */
export type GraphErrorInit = Partial<Omit<GraphError, keyof Error | 'kind' | typeof GRAPH_ERROR_BRAND>> & {
  kind: GraphErrorKind;
  cause?: unknown;
};

export class GraphError extends Error {
  override readonly name = 'GraphError';
  declare readonly kind: GraphErrorKind;
  /** HTTP status Graph answered with, when it answered. */
  declare readonly status?: number;
  /** Graph's `error.code` (e.g. `ResourceNotFound`), when it sent one. */
  declare readonly code?: string;
  /** Graph's `request-id` (from the reply's header or `innerError`). */
  declare readonly requestId?: string;
  /** The `client-request-id` this client sent (Graph echoes it). */
  declare readonly clientRequestId?: string;
  /** Graph's `innerError.date`. */
  declare readonly date?: string;
  /** How long Graph asked us to wait, when throttled. */
  declare readonly retryAfterSeconds?: number;
  /** The credential failure class, for credential errors: mapped to UNAUTHENTICATED or FORBIDDEN. */
  declare readonly credentialFailure?: 'unauthenticated' | 'forbidden' | 'unavailable';
  /** For network errors: the connection failed before any reply, so the call may be repeated. */
  declare readonly beforeReply?: boolean;
  /** The request body property Graph's error named, e.g. `activationCodes[3].matchingIdentifier` (see redactedBodyError). */
  declare readonly field?: string;
  readonly [GRAPH_ERROR_BRAND] = true;

  constructor(message: string, { cause, ...fields }: GraphErrorInit) {
    super(message, cause === undefined ? undefined : { cause });
    Object.assign(this, fields);
  }
}

/** True for any GraphError, also across copies of this module. */
export function isGraphError(value: unknown): value is GraphError {
  return typeof value === 'object' && value !== null && GRAPH_ERROR_BRAND in value && value[GRAPH_ERROR_BRAND] === true;
}

const MAX_MESSAGE_LENGTH = 300;

/** Graph's error body `{error:{code,message,innerError}}` as a GraphError; any other body is never echoed. */
export function graphErrorFromReply(
  status: number,
  bodyText: string,
  headers: { requestId?: string; clientRequestId?: string; retryAfterSeconds?: number },
): GraphError {
  const parsed = tryParseJson(bodyText);
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  const inner = isRecord(error?.innerError) ? error.innerError : isRecord(error?.innererror) ? error.innererror : undefined;
  const message = stringOrUndefined(error?.message);
  return new GraphError(message !== undefined ? truncate(message) : `Microsoft Graph answered HTTP ${status}${error ? '' : ' without a Graph error body'}.`, {
    kind: status === 429 ? 'throttled' : 'http',
    status,
    code: error ? stringOrUndefined(error.code) : 'NonGraphErrorBody',
    requestId: headers.requestId ?? stringOrUndefined(inner?.['request-id']),
    clientRequestId: headers.clientRequestId ?? stringOrUndefined(inner?.['client-request-id']),
    date: stringOrUndefined(inner?.date),
    retryAfterSeconds: headers.retryAfterSeconds,
  });
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

/** Any failure as a GraphError: GraphErrors pass through, anything else is an unexpected failure of the call. */
export function toGraphError(error: unknown, clientRequestId?: string): GraphError {
  if (isGraphError(error)) return error;
  return new GraphError('Unexpected failure calling Microsoft Graph.', { kind: 'network', clientRequestId, cause: error });
}

/** The caller went away (or its signal fired) before Graph answered. */
export function abortedError(context: { clientRequestId?: string; requestId?: string; cause?: unknown } = {}): GraphError {
  return new GraphError('The call to Microsoft Graph was cancelled.', { kind: 'aborted', ...context });
}

/** The call's deadline passed, or one of undici's connect/headers/body timeouts fired. */
export function timeoutError(context: { clientRequestId?: string; requestId?: string; cause?: unknown } = {}): GraphError {
  return new GraphError('Microsoft Graph did not answer in time.', { kind: 'timeout', ...context });
}

/** Request properties an error may name after redaction: only these names ever pass from Graph's message. */
const NAMED_FIELD = /activationCodes\[(\d{1,6})\](?:\.(integratedCircuitCardIdentifier|matchingIdentifier|smdpPlusServerAddress))?|\b(displayName)\b/;
const SAFE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Without Graph's text (it could quote an activation code): status, a plain code, the ids and the named `field`. */
export function redactedBodyError(error: GraphError, what: string): GraphError {
  if (error.kind !== 'http' && error.kind !== 'throttled') return error;
  const named = NAMED_FIELD.exec(error.message);
  const field = named === null ? undefined : named[3] ?? `activationCodes[${named[1]}]${named[2] ? `.${named[2]}` : ''}`;
  const code = error.code !== undefined && SAFE_CODE.test(error.code) ? error.code : undefined;
  const where = field === undefined ? '' : ` at ${field}`;
  const { kind, status, requestId, clientRequestId, date, retryAfterSeconds } = error;
  return new GraphError(
    `Microsoft Graph refused ${what}${where} (HTTP ${status ?? 'error'}${code ? `, ${code}` : ''}); its own message is not shown because it could quote an activation code.`,
    { kind, status, code, requestId, clientRequestId, date, retryAfterSeconds, field },
  );
}
