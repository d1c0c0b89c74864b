import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '@experience-graph/metrics';
import {
  createSubgraphApp,
  loadSubgraphSchema,
  otherCustomersShowOnlyTheirId,
  type SubgraphApp,
} from '@experience-graph/server-kit';
import { createContextFactory, type CampaignsContext, type CampaignsDependencies } from './context';
import { resolvers } from './resolvers';

/** The folder of the campaigns subgraph's SDL files, as composed into the supergraph. */
export const CAMPAIGNS_SCHEMA_DIR = path.join(__dirname, '..', 'src');

/** Builds the campaigns subgraph without I/O beyond reading its schema file. */
export function createCampaignsSubgraph(
  deps: CampaignsDependencies & { logger: Logger; metrics?: ServiceMetrics },
): Promise<SubgraphApp> {
  return createSubgraphApp<CampaignsContext>({
    name: 'campaigns',
    typeDefs: loadSubgraphSchema(CAMPAIGNS_SCHEMA_DIR),
    resolvers: resolvers as GraphQLResolverMap<CampaignsContext>,
    createContext: createContextFactory(deps),
    signing: deps.signing,
    fieldGuards: { Customer: otherCustomersShowOnlyTheirId },
    readiness: { neo4j: () => deps.graph.driver.verifyConnectivity().then(() => undefined) },
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
