import type { Graph } from '@experience-graph/neo4j';
import { createCampaignLoaders, type CampaignLoaders } from './campaigns/resolvers';
import { createCampaignRepository, type CampaignRepository } from './campaigns/campaign-repository';
import { createStoreRepository, type StoreRepository } from './stores/store-repository';
import { createStoreLoaders, type StoreLoaders } from './stores/resolvers';

/** What the campaigns subgraph needs from the outside world. */
export interface CampaignsDependencies {
  graph: Graph;
}

/** Per-request context: repositories, and DataLoaders that live for one request only. */
export interface CampaignsContext {
  campaigns: CampaignRepository;
  loaders: CampaignLoaders;
  stores: StoreRepository;
  storeLoaders: StoreLoaders;
}

export function createContextFactory(deps: CampaignsDependencies): () => CampaignsContext {
  const campaigns = createCampaignRepository(deps.graph);
  const stores = createStoreRepository(deps.graph);
  return () => ({
    campaigns,
    loaders: createCampaignLoaders(campaigns),
    stores,
    storeLoaders: createStoreLoaders(stores),
  });
}
