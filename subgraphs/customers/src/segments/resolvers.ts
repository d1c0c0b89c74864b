import { z } from 'zod';
import { keyedLoader, parseArgument } from '@experience-graph/server-kit';
import {
  segmentDefinition,
  segmentsFromStore,
  segmentsOfCustomer,
  type SegmentDefinition,
  type SegmentRepository,
} from '@experience-graph/segments';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CustomersContext } from '../context';
import type { ViewPart } from '../view/customer-view';

const first = z.number().int().min(1, 'must be 1 to 500').max(500, 'must be 1 to 500');

/** Per-request loaders of segments and memberships. */
export function createSegmentLoaders(repo: SegmentRepository) {
  return {
    segmentById: keyedLoader<string, SegmentDefinition | null>(
      (ids) => repo.definitionsById(ids),
      null,
    ),
    segmentsOf: keyedLoader<string, SegmentDefinition[]>((ids) => repo.segmentsOf(ids), []),
  };
}

export type SegmentLoaders = ReturnType<typeof createSegmentLoaders>;

/** A customer's segments in the customer view's statement. */
export const segmentViewPart: ViewPart<CustomersContext> = {
  fields: ['segments'],
  read: (column, _selection, { segmentLoaders }) => ({
    cypher: segmentsOfCustomer(column),
    prime: (id, value) => segmentLoaders.segmentsOf.prime(id, segmentsFromStore(value)),
  }),
};

export const segmentResolvers: Pick<Resolvers, 'Customer' | 'Segment' | 'Query' | 'Mutation'> = {
  Query: {
    segment: (_parent, { id }, { segmentLoaders }) => segmentLoaders.segmentById.load(id),
    segments: (_parent, _args, { segments }) => segments.definitions(),
  },
  Mutation: {
    defineSegment: (_parent, args, { segments }) =>
      segments.define(parseArgument(segmentDefinition, args.input, 'input')),
    deleteSegment: (_parent, { id }, { segments }) => segments.remove(id),
  },
  Customer: {
    segments: ({ id }, _args, { segmentLoaders }) => segmentLoaders.segmentsOf.load(id),
  },
  Segment: {
    __resolveReference: ({ id }, { segmentLoaders }) => segmentLoaders.segmentById.load(id),
    memberCount: async ({ id }, _args, { segments }) => (await segments.members(id, 1, null)).count,
    async members({ id }, args, { segments, loaders }) {
      const page = await segments.members(
        id,
        parseArgument(first, args.first, 'first'),
        args.after ?? null,
      );
      const customers = await loaders.customerById.loadMany(page.ids);
      return customers.filter(
        (c): c is Exclude<typeof c, null | Error> => c !== null && !(c instanceof Error),
      );
    },
  },
};
