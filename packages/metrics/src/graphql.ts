import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext } from '@apollo/server';
import type { Principal } from '@experience-graph/access';
import { ANONYMOUS_OPERATION, BoundedLabel, INVALID_OPERATION, principalLabel } from './labels';
import { counter, histogram, secondsSince, type ServiceMetrics } from './registry';

export interface GraphQLMetricsOptions<Context extends BaseContext> {
  /** Who is behind a request, from its context; undefined before authentication. */
  principalOf(context: Context): Principal | undefined;
  /** Distinct operation names kept as labels before the rest fold into `other` (200). */
  maxOperations?: number;
  /** Distinct principals kept as labels (100): client ids are registered, so this is a guard. */
  maxPrincipals?: number;
}

/** The outcome label of a request: `ok`, or the code of its first error. */
function outcomeOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined) {
  if (!errors || errors.length === 0) return 'ok';
  const code = errors[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * An Apollo Server plugin that counts every GraphQL request and times it, by operation name,
 * principal and outcome (`ok` or the first error's code):
 *
 * - `eg_graphql_requests_total{operation, principal, outcome}`
 * - `eg_graphql_request_duration_seconds{operation, principal}`
 *
 * The operation is the name of the operation executed, `anonymous` for one without a name and
 * `invalid` for a document that did not parse or validate; names past `maxOperations` fold into
 * `other`. Partial results count by their first error.
 */
export function graphqlMetricsPlugin<Context extends BaseContext>(
  metrics: ServiceMetrics,
  options: GraphQLMetricsOptions<Context>,
): ApolloServerPlugin<Context> {
  const requests = counter(metrics, {
    name: 'eg_graphql_requests_total',
    help: 'GraphQL requests answered, by operation, principal and outcome (ok or the first error code)',
    labelNames: ['operation', 'principal', 'outcome'] as const,
  });
  const duration = histogram(metrics, {
    name: 'eg_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response, by operation and principal',
    labelNames: ['operation', 'principal'] as const,
  });
  const operations = new BoundedLabel(options.maxOperations ?? 200);
  const principals = new BoundedLabel(options.maxPrincipals ?? 100);
  const outcomes = new BoundedLabel(50);
  const operationOf = (context: GraphQLRequestContext<Context>) => {
    if (!context.operation) return INVALID_OPERATION;
    const name = context.operation.name?.value;
    return name ? operations.value(name) : ANONYMOUS_OPERATION;
  };
  return {
    async requestDidStart() {
      const start = process.hrtime.bigint();
      return {
        async willSendResponse(context) {
          const labels = {
            operation: operationOf(context),
            principal: principals.value(principalLabel(options.principalOf(context.contextValue))),
          };
          requests.inc({ ...labels, outcome: outcomes.value(outcomeOf(context.errors)) });
          duration.observe(labels, secondsSince(start));
        },
      };
    },
  };
}
