import type { Graph } from '@experience-graph/neo4j';
import { createCustomerLoaders, type CustomerLoaders } from './customers/resolvers';
import { createCustomerRepository, type CustomerRepository } from './customers/customer-repository';

/** What the customers subgraph needs from the outside world. */
export interface CustomersDependencies {
  graph: Graph;
}

/** Per-request context: repositories, and DataLoaders that live for one request only. */
export interface CustomersContext {
  customers: CustomerRepository;
  loaders: CustomerLoaders;
}

export function createContextFactory(deps: CustomersDependencies): () => CustomersContext {
  const customers = createCustomerRepository(deps.graph);
  return () => ({ customers, loaders: createCustomerLoaders(customers) });
}
