import { keyedLoader } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { populationKey, refreshValueModel } from './value-model';
import type { CustomersContext } from '../context';
import type { CustomerRecord } from '../customers/customer-repository';
import type { ViewPart } from '../view/customer-view';
import {
  predictionOfCustomer,
  referralsOfCustomer,
  referrerOfCustomer,
  valueOfCustomer,
  type CustomerValueRecord,
  type PredictedValueRecord,
  type ValueModelFitRecord,
  type ValueRepository,
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

/** Value (with its prediction when asked), referrer and referrals in the customer view. */
export const valueViewParts: Array<ViewPart<CustomersContext>> = [
  {
    fields: ['value'],
    read(column, selection, { value, valueLoaders }) {
      const predicted = selection.get('value')?.fields.has('predicted') === true;
      return {
        cypher: `
  CALL (c) { ${valueOfCustomer('value', value.maxHops)} }
  ${predicted ? `CALL (c) { ${predictionOfCustomer('prediction')} }` : 'WITH value, null AS prediction'}
  RETURN {value: value, prediction: prediction} AS ${column}`,
        params: value.valueParams,
        prime(customerId, read) {
          const { value: own, prediction } = read as {
            value: Omit<CustomerValueRecord, 'customerId'>;
            prediction: PredictedValueRecord | null;
          };
          valueLoaders.valueById.prime(customerId, { customerId, ...own });
          if (predicted) valueLoaders.predictionById.prime(customerId, prediction);
        },
      };
    },
  },
  {
    fields: ['referredBy'],
    read: (column, _selection, { valueLoaders, loaders }) => ({
      cypher: referrerOfCustomer(column),
      prime(customerId, read) {
        const referrer = read as CustomerRecord | null;
        valueLoaders.referrerOf.prime(customerId, referrer?.id ?? null);
        if (referrer) loaders.customerById.prime(referrer.id, referrer);
      },
    }),
  },
  {
    fields: ['referrals'],
    read: (column, _selection, { valueLoaders, loaders }) => ({
      cypher: referralsOfCustomer(column),
      prime(customerId, read) {
        const referred = read as CustomerRecord[];
        valueLoaders.referralsOf.prime(
          customerId,
          referred.map((x) => x.id),
        );
        for (const x of referred) loaders.customerById.prime(x.id, x);
      },
    }),
  },
];

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
