import type { AttributionConfig } from '@experience-graph/config';
import { keyedLoader } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { ATTRIBUTION_MODELS, attribute, type AttributionModel } from './attribution-models';
import type { AttributionRepository, FunnelGroup, OrderTouches } from './attribution-repository';
import { buildFunnel } from './funnel';

/** One touch's credit, as the API shows it. */
export interface CreditRecord {
  campaignId: string | null;
  referrerId: string | null;
  touchType: string;
  touchedAt: string;
  share: number;
  revenue: number;
}

/** Per-request loaders of attribution: one query per kind of read, however many keys. */
export function createAttributionLoaders(repo: AttributionRepository) {
  return {
    touchesOfOrder: keyedLoader<string, OrderTouches | null>(
      (ids) => repo.touchesOfOrders(ids),
      null,
    ),
    funnelGroups: keyedLoader<string, FunnelGroup[]>((ids) => repo.funnelGroups(ids), []),
    referredOrders: keyedLoader<string, string[]>((ids) => repo.referredOrders(ids), []),
  };
}

export type AttributionLoaders = ReturnType<typeof createAttributionLoaders>;

/** The credits of one order under a model; empty when the order is unknown or unattributed. */
function creditsOf(
  order: OrderTouches | null,
  model: AttributionModel,
  config: AttributionConfig,
): CreditRecord[] {
  if (!order) return [];
  return attribute(model, order.touches, order.placedAt, config).map(({ touch, share }) => ({
    campaignId: touch.campaignId,
    referrerId: touch.referrerId,
    touchType: touch.type,
    touchedAt: new Date(touch.at).toISOString(),
    share,
    revenue: share * order.amount,
  }));
}

/** The revenue that `orderIds` credit to the touches `mine` picks out, under a model. */
async function creditedRevenue(
  orderIds: readonly string[],
  mine: (credit: CreditRecord) => boolean,
  model: AttributionModel,
  loaders: AttributionLoaders,
  config: AttributionConfig,
): Promise<number> {
  const orders = await loaders.touchesOfOrder.loadMany(orderIds);
  let revenue = 0;
  for (const order of orders) {
    if (order instanceof Error) throw order;
    for (const credit of creditsOf(order, model, config))
      if (mine(credit)) revenue += credit.revenue;
  }
  return revenue;
}

/** The revenue credited to a campaign under a model, over the orders it influenced. */
async function attributedRevenue(
  campaignId: string,
  model: AttributionModel,
  loaders: AttributionLoaders,
  config: AttributionConfig,
): Promise<number> {
  const { orderIds } = buildFunnel(await loaders.funnelGroups.load(campaignId));
  return creditedRevenue(orderIds, (c) => c.campaignId === campaignId, model, loaders, config);
}

export const attributionResolvers: Pick<
  Resolvers,
  'Order' | 'AttributionCredit' | 'Campaign' | 'CampaignFunnel' | 'Customer'
> = {
  Customer: {
    referralAttributedRevenue: async ({ id }, { model }, { attributionLoaders, attribution }) =>
      creditedRevenue(
        await attributionLoaders.referredOrders.load(id),
        (c) => c.referrerId === id,
        model,
        attributionLoaders,
        attribution,
      ),
  },
  Order: {
    __resolveReference: ({ id }) => ({ id }),
    attribution: async ({ id }, { model }, { attributionLoaders, attribution }) =>
      creditsOf(await attributionLoaders.touchesOfOrder.load(id), model, attribution),
  },
  AttributionCredit: {
    campaign: ({ campaignId }, _args, { loaders }) =>
      campaignId === null ? null : loaders.campaignById.load(campaignId),
    referrer: ({ referrerId }) => (referrerId === null ? null : { id: referrerId }),
  },
  Campaign: {
    funnel: async ({ id }, _args, { attributionLoaders }) => ({
      campaignId: id,
      ...buildFunnel(await attributionLoaders.funnelGroups.load(id)),
    }),
    attributedRevenue: ({ id }, { model }, { attributionLoaders, attribution }) =>
      attributedRevenue(id, model, attributionLoaders, attribution),
  },
  CampaignFunnel: {
    attributedRevenue: ({ campaignId }, _args, { attributionLoaders, attribution }) =>
      Promise.all(
        ATTRIBUTION_MODELS.map(async (model) => ({
          model,
          revenue: await attributedRevenue(campaignId, model, attributionLoaders, attribution),
        })),
      ),
  },
};
