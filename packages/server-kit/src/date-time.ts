import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function toIso(value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
  }
  return date.toISOString();
}

/**
 * ISO-8601 date-times, always answered in one shape (UTC, milliseconds), whatever form the
 * graph stored them in. Inputs stay strings; their validation (time zone required, not in the
 * future...) belongs to each argument's schema.
 */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC, such as `2026-11-22T09:30:00.000Z`.',
  serialize: toIso,
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('DateTime must be a string');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return ast.value;
  },
});
