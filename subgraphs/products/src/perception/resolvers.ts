import { z } from 'zod';
import { businessKey, keyedLoader, notFound, parseArgument } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import {
  perceptionOf,
  type PerceptionRecord,
  type PerceptionRepository,
} from './perception-repository';

const setTargetInput = z.object({
  sku: businessKey,
  score: z.number().min(0, 'must be 0 to 100').max(100, 'must be 0 to 100'),
});

export function createPerceptionLoaders(repo: PerceptionRepository) {
  return {
    perceptionBySku: keyedLoader<string, PerceptionRecord | null>(
      (skus) => repo.perceptionsBySku(skus),
      null,
    ),
  };
}

export type PerceptionLoaders = ReturnType<typeof createPerceptionLoaders>;

export const perceptionResolvers: Pick<Resolvers, 'Mutation' | 'ProductModel'> = {
  Mutation: {
    async setExperienceTarget(_parent, args, { perception }) {
      const { sku, score } = parseArgument(setTargetInput, args.input, 'input');
      const model = await perception.setTarget(sku, score);
      if (!model) throw notFound(`No product model has sku ${sku}`, 'input.sku');
      return model;
    },
  },
  ProductModel: {
    perception: async ({ sku }, _args, { perceptionLoaders }) =>
      (await perceptionLoaders.perceptionBySku.load(sku)) ?? perceptionOf(null, null, 0),
  },
};
