import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** ISO-8601 date-time with a zone (`Z` or ±hh:mm), as Graph's Edm.DateTimeOffset. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

function check(value: unknown): string {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO-8601 date and time with a zone, e.g. 2026-03-01T09:30:00Z.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date and time with an offset, as Microsoft Graph sends Edm.DateTimeOffset.',
  serialize: check,
  parseValue: check,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string.', { extensions: { code: 'BAD_USER_INPUT' } });
    return check(ast.value);
  },
});
