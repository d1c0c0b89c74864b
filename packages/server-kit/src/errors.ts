import { GraphQLError } from 'graphql';
import type { ZodType } from 'zod';

/**
 * A client error that names what is wrong and where (`field` is the path of the bad argument,
 * such as `input.serial`). Resolvers throw it before writing anything.
 */
export function badUserInput(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

/** The thing a client named does not exist. */
export function notFound(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND', field } });
}

/**
 * Validates an argument with a zod schema, turning the first problem into a
 * {@link badUserInput} whose `field` is the path of the bad value under `argument`.
 */
export function parseArgument<T>(schema: ZodType<T>, value: unknown, argument: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [argument, ...(issue?.path ?? [])].join('.');
  throw badUserInput(`${field}: ${issue?.message ?? 'is invalid'}`, field);
}
