export { createCampaignsSubgraph, CAMPAIGNS_SCHEMA_DIR } from './server';
export type { CampaignsDependencies } from './context';
