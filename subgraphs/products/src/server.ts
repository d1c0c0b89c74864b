import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import {
  createSubgraphApp,
  loadSubgraphSchema,
  otherCustomersShowOnlyTheirId,
  type SubgraphApp,
} from '@experience-graph/server-kit';
import { createServiceMetrics } from '@experience-graph/metrics';
import { createContextFactory, type ProductsContext, type ProductsDependencies } from './context';
import { resolvers } from './resolvers';

/** The folder of the products subgraph's SDL files, as composed into the supergraph. */
export const PRODUCTS_SCHEMA_DIR = path.join(__dirname, '..', 'src');

/** Builds the products subgraph without I/O beyond reading its schema file. */
export function createProductsSubgraph(given: ProductsDependencies): Promise<SubgraphApp> {
  // One registry for the requests and the intake's events, served together on `/metrics`.
  const deps = { ...given, metrics: given.metrics ?? createServiceMetrics('products') };
  return createSubgraphApp<ProductsContext>({
    name: 'products',
    typeDefs: loadSubgraphSchema(PRODUCTS_SCHEMA_DIR),
    resolvers: resolvers as GraphQLResolverMap<ProductsContext>,
    createContext: createContextFactory(deps),
    signing: deps.signing,
    fieldGuards: { Customer: otherCustomersShowOnlyTheirId },
    readiness: { neo4j: () => deps.graph.driver.verifyConnectivity().then(() => undefined) },
    logger: deps.logger,
    metrics: deps.metrics,
  });
}
