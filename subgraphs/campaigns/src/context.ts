import type { Principal } from '@experience-graph/access';
import type { SigningConfig } from '@experience-graph/server-kit';
import type { AttributionConfig } from '@experience-graph/config';
import type { Graph } from '@experience-graph/neo4j';
import { createAttributionRepository } from './attribution/attribution-repository';
import { createAttributionLoaders, type AttributionLoaders } from './attribution/resolvers';
import { createCampaignLoaders, type CampaignLoaders } from './campaigns/resolvers';
import { createCampaignRepository, type CampaignRepository } from './campaigns/campaign-repository';
import { createStoreRepository, type StoreRepository } from './stores/store-repository';
import { createStoreLoaders, type StoreLoaders } from './stores/resolvers';

/** What the campaigns subgraph needs from the outside world. */
export interface CampaignsDependencies {
  graph: Graph;
  attribution: AttributionConfig;
  /** How the gateway's signatures are checked (`config.signing`). */
  signing: SigningConfig;
}

/** Per-request context: repositories, and DataLoaders that live for one request only. */
export interface CampaignsContext {
  /** Who is behind the request, as the gateway vouched. */
  principal: Principal;
  campaigns: CampaignRepository;
  loaders: CampaignLoaders;
  stores: StoreRepository;
  storeLoaders: StoreLoaders;
  attribution: AttributionConfig;
  attributionLoaders: AttributionLoaders;
}

export function createContextFactory(
  deps: CampaignsDependencies,
): (principal: Principal) => CampaignsContext {
  const campaigns = createCampaignRepository(deps.graph);
  const stores = createStoreRepository(deps.graph);
  const attribution = createAttributionRepository(deps.graph, deps.attribution);
  return (principal) => ({
    principal,
    campaigns,
    loaders: createCampaignLoaders(campaigns),
    stores,
    storeLoaders: createStoreLoaders(stores),
    attribution: deps.attribution,
    attributionLoaders: createAttributionLoaders(attribution),
  });
}
