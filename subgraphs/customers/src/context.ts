import type { ValueConfig } from '@experience-graph/config';
import type { Graph } from '@experience-graph/neo4j';
import type { ErasureStarter } from '@experience-graph/workflows';
import { createErasureRepository, type ErasureRepository } from './erasure/erasure-repository';
import { createErasureLoaders, type ErasureLoaders } from './erasure/resolvers';
import { createValueLoaders, type ValueLoaders } from './value/resolvers';
import { createValueRepository } from './value/value-repository';
import { createConsentRepository, type ConsentRepository } from './consents/consent-repository';
import { createConsentLoaders, type ConsentLoaders } from './consents/resolvers';
import { createTimelineRepository } from './timeline/timeline-repository';
import { createTimelineLoaders, type TimelineLoaders } from './timeline/resolvers';
import { createCustomerLoaders, type CustomerLoaders } from './customers/resolvers';
import { createCustomerRepository, type CustomerRepository } from './customers/customer-repository';

/** What the customers subgraph needs from the outside world. */
export interface CustomersDependencies {
  graph: Graph;
  value: ValueConfig;
  /** The erasure salt (ERASURE_SALT) and how erasure workflows start. */
  erasure: ErasureDependencies;
}

export interface ErasureDependencies {
  salt: string;
  starter: ErasureStarter;
}

/** Per-request context: repositories, and DataLoaders that live for one request only. */
export interface CustomersContext {
  customers: CustomerRepository;
  loaders: CustomerLoaders;
  consents: ConsentRepository;
  consentLoaders: ConsentLoaders;
  timelineLoaders: TimelineLoaders;
  valueLoaders: ValueLoaders;
  erasures: ErasureRepository;
  erasureLoaders: ErasureLoaders;
  erasure: ErasureDependencies;
}

export function createContextFactory(deps: CustomersDependencies): () => CustomersContext {
  const customers = createCustomerRepository(deps.graph);
  const consents = createConsentRepository(deps.graph);
  const timeline = createTimelineRepository(deps.graph);
  const value = createValueRepository(deps.graph, deps.value);
  const erasures = createErasureRepository(deps.graph);
  return () => ({
    customers,
    loaders: createCustomerLoaders(customers),
    consents,
    consentLoaders: createConsentLoaders(consents),
    timelineLoaders: createTimelineLoaders(timeline),
    valueLoaders: createValueLoaders(value),
    erasures,
    erasureLoaders: createErasureLoaders(erasures),
    erasure: deps.erasure,
  });
}
