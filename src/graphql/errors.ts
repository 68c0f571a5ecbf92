/** The stable `extensions.code` values and the one Graph-failure-to-GraphQL mapping; no token, stack or upstream URL. */
import { GraphQLError } from 'graphql';
import { isCoordinationError, type CoordinationError } from '../coordination/types';
import { isGraphError, type GraphError } from '../graph/errors';
import { isHistoryUnavailable } from '../history/store';

export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  NotFound: 'NOT_FOUND',
  Forbidden: 'FORBIDDEN',
  Unauthenticated: 'UNAUTHENTICATED',
  Throttled: 'THROTTLED',
  UpstreamTimeout: 'UPSTREAM_TIMEOUT',
  UpstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  UpstreamError: 'UPSTREAM_ERROR',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
  /** `ifAssignmentsVersion` is not the pool's current version; nothing was written. */
  Conflict: 'CONFLICT',
  /** Another edit of the pool held its lock past this call's deadline; nothing was written. */
  PoolBusy: 'POOL_BUSY',
  /** The shared coordination store (the edit locks) could not answer; nothing was written. */
  CoordinationUnavailable: 'COORDINATION_UNAVAILABLE',
  /** The assignment history is off (HISTORY=off) or its store could not answer; a write was not sent to Graph. */
  HistoryUnavailable: 'HISTORY_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A validation failure of the caller's input; `field` is the argument path, e.g. `assignments[0].target.groupId`. */
export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, ...(field ? { field } : {}) } });
}

/** The same error naming the input field it is about (e.g. a Graph 400 that named an activation code's index). */
export function withField(error: GraphQLError, field: string): GraphQLError {
  return new GraphQLError(error.message, { extensions: { ...error.extensions, field } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NotFound } });
}

/** A failed `ifAssignmentsVersion` precondition; the current version lets the caller re-read and retry. */
export function conflict(currentAssignmentsVersion: string): GraphQLError {
  return new GraphQLError("The pool's assignments changed since that assignmentsVersion was read; nothing was written.", {
    extensions: { code: ErrorCode.Conflict, currentAssignmentsVersion },
  });
}

/** History off, or its store down: `write` says whether a write was refused (then nothing was sent to Graph). */
export function historyUnavailable(reason: 'off' | 'down', write: boolean): GraphQLError {
  const why = reason === 'off' ? 'The assignment history is off (HISTORY=off)' : 'The assignment history store cannot be reached';
  return new GraphQLError(`${why}${write ? '; nothing was written.' : '.'}`, { extensions: { code: ErrorCode.HistoryUnavailable } });
}

/** Graph HTTP status → GraphQL code; any other 5xx is UPSTREAM_UNAVAILABLE, any other status UPSTREAM_ERROR. */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.BadUserInput,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  429: ErrorCode.Throttled,
  504: ErrorCode.UpstreamTimeout,
};

/** A Graph failure's code by its kind, where the kind alone decides. */
const KIND_CODES: Readonly<Record<Exclude<GraphError['kind'], 'http' | 'credential' | 'rejected'>, ErrorCode>> = {
  throttled: ErrorCode.Throttled,
  timeout: ErrorCode.UpstreamTimeout,
  network: ErrorCode.UpstreamUnavailable,
  aborted: ErrorCode.UpstreamUnavailable,
  'invalid-response': ErrorCode.UpstreamError,
};

function codeForGraphError(error: GraphError): ErrorCode {
  const status = error.status ?? 500;
  if (error.kind === 'http') return STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.UpstreamUnavailable : ErrorCode.UpstreamError);
  if (error.kind === 'credential') {
    if (error.credentialFailure === 'unauthenticated') return ErrorCode.Unauthenticated;
    return error.credentialFailure === 'forbidden' ? ErrorCode.Forbidden : ErrorCode.UpstreamUnavailable;
  }
  // rejected: the shared budget's store (Redis) could not answer, nothing was sent, as for an edit lock it could not take.
  if (error.kind === 'rejected' && error.code === 'CoordinationUnavailable') return ErrorCode.CoordinationUnavailable;
  if (error.kind === 'rejected') return error.status === 429 ? ErrorCode.Throttled : ErrorCode.UpstreamUnavailable;
  return KIND_CODES[error.kind];
}

const THROTTLED = 'Microsoft Graph is throttling requests; retry after the given time.';
const UNAVAILABLE = 'Microsoft Graph is unavailable.';
const SAFE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.Throttled]: THROTTLED,
  [ErrorCode.UpstreamTimeout]: 'Microsoft Graph did not answer in time.',
  [ErrorCode.UpstreamUnavailable]: UNAVAILABLE,
};

/** Coordination failures (nothing was sent to Graph in any): code and message; all but `aborted` say when to retry. */
const COORDINATION_FAILURES: Readonly<Record<CoordinationError['failure'], readonly [ErrorCode, string]>> = {
  'lock-timeout': [ErrorCode.PoolBusy, 'Another change to this pool is in progress; nothing was written. Retry after the given time.'],
  'budget-exhausted': [ErrorCode.Throttled, THROTTLED],
  unavailable: [ErrorCode.CoordinationUnavailable, 'The subgraph cannot coordinate this change right now; nothing was written. Retry later.'],
  // As an aborted Graph call: the caller went away.
  aborted: [ErrorCode.UpstreamUnavailable, UNAVAILABLE],
};

function fromCoordinationError(error: CoordinationError): GraphQLError {
  const [code, message] = COORDINATION_FAILURES[error.failure];
  const retryAfterSeconds = error.retryAfterSeconds ?? 1;
  return new GraphQLError(message, { extensions: error.failure === 'aborted' ? { code } : { code, retryAfterSeconds } });
}

/**
 * A resolver's error → the GraphQL error the client sees (Graph failures with `extensions.graph`); undefined for
 * anything unknown, left to the server's masking.
 */
export function toGraphQLError(error: unknown): GraphQLError | undefined {
  if (error instanceof GraphQLError) return error;
  if (isCoordinationError(error)) return fromCoordinationError(error);
  if (isHistoryUnavailable(error)) return historyUnavailable('down', false);
  if (!isGraphError(error)) return undefined;
  const code = codeForGraphError(error);
  const extensions: Record<string, unknown> = { code };
  if (error.status !== undefined || error.requestId !== undefined) {
    extensions.graph = {
      status: error.status ?? null,
      code: error.code ?? null,
      requestId: error.requestId ?? null,
      clientRequestId: error.clientRequestId ?? null,
    };
  }
  if (code === ErrorCode.Throttled || code === ErrorCode.CoordinationUnavailable) extensions.retryAfterSeconds = error.retryAfterSeconds ?? 1;
  // Token failures: why, for the caller (e.g. `consent_required`, `interaction_required`: sign in again).
  if (error.kind === 'credential' && error.code !== undefined) extensions.reason = error.code;
  // Graph's own message is kept for 4xx (it explains what was wrong); 5xx and transport messages are fixed text.
  // Token failure messages are fixed text written by the credential layer (never Entra's own text).
  const message =
    error.kind === 'http' && error.status !== undefined && error.status < 500 && code !== ErrorCode.Throttled
      ? `Microsoft Graph: ${error.message}`
      : error.kind === 'credential'
        ? error.message
        : (SAFE_MESSAGES[code] ?? error.message);
  return new GraphQLError(message, { extensions });
}
