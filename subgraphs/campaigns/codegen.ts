import { subgraphCodegen } from '../codegen-preset';

export default subgraphCodegen({
  contextType: '../context#CampaignsContext',
  mappers: {
    Campaign: '../campaigns/campaign-repository#CampaignRecord',
    ProductModel: '../campaigns/campaign-repository#ProductModelRef',
    DeliveryPerformance: '../campaigns/campaign-repository#CampaignPerformanceRecord',
    Customer: '../attribution/attribution-repository#CustomerRef',
    Order: '../attribution/attribution-repository#OrderRef',
    AttributionCredit: '../attribution/resolvers#CreditRecord',
    CampaignFunnel: '../attribution/funnel#CampaignFunnelRecord',
    Store: '../stores/store-repository#StoreRecord',
    Offer: '../stores/store-repository#OfferRecord',
    Coupon: '../stores/store-repository#CouponRecord',
  },
});
