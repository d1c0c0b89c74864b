import { subgraphCodegen } from '../codegen-preset';

export default subgraphCodegen({
  contextType: '../context#CampaignsContext',
  mappers: {
    Campaign: '../campaigns/campaign-repository#CampaignRecord',
    ProductModel: '../campaigns/campaign-repository#ProductModelRef',
  },
});
