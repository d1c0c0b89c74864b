import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { Kind, parse, type DocumentNode } from 'graphql';
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
    // runService owns shutdown; Apollo's own handlers would re-raise the signal mid-way.
    stopOnTerminationSignals: false,
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
