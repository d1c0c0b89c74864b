import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import type { Logger } from 'pino';
import { createSubgraphApp, loadSchemaFile, type SubgraphApp } from '@experience-graph/server-kit';
import { createContextFactory, type CampaignsContext, type CampaignsDependencies } from './context';
import { resolvers } from './campaigns/resolvers';

/** The campaigns subgraph's SDL, as composed into the supergraph. */
export const CAMPAIGNS_SCHEMA_PATH = path.join(__dirname, '..', 'src', 'schema.graphql');

/** Builds the campaigns subgraph without I/O beyond reading its schema file. */
export function createCampaignsSubgraph(
  deps: CampaignsDependencies & { logger: Logger },
): Promise<SubgraphApp> {
  return createSubgraphApp<CampaignsContext>({
    name: 'campaigns',
    typeDefs: loadSchemaFile(CAMPAIGNS_SCHEMA_PATH),
    resolvers: resolvers as GraphQLResolverMap<CampaignsContext>,
    createContext: createContextFactory(deps),
    readiness: { neo4j: () => deps.graph.driver.verifyConnectivity().then(() => undefined) },
    logger: deps.logger,
  });
}
