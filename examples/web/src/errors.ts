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
  /** e.g. "pool id" */
  input?: string;
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
        return context.input ? `That ${context.input} is not valid: ${error.message}` : `The request was not valid: ${error.message}`;
      case 'NOT_FOUND':
        return context.input ? `Nothing has that ${context.input}: it may have been deleted.` : 'It was not found: it may have been deleted.';
      case 'UNAUTHENTICATED':
        return 'You are not signed in, or your sign-in has expired. Sign in again.';
      case 'FORBIDDEN':
        return 'You do not have permission to do this in Intune (it needs DeviceManagementConfiguration permissions).';
      case 'THROTTLED':
        return 'Microsoft Graph is busy and asked us to slow down. Try again in a minute.';
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
