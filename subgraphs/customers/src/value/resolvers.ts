import { keyedLoader } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { populationKey, refreshValueModel } from './value-model';
import type {
  CustomerValueRecord,
  PredictedValueRecord,
  ValueModelFitRecord,
  ValueRepository,
} from './value-repository';

export function createValueLoaders(repo: ValueRepository) {
  return {
    valueById: keyedLoader<string, CustomerValueRecord | null>((ids) => repo.valuesById(ids), null),
    referrerOf: keyedLoader<string, string | null>((ids) => repo.referrerOf(ids), null),
    referralsOf: keyedLoader<string, string[]>((ids) => repo.referralsOf(ids), []),
    erasedReferralsOf: keyedLoader<string, number>((ids) => repo.erasedReferralsOf(ids), 0),
    predictionById: keyedLoader<string, PredictedValueRecord | null>(
      (ids) => repo.predictionsById(ids),
      null,
    ),
    fitById: keyedLoader<string, ValueModelFitRecord | null>((ids) => repo.fitsById(ids), null),
  };
}

export type ValueLoaders = ReturnType<typeof createValueLoaders>;

export const valueResolvers: Pick<Resolvers, 'Customer' | 'CustomerValue' | 'Query' | 'Mutation'> =
  {
    Query: {
      valueModel: (_parent, { id }, { valueLoaders }) => valueLoaders.fitById.load(id),
      latestValueModel: (_parent, { population }, { value }) =>
        value.latestFit(populationKey(population?.idPrefix)),
    },
    Mutation: {
      refreshValueModel: (_parent, { input }, { value, valueModel }) =>
        refreshValueModel(value, valueModel, input),
    },
    CustomerValue: {
      predicted: ({ customerId }, _args, { valueLoaders }) =>
        valueLoaders.predictionById.load(customerId),
    },
    Customer: {
      value: async ({ id }, _args, { valueLoaders }) =>
        (await valueLoaders.valueById.load(id)) ?? {
          customerId: id,
          historical: 0,
          referral: 0,
          helpfulness: 0,
          total: 0,
          peopleReferred: 0,
          peopleReferredDirectly: 0,
        },
      async referredBy({ id }, _args, { valueLoaders, loaders }) {
        const referrerId = await valueLoaders.referrerOf.load(id);
        return referrerId === null ? null : loaders.customerById.load(referrerId);
      },
      erasedReferrals: ({ id }, _args, { valueLoaders }) => valueLoaders.erasedReferralsOf.load(id),
      async referrals({ id }, _args, { valueLoaders, loaders }) {
        const ids = await valueLoaders.referralsOf.load(id);
        const customers = await loaders.customerById.loadMany(ids);
        return customers.filter(
          (c): c is Exclude<typeof c, null | Error> => c !== null && !(c instanceof Error),
        );
      },
    },
  };
