import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/** Neo4j driver codes of a server that is away or went away mid-way. */
const NEO4J_AWAY = new Set(['ServiceUnavailable', 'SessionExpired']);
/** gRPC status codes of a Temporal server that is away (UNAVAILABLE) or did not answer in time. */
const GRPC_AWAY = new Set([14, 4]);

const causes = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (
    let e = error;
    e && typeof e === 'object' && chain.length < 5;
    e = (e as { cause?: unknown }).cause
  ) {
    chain.push(e);
  }
  return chain;
};

/**
 * Whether an error says that a dependency (Neo4j, Temporal) is away rather than that something
 * is wrong with the request or the code: the driver could not reach the server, gave up retrying
 * (a transient error), or waited for a connection in vain; or a Temporal call was refused or
 * ran past its deadline.
 */
export function isDependencyAway(error: unknown): boolean {
  return causes(error).some((e) => {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (NEO4J_AWAY.has(code) || code.startsWith('Neo.TransientError.')) return true;
    }
    if (typeof code === 'number' && GRPC_AWAY.has(code)) return true;
    return typeof message === 'string' && message.startsWith('Connection acquisition timed out');
  });
}

/** What a client is told when a dependency is away: no address, no driver message. */
export const DEPENDENCY_AWAY_MESSAGE =
  'A service this request needs is unavailable; try again later';

/**
 * A subgraph's `formatError`: an error of a dependency that is away is answered UNAVAILABLE
 * (which the gateway passes on, and a client may retry), not as an internal error; every other
 * error is left as it is.
 */
export function formatDependencyErrors(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  if (!isDependencyAway(unwrapResolverError(error))) return formatted;
  return {
    message: DEPENDENCY_AWAY_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'UNAVAILABLE' },
  };
}
