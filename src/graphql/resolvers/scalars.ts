import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isIsoDateTime } from '../../graph/models';
import { ErrorCode } from '../errors';

const FORMAT = 'an ISO-8601 date and time with a zone, e.g. 2026-03-01T09:30:00Z';

/** Input: the caller's mistake. */
function parse(value: unknown): string {
  if (!isIsoDateTime(value)) throw new GraphQLError(`DateTime must be ${FORMAT}.`, { extensions: { code: ErrorCode.BadUserInput } });
  return value;
}

/** Output: every DateTime served comes from Graph, so a bad one is UPSTREAM_ERROR. */
function serialize(value: unknown): string {
  if (!isIsoDateTime(value)) {
    throw new GraphQLError(`Microsoft Graph sent a date-time that is not ${FORMAT}.`, { extensions: { code: ErrorCode.UpstreamError } });
  }
  return value;
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date and time with an offset, as Microsoft Graph sends Edm.DateTimeOffset.',
  serialize,
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string.', { extensions: { code: ErrorCode.BadUserInput } });
    return parse(ast.value);
  },
});
