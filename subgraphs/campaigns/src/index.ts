export { createCampaignsSubgraph, CAMPAIGNS_SCHEMA_DIR } from './server';
export type { CampaignsDependencies } from './context';
export { createAttributionRepository } from './attribution/attribution-repository';
export {
  attribute,
  ATTRIBUTION_MODELS,
  type AttributionModel,
} from './attribution/attribution-models';
