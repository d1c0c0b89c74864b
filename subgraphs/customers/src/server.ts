import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap';
import type { Logger } from 'pino';
import { createSubgraphApp, loadSchemaFile, type SubgraphApp } from '@experience-graph/server-kit';
import { createContextFactory, type CustomersContext, type CustomersDependencies } from './context';
import { resolvers } from './customers/resolvers';

/** The customers subgraph's SDL, as composed into the supergraph. */
export const CUSTOMERS_SCHEMA_PATH = path.join(__dirname, '..', 'src', 'schema.graphql');

/** Builds the customers subgraph without I/O beyond reading its schema file. */
export function createCustomersSubgraph(
  deps: CustomersDependencies & { logger: Logger },
): Promise<SubgraphApp> {
  return createSubgraphApp<CustomersContext>({
    name: 'customers',
    typeDefs: loadSchemaFile(CUSTOMERS_SCHEMA_PATH),
    resolvers: resolvers as GraphQLResolverMap<CustomersContext>,
    createContext: createContextFactory(deps),
    readiness: { neo4j: () => deps.graph.driver.verifyConnectivity().then(() => undefined) },
    logger: deps.logger,
  });
}
