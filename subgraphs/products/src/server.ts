import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import type { Logger } from 'pino';
import { createSubgraphApp, loadSchemaFile, type SubgraphApp } from '@experience-graph/server-kit';
import { createContextFactory, type ProductsContext, type ProductsDependencies } from './context';
import { resolvers } from './devices/resolvers';

/** The products subgraph's SDL, as composed into the supergraph. */
export const PRODUCTS_SCHEMA_PATH = path.join(__dirname, '..', 'src', 'schema.graphql');

/** Builds the products subgraph without I/O beyond reading its schema file. */
export function createProductsSubgraph(
  deps: ProductsDependencies & { logger: Logger },
): Promise<SubgraphApp> {
  return createSubgraphApp<ProductsContext>({
    name: 'products',
    typeDefs: loadSchemaFile(PRODUCTS_SCHEMA_PATH),
    resolvers: resolvers as GraphQLResolverMap<ProductsContext>,
    createContext: createContextFactory(deps),
    readiness: { neo4j: () => deps.graph.driver.verifyConnectivity().then(() => undefined) },
    logger: deps.logger,
  });
}
