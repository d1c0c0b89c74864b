import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import {
  defaultFieldResolver,
  GraphQLError,
  isObjectType,
  Kind,
  parse,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Logger } from 'pino';
import { describe, refusalOf, type Principal } from '@experience-graph/access';
import {
  createServiceMetrics,
  graphqlMetricsPlugin,
  httpMetrics,
  metricsHandler,
  type ServiceMetrics,
} from '@experience-graph/metrics';
import { subgraphBodyErrors } from './body-limit';
import { formatDependencyErrors } from './dependency-errors';
import { mountHealth, type ReadinessCheck } from './health';
import { requireGatewaySignature, subgraphBodyLimit, type SigningConfig } from './signature-check';

/** What every subgraph's context carries: who is behind the request, as the gateway vouched. */
export interface PrincipalContext {
  principal: Principal;
}

/**
 * A check run before every field of one type resolves: returns the error to answer instead, or
 * null. Reach that depends on the object (another person's profile seen through a referral)
 * cannot be decided from the operation alone.
 */
export type FieldGuard<Context> = (
  parent: Record<string, unknown>,
  context: Context,
  field: string,
) => GraphQLError | null;

/** Everything that makes one subgraph, with no I/O: the caller decides where it listens. */
export interface SubgraphDefinition<Context extends BaseContext & PrincipalContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  /** Builds the per-request context (fresh DataLoaders live here) for the verified principal. */
  createContext(principal: Principal): Context;
  /** How gateway signatures are checked: only signed requests reach GraphQL. */
  signing: SigningConfig;
  /** Guards on every field of a type, by type name. */
  fieldGuards?: Record<string, FieldGuard<Context>>;
  readiness: Record<string, ReadinessCheck>;
  logger: Logger;
  /** Where its requests are counted and timed (served on `/metrics`); its own by default. */
  metrics?: ServiceMetrics;
}

export interface SubgraphApp {
  app: Express;
  apollo: ApolloServer<BaseContext>;
  metrics: ServiceMetrics;
}

/** The error a refused operation or field answers, with its code for the gateway to pass on. */
export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 200 } } });
}

function guardFields<Context>(
  schema: GraphQLSchema,
  guards: Record<string, FieldGuard<Context>>,
): void {
  for (const [typeName, guard] of Object.entries(guards)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`A field guard names ${typeName}, not an object type`);
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args, context: Context, info) => {
        const refusal = guard(parent as Record<string, unknown>, context, info.fieldName);
        if (refusal) throw refusal;
        return resolve(parent, args, context, info);
      };
    }
  }
}

/**
 * Builds a subgraph's HTTP app: GraphQL on `/graphql`, health on `/health/*`. Only requests the
 * gateway signed reach GraphQL (401 otherwise, before anything is parsed or executed); each
 * operation is checked against the rights table and field rules again, on the subgraph's own
 * schema, so a reachable subgraph port leaks nothing. Errors are logged with their path; clients
 * get messages and codes, never stack traces. A body larger than `signing.maxBodyBytes` (twice
 * the gateway's limit) is answered 413 PAYLOAD_TOO_LARGE in JSON.
 */
export async function createSubgraphApp<Context extends BaseContext & PrincipalContext>(
  definition: SubgraphDefinition<Context>,
): Promise<SubgraphApp> {
  const { name, logger } = definition;
  const schema = buildSubgraphSchema([
    { typeDefs: definition.typeDefs, resolvers: definition.resolvers },
  ]);
  const unchecked = definition.signing.benchmarkWithoutAccessChecks === true;
  if (definition.fieldGuards && !unchecked) guardFields(schema, definition.fieldGuards);
  const metrics = definition.metrics ?? createServiceMetrics(name);
  const apollo = new ApolloServer<Context>({
    schema,
    includeStacktraceInErrorResponses: false,
    // Neo4j or Temporal away: UNAVAILABLE, which clients may retry, not an internal error.
    formatError: formatDependencyErrors,
    // runService owns shutdown; Apollo's own handlers would re-raise the signal mid-way.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      graphqlMetricsPlugin<Context>(metrics, { principalOf: (context) => context.principal }),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ document, operation, contextValue }) {
              if (!operation || unchecked) return;
              const refusal = refusalOf(schema, document, operation, contextValue.principal);
              if (refusal) {
                logger.warn(
                  { coordinate: refusal.coordinate, principal: describe(contextValue.principal) },
                  'operation refused',
                );
                throw forbidden(refusal.message);
              }
            },
            async didEncounterErrors({ errors, operationName }) {
              for (const error of errors) {
                const code = error.extensions?.['code'];
                const level =
                  code === 'BAD_USER_INPUT' || code === 'NOT_FOUND' || code === 'FORBIDDEN'
                    ? 'info'
                    : 'error';
                logger[level](
                  { err: error.originalError ?? error, path: error.path, operationName, code },
                  error.message,
                );
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  const app = express();
  app.disable('x-powered-by');
  app.use(httpMetrics(metrics, ['/graphql', '/health', '/metrics']));
  mountHealth(app, name, definition.readiness);
  // Subgraphs are never public: Prometheus scrapes them on their own port.
  app.get('/metrics', metricsHandler(metrics));
  const benchmarkPrincipal: Principal = { kind: 'service', id: 'local' };
  const maxBodyBytes = subgraphBodyLimit(definition.signing);
  app.use(
    '/graphql',
    ...(unchecked
      ? [express.json({ limit: maxBodyBytes })]
      : requireGatewaySignature(definition.signing, logger)),
    expressMiddleware(apollo, {
      context: async ({ res }) =>
        definition.createContext(
          unchecked ? benchmarkPrincipal : (res.locals['principal'] as Principal),
        ),
    }),
  );
  app.use(subgraphBodyErrors(maxBodyBytes, logger));
  return { app, apollo: apollo as unknown as ApolloServer<BaseContext>, metrics };
}

/**
 * Every `*.graphql` file under a subgraph's source folder, in a stable order: each domain module
 * keeps its SDL beside its resolvers.
 */
export function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => path.join(dir, file));
}

/** Parses a subgraph's SDL files into one document; a syntax error names its file. */
export function loadSubgraphSchema(dir: string): DocumentNode {
  const definitions = schemaFiles(dir).flatMap((file) => {
    try {
      return parse(readFileSync(file, 'utf8')).definitions;
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
    }
  });
  return { kind: Kind.DOCUMENT, definitions };
}
