import { reachesStore } from '@experience-graph/access';
import { z } from 'zod';
import {
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
  text,
  latitude,
  longitude,
} from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CouponRecord, OfferRecord, StoreRecord, StoreRepository } from './store-repository';

const createStoreInput = z.object({
  id: businessKey,
  name: text(200),
  latitude,
  longitude,
  radiusMeters: z.number().min(10, 'must be at least 10').max(50_000, 'must be at most 50,000'),
});

const createOfferInput = z.object({
  id: businessKey,
  storeId: businessKey,
  productSku: businessKey,
  amount: z.number().gt(0, 'must be more than 0').max(100_000, 'must be at most 100,000'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 code such as USD'),
  validDays: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 to 365')
    .max(365, 'must be 1 to 365'),
  active: z
    .boolean()
    .nullish()
    .transform((v) => v ?? true),
});

export function createStoreLoaders(repo: StoreRepository) {
  return {
    storeById: keyedLoader<string, StoreRecord | null>((ids) => repo.storesById(ids), null),
    offerById: keyedLoader<string, OfferRecord | null>((ids) => repo.offersById(ids), null),
    offersByStore: keyedLoader<string, OfferRecord[]>((ids) => repo.offersByStore(ids), []),
    couponsByCustomer: keyedLoader<string, CouponRecord[]>(
      (ids) => repo.couponsByCustomer(ids),
      [],
    ),
  };
}

export type StoreLoaders = ReturnType<typeof createStoreLoaders>;

const required = <T>(value: T | null, what: string): T => {
  if (value === null) throw new Error(`${what} is missing from the graph`);
  return value;
};

export const storeResolvers: Pick<
  Resolvers,
  'Query' | 'Mutation' | 'Store' | 'Offer' | 'Coupon' | 'Customer'
> = {
  Query: {
    // A store out of reach (another retailer's) answers like a missing one.
    store: async (_parent, { id }, { storeLoaders, principal }) =>
      reachesStore(principal, id) ? storeLoaders.storeById.load(id) : null,
  },
  Mutation: {
    createStore: (_parent, args, { stores }) =>
      stores.saveStore(parseArgument(createStoreInput, args.input, 'input')),
    async createOffer(_parent, args, { stores }) {
      const input = parseArgument(createOfferInput, args.input, 'input');
      const outcome = await stores.saveOffer(input);
      if (outcome.kind === 'unknown-store')
        throw notFound(`No store has id ${input.storeId}`, 'input.storeId');
      if (outcome.kind === 'unknown-product') {
        throw notFound(`No product model has sku ${input.productSku}`, 'input.productSku');
      }
      return outcome.offer;
    },
  },
  Store: {
    __resolveReference: async ({ id }, { storeLoaders, principal }) =>
      reachesStore(principal, id) ? storeLoaders.storeById.load(id) : null,
    offers: ({ id }, _args, { storeLoaders }) => storeLoaders.offersByStore.load(id),
  },
  Offer: {
    store: async ({ storeId }, _args, { storeLoaders }) =>
      required(await storeLoaders.storeById.load(storeId), `Store ${storeId}`),
    product: ({ productSku }) => ({ sku: productSku }),
  },
  Coupon: {
    offer: async ({ offerId }, _args, { storeLoaders }) =>
      required(await storeLoaders.offerById.load(offerId), `Offer ${offerId}`),
  },
  Customer: {
    coupons: ({ id }, _args, { storeLoaders }) => storeLoaders.couponsByCustomer.load(id),
  },
};
