import { reachesCustomer } from '@experience-graph/access';
import { z } from 'zod';
import {
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
  latitude,
  longitude,
} from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { deviceMenu, journeyMenu, rankOffers } from './experience-rules';
import type { DeviceExperienceContext, ExperienceRepository } from './experience-repository';

const location = z
  .object({
    latitude,
    longitude,
  })
  .nullish()
  .transform((v) => v ?? null);

export function createExperienceLoaders(repo: ExperienceRepository) {
  return {
    deviceContext: keyedLoader<string, DeviceExperienceContext | null>(
      (serials) => repo.deviceContexts(serials),
      null,
    ),
  };
}

export type ExperienceLoaders = ReturnType<typeof createExperienceLoaders>;

export const experienceResolvers: Pick<Resolvers, 'Query' | 'Device' | 'ExperienceOffer'> = {
  Query: {
    async journeyExperience(_parent, args, { experience, principal }) {
      const customerId = parseArgument(businessKey, args.customerId, 'customerId');
      const sku = parseArgument(businessKey, args.sku, 'sku');
      const where = parseArgument(location, args.location, 'location');
      // Someone else's menu answers like an unknown person's: a person gets only their own.
      const context = reachesCustomer(principal, customerId)
        ? await experience.journeyContext(customerId, sku)
        : { customerFound: false as const };
      if (!context.customerFound) throw notFound(`No customer has id ${customerId}`, 'customerId');
      if (context.productName === null) throw notFound(`No product model has sku ${sku}`, 'sku');
      // Consent and stage are read now, at the moment the offer would be shown.
      const offers =
        where !== null && context.stage === 'ENGAGED' && context.locationOffersAllowed
          ? rankOffers(
              await experience.couponsNear(customerId, sku, where.latitude, where.longitude),
            )
          : [];
      return {
        stage: context.stage,
        actions: journeyMenu(context.stage, context.productName),
        offers,
      };
    },
  },
  Device: {
    async experience({ serial }, args, { experience, experienceLoaders }) {
      const where = parseArgument(location, args.location, 'location');
      const context = await experienceLoaders.deviceContext.load(serial);
      if (!context) throw notFound(`No device has serial ${serial}`, 'serial');
      const { ownerId, locationOffersAllowed, ...menu } = context;
      // The owner's coupons at the stores around them, of any model, only with their consent
      // to location-based offers as it stands now; without a location or an owner, none.
      const offers =
        where !== null && ownerId !== null && locationOffersAllowed
          ? rankOffers(await experience.couponsNear(ownerId, null, where.latitude, where.longitude))
          : [];
      return {
        stage: context.stage,
        actions: deviceMenu({ ...menu, now: new Date().toISOString() }),
        offers,
      };
    },
  },
  ExperienceOffer: {
    async product({ sku }, _args, { loaders }) {
      const model = await loaders.modelBySku.load(sku);
      // A coupon's offer is always of an existing model: createOffer requires one.
      if (!model) throw new Error(`Offer model ${sku} is missing from the graph`);
      return model;
    },
  },
};
