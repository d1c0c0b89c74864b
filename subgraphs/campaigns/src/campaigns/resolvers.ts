import { z } from 'zod';
import {
  badUserInput,
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
  text,
} from '@experience-graph/server-kit';
import { reachesCampaign, type Principal } from '@experience-graph/access';
import type { CampaignChannel, LifecycleStage, Resolvers } from '../__generated__/resolvers-types';
import type {
  CampaignPerformanceRecord,
  CampaignRecord,
  CampaignRepository,
} from './campaign-repository';

const createCampaignInput = z.object({
  id: businessKey,
  name: text(200),
  channel: z.string(),
  // Campaigns move people towards a purchase; later stages belong to the device itself.
  journeyStage: z.enum(['INTERESTED', 'ENGAGED', 'PURCHASED'], {
    message: 'must be INTERESTED, ENGAGED or PURCHASED: campaigns act before and at the sale',
  }),
  productSku: businessKey,
});

/** Per-request loaders: one query per kind of lookup, however many references arrive. */
export function createCampaignLoaders(repo: CampaignRepository) {
  return {
    campaignById: keyedLoader<string, CampaignRecord | null>(
      (ids) => repo.campaignsById(ids),
      null,
    ),
    campaignsTouchedBy: keyedLoader<string, CampaignRecord[]>(
      (ids) => repo.campaignsTouchedBy(ids),
      [],
    ),
    campaignsByProduct: keyedLoader<string, CampaignRecord[]>(
      (s) => repo.campaignsByProduct(s),
      [],
    ),
    performanceByCampaign: keyedLoader<string, CampaignPerformanceRecord | null>(
      (ids) => repo.performanceByCampaign(ids),
      null,
    ),
  };
}

export type CampaignLoaders = ReturnType<typeof createCampaignLoaders>;

/** A campaign the principal reaches (its ad platform, marketers, support), else null like a missing one. */
const inReach = (principal: Principal, campaign: CampaignRecord | null) =>
  campaign && reachesCampaign(principal, campaign.id) ? campaign : null;

export const campaignResolvers: Resolvers = {
  Query: {
    campaign: async (_parent, { id }, { loaders, principal }) =>
      inReach(principal, await loaders.campaignById.load(id)),
  },
  Customer: {
    campaignsTouched: ({ id }, _args, { loaders }) => loaders.campaignsTouchedBy.load(id),
  },
  Mutation: {
    async createCampaign(_parent, args, { campaigns }) {
      const input = parseArgument(createCampaignInput, args.input, 'input');
      const outcome = await campaigns.saveCampaign(input);
      switch (outcome.kind) {
        case 'saved':
          return outcome.campaign;
        case 'unknown-product':
          throw notFound(`No product model has sku ${input.productSku}`, 'input.productSku');
        case 'product-changed':
          throw badUserInput(
            `Campaign ${input.id} promotes ${outcome.productSku}; its product cannot change`,
            'input.productSku',
          );
      }
    },
  },
  Campaign: {
    __resolveReference: async ({ id }, { loaders, principal }) =>
      inReach(principal, await loaders.campaignById.load(id)),
    channel: ({ channel }) => channel as CampaignChannel,
    journeyStage: ({ journeyStage }) => journeyStage as LifecycleStage,
    product: ({ productSku }) => ({ sku: productSku }),
    conversions: async ({ id }, _args, { loaders }) =>
      (await loaders.performanceByCampaign.load(id))?.conversions ?? 0,
    deliveryPerformance: async ({ id }, _args, { loaders }) => {
      const p = await loaders.performanceByCampaign.load(id);
      return (
        p ?? {
          conversions: 0,
          orders: 0,
          delivered: 0,
          onTimeRate: null,
          inFullRate: null,
          otifRate: null,
        }
      );
    },
  },
  ProductModel: {
    campaigns: ({ sku }, _args, { loaders }) => loaders.campaignsByProduct.load(sku),
  },
};
