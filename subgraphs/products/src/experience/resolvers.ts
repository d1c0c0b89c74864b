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
import type { DeviceContext } from './experience-rules';
import { deviceMenu, journeyMenu } from './experience-rules';
import type { ExperienceRepository } from './experience-repository';

const location = z
  .object({
    latitude,
    longitude,
  })
  .nullish()
  .transform((v) => v ?? null);

export function createExperienceLoaders(repo: ExperienceRepository) {
  return {
    deviceContext: keyedLoader<string, Omit<DeviceContext, 'now'> | null>(
      (serials) => repo.deviceContexts(serials),
      null,
    ),
  };
}

export type ExperienceLoaders = ReturnType<typeof createExperienceLoaders>;

export const experienceResolvers: Pick<Resolvers, 'Query' | 'Device'> = {
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
          ? await experience.couponsNear(customerId, sku, where.latitude, where.longitude)
          : [];
      return {
        stage: context.stage,
        actions: journeyMenu(context.stage, context.productName),
        offers,
      };
    },
  },
  Device: {
    async experience({ serial }, args, { experienceLoaders }) {
      parseArgument(location, args.location, 'location');
      const context = await experienceLoaders.deviceContext.load(serial);
      if (!context) throw notFound(`No device has serial ${serial}`, 'serial');
      return {
        stage: context.stage,
        actions: deviceMenu({ ...context, now: new Date().toISOString() }),
        offers: [],
      };
    },
  },
};
