import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import cors from 'cors';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import {
  SUBGRAPH_NAMES,
  type ApiClient,
  type GatewayConfig,
  type SubgraphName,
} from '@experience-graph/config';
import { authenticate, authorizeOperations, type GatewayContext } from './auth';
import { mountHealth } from '@experience-graph/server-kit';

/** The supergraph composed at build time from the subgraphs' schemas. */
export const SUPERGRAPH_PATH = path.join(__dirname, '..', '..', 'schema', 'supergraph.graphql');

export interface GatewayDependencies {
  config: GatewayConfig;
  logger: Logger;
  /** Defaults to the committed `schema/supergraph.graphql`. */
  supergraphSdl?: string;
}

export interface GatewayApp {
  app: Express;
  apollo: ApolloServer<GatewayContext>;
}

/**
 * Builds the gateway: the only public entry. It serves the build-time supergraph, sends each
 * subgraph fetch to the URL in its configuration, and guards the endpoint with CORS, body and
 * operation limits, and health checks.
 */
export async function createGateway(deps: GatewayDependencies): Promise<GatewayApp> {
  const { config, logger } = deps;
  // @apollo/gateway decides whether to report usage to Apollo from this variable alone, when it
  // is constructed; forcing it here means no way of building our gateway can report.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: config.subgraphUrls[name as SubgraphName],
        // Subgraphs log which client a fetch serves.
        willSendRequest({ request, context }) {
          if (context.client) request.http?.headers.set('x-experience-graph-client', context.client.name);
        },
      }),
    logger: logger.child({ component: 'apollo-gateway' }),
  });
  const armor = new ApolloArmor({
    maxDepth: { n: config.limits.maxDepth },
    maxAliases: { n: config.limits.maxAliases },
    maxTokens: { n: config.limits.maxTokens },
    costLimit: { maxCost: 10_000 },
    maxDirectives: { n: 20 },
  }).protect();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...armor,
    // runService owns shutdown; Apollo's own handlers would re-raise the signal mid-way.
    stopOnTerminationSignals: false,
    plugins: [
      ...(armor.plugins as Array<ApolloServerPlugin<GatewayContext>>),
      authorizeOperations(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
    logger: logger.child({ component: 'apollo-server' }),
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  mountHealth(
    app,
    'gateway',
    Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [name, () => checkSubgraph(config.subgraphUrls[name])]),
    ),
  );
  app.use(
    '/graphql',
    cors<cors.CorsRequest>({ origin: config.corsOrigins, maxAge: 600 }),
    authenticate(config.clients),
    express.json({ limit: config.limits.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ res }) => ({ client: res.locals['client'] as ApiClient }),
    }),
  );
  return { app, apollo };
}

/** A subgraph is ready when its own readiness endpoint says so, within two seconds. */
async function checkSubgraph(graphqlUrl: string): Promise<void> {
  const url = new URL('/health/ready', graphqlUrl);
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}
