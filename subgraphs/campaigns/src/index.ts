export { createCampaignsSubgraph, CAMPAIGNS_SCHEMA_PATH } from './server';
export type { CampaignsDependencies } from './context';
