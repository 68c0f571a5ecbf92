/**
 * Errors as a person reads them. The subgraph's stable `extensions.code` values (src/graphql/errors.ts in the
 * subgraph) decide the sentence; the server's own message is kept where it says what to fix (BAD_USER_INPUT).
 */
import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client/errors';

export interface ReadableError {
  /** What went wrong, in a sentence. */
  message: string;
  /** The subgraph's error code, when there is one (shown small, for support). */
  code?: string;
}

/** What the request was about, so that a sentence can name it ("That pool id is not valid: …"). */
export interface ErrorContext {
  /** What a person typed, e.g. "pool id": named by a BAD_USER_INPUT whose field is not in `fields`. */
  input?: string;
  /**
   * What a person calls the arguments a BAD_USER_INPUT's `extensions.field` names, e.g.
   * `{ 'assignments[0].target.groupId': 'group id' }`.
   */
  fields?: Readonly<Record<string, string>>;
  /** What the person tried to do, for FORBIDDEN, e.g. "change this pool's assignments". */
  action?: string;
}

/** "1 second", "30 seconds", "2 minutes": how long to wait, as `retryAfterSeconds` says. */
function wait(seconds: number): string {
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

function retryAfter(error: GraphQLErrorLike): number | undefined {
  const value = error.extensions?.retryAfterSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : undefined;
}

/**
 * BAD_USER_INPUT: the subgraph's message starts with the argument path it names in `extensions.field`
 * ("assignments[0].target.groupId must be a GUID …"); a person reads the name of the box they typed in instead.
 */
function invalidInput(error: GraphQLErrorLike, context: ErrorContext): string {
  const field = typeof error.extensions?.field === 'string' ? error.extensions.field : undefined;
  const label = (field !== undefined ? context.fields?.[field] : undefined) ?? context.input;
  if (!label) return field ? `The value of ${field} is not valid: ${error.message}` : `The request was not valid: ${error.message}`;
  const detail = field !== undefined && error.message.startsWith(`${field} `) ? `it ${error.message.slice(field.length + 1)}` : error.message;
  return `That ${label} is not valid: ${detail}`;
}

interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

function sentence(error: GraphQLErrorLike, context: ErrorContext): ReadableError {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  const message = ((): string => {
    switch (code) {
      case 'BAD_USER_INPUT':
        // The target checks: the id is well formed, but Graph has no such group or filter (any more).
        if (error.extensions?.reason === 'GROUP_NOT_FOUND') return 'That group does not exist (it may have been deleted). Nothing was changed.';
        if (error.extensions?.reason === 'FILTER_NOT_FOUND') return 'That assignment filter does not exist (it may have been deleted). Nothing was changed.';
        return invalidInput(error, context);
      case 'NOT_FOUND':
        return context.input ? `Nothing has that ${context.input}: it may have been deleted.` : 'It was not found: it may have been deleted.';
      case 'UNAUTHENTICATED':
        return 'You are not signed in, or your sign-in has expired. Sign in again.';
      case 'FORBIDDEN':
        return `You do not have permission to ${context.action ?? 'do this'} in Intune (it needs DeviceManagementConfiguration permissions).`;
      case 'THROTTLED': {
        const seconds = retryAfter(error);
        return `Microsoft Graph is busy and asked us to slow down. Try again in ${seconds === undefined ? 'a minute' : wait(seconds)}.`;
      }
      // The three refusals of an edit below all come before anything was written: saying so spares a person the
      // worry that half of their change went through.
      case 'CONFLICT':
        return "Someone else changed this pool's assignments; reload to see the current set. Your change was not made.";
      case 'POOL_BUSY': {
        const seconds = retryAfter(error) ?? 1;
        return `Another change to this pool is in progress, so yours was not made. Try again in ${wait(seconds)}.`;
      }
      case 'HISTORY_UNAVAILABLE':
        return "The subgraph's history of changes is turned off or cannot be reached right now, so nothing was changed.";
      case 'COORDINATION_UNAVAILABLE':
        return 'The subgraph cannot coordinate changes right now, so yours was not made. Try again later.';
      case 'UPSTREAM_TIMEOUT':
        return 'Microsoft Graph did not answer in time. Try again.';
      case 'UPSTREAM_UNAVAILABLE':
        return 'Microsoft Graph cannot be reached right now. Try again later.';
      case 'UPSTREAM_ERROR':
        return 'Microsoft Graph sent an answer that could not be understood. Try again later.';
      case 'INTERNAL_SERVER_ERROR': {
        const id = error.extensions?.correlationId;
        return `Something went wrong in the subgraph.${typeof id === 'string' ? ` Quote this id when you report it: ${id}.` : ''}`;
      }
      case 'GRAPHQL_VALIDATION_FAILED':
      case 'GRAPHQL_PARSE_FAILED':
        return `This page asked for something the subgraph does not offer (is the page older than the subgraph?): ${error.message}`;
      default:
        return error.message;
    }
  })();
  return { message, code };
}

/** One readable error per GraphQL error, or one for a transport failure. */
export function describeError(error: unknown, context: ErrorContext = {}): ReadableError[] {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => sentence(e, context));
  if (ServerError.is(error)) {
    // A refusal before GraphQL ran (401 without a token, 413, …) still carries a GraphQL error body.
    try {
      const body = JSON.parse(error.bodyText) as { errors?: GraphQLErrorLike[] };
      if (body.errors?.length) return body.errors.map((e) => sentence(e, context));
    } catch {
      // not JSON: fall through
    }
    return [{ message: `The subgraph answered HTTP ${error.statusCode}. Is /graphql proxied to the subgraph?` }];
  }
  if (ServerParseError.is(error)) return [{ message: 'The answer from /graphql was not GraphQL. Is /graphql proxied to the subgraph?' }];
  return [{ message: 'The subgraph cannot be reached. Is it running (npm start in the repository)?' }];
}
