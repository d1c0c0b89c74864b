import { readFileSync } from 'node:fs';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { parse, type DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { mountHealth, type ReadinessCheck } from './health';

/** Everything that makes one subgraph, with no I/O: the caller decides where it listens. */
export interface SubgraphDefinition<Context extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  /** Builds the per-request context (fresh DataLoaders live here). */
  createContext(): Context;
  readiness: Record<string, ReadinessCheck>;
  logger: Logger;
}

export interface SubgraphApp {
  app: Express;
  apollo: ApolloServer<BaseContext>;
}

/**
 * Builds a subgraph's HTTP app: GraphQL on `/graphql`, health on `/health/*`. Errors are logged
 * with their path; clients get messages and codes, never stack traces.
 */
export async function createSubgraphApp<Context extends BaseContext>(
  definition: SubgraphDefinition<Context>,
): Promise<SubgraphApp> {
  const { name, logger } = definition;
  const apollo = new ApolloServer<Context>({
    schema: buildSubgraphSchema([
      { typeDefs: definition.typeDefs, resolvers: definition.resolvers },
    ]),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors, operationName }) {
              for (const error of errors) {
                const code = error.extensions?.['code'];
                const level = code === 'BAD_USER_INPUT' || code === 'NOT_FOUND' ? 'info' : 'error';
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
  mountHealth(app, name, definition.readiness);
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    expressMiddleware(apollo, { context: async () => definition.createContext() }),
  );
  return { app, apollo: apollo as unknown as ApolloServer<BaseContext> };
}

/** Reads and parses a subgraph's SDL file; a syntax error names the file. */
export function loadSchemaFile(file: string): DocumentNode {
  const sdl = readFileSync(file, 'utf8');
  try {
    return parse(sdl);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}
