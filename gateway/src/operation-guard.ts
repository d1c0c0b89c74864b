/**
 * The checks of a resolved operation, before anything is sent to a subgraph: introspection in
 * production, the rights table and field rules, one event batch per request of at most 500
 * events, the cost with variables counted, and the principal's events rate.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { principalKey, refusalOf, seesEverything } from '@experience-graph/access';
import type { GatewayContext } from './auth';
import {
  eventBatches,
  MAX_EVENTS_PER_REQUEST,
  operationCost,
  usesIntrospection,
  type RateLimiter,
} from './limits';

export interface OperationGuardOptions {
  production: boolean;
  maxCost: number;
  rateLimiter: RateLimiter;
  /** Check the rights table and field rules; off only in the access-cost benchmark. */
  authorize?: boolean;
}

const status = (code: number) => ({ status: code, headers: new HeaderMap() });

/** The answer to a principal over its rate: 429 with when to try again. */
export function rateLimited(retryAfterSeconds: number, limit: string): GraphQLError {
  return new GraphQLError(`Rate limit reached (${limit}); try again in ${retryAfterSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfter: retryAfterSeconds,
      http: {
        status: 429,
        headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]),
      },
    },
  });
}

export function operationGuard(options: OperationGuardOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, contextValue, request }) {
          if (!operation) {
            // The federation executor would throw for it, which Apollo answers with 500.
            throw new GraphQLError(
              request.operationName
                ? `Unknown operation named "${request.operationName.slice(0, 100)}".`
                : 'Must provide the name of the operation to run when the document has several.',
              { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: status(400) } },
            );
          }
          const { principal } = contextValue;
          if (
            options.production &&
            !seesEverything(principal) &&
            usesIntrospection(document, operation)
          ) {
            throw new GraphQLError('Introspection is not available to this principal', {
              extensions: { code: 'FORBIDDEN', http: status(403) },
            });
          }
          const refusal =
            options.authorize === false ? null : refusalOf(schema, document, operation, principal);
          if (refusal) {
            throw new GraphQLError(refusal.message, {
              extensions: { code: 'FORBIDDEN', coordinate: refusal.coordinate, http: status(403) },
            });
          }
          const batches = eventBatches(document, operation, request.variables);
          if (batches.length > 1) {
            throw new GraphQLError(
              `At most one recordEvents per request; this one has ${batches.length} (${batches.map((b) => b.responseKey).join(', ')})`,
              { extensions: { code: 'OPERATION_LIMIT', http: status(400) } },
            );
          }
          const events = batches[0]?.events ?? 0;
          if (events > MAX_EVENTS_PER_REQUEST) {
            throw new GraphQLError(
              `events: at most ${MAX_EVENTS_PER_REQUEST} events per batch, got ${events}`,
              { extensions: { code: 'BAD_USER_INPUT', field: 'events', http: status(400) } },
            );
          }
          const cost = operationCost(schema, document, operation, request.variables);
          if (cost > options.maxCost) {
            throw new GraphQLError(
              `The operation costs ${Math.ceil(cost)}, more than the limit of ${options.maxCost} (lists passed as arguments count, in variables too)`,
              { extensions: { code: 'OPERATION_LIMIT', http: status(400) } },
            );
          }
          if (events > 0) {
            const decision = options.rateLimiter.events(principalKey(principal), events);
            if (!decision.ok) throw rateLimited(decision.retryAfterSeconds, decision.limit);
          }
        },
      };
    },
  };
}
