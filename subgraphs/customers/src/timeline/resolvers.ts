import DataLoader from 'dataloader';
import { z } from 'zod';
import { parseArgument } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CustomersContext } from '../context';
import type { ViewPart } from '../view/customer-view';
import {
  timelineOfCustomer,
  type TimelineRepository,
  type TouchpointRecord,
} from './timeline-repository';

const first = z.number().int().min(1, 'must be 1 to 200').max(200, 'must be 1 to 200');

export function createTimelineLoaders(repo: TimelineRepository) {
  return {
    timeline: new DataLoader<{ customerId: string; first: number }, TouchpointRecord[], string>(
      async (keys) => {
        // One query per page size; a request rarely mixes sizes.
        const results = new Map<string, TouchpointRecord[]>();
        for (const size of new Set(keys.map((k) => k.first))) {
          const ids = keys.filter((k) => k.first === size).map((k) => k.customerId);
          for (const [id, touchpoints] of await repo.timelines(ids, size)) {
            results.set(`${id}|${size}`, touchpoints);
          }
        }
        return keys.map((k) => results.get(`${k.customerId}|${k.first}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.customerId}|${k.first}` },
    ),
  };
}

export type TimelineLoaders = ReturnType<typeof createTimelineLoaders>;

/** The timeline in the customer view's statement, for a page size its resolver accepts. */
export const timelineViewPart: ViewPart<CustomersContext> = {
  fields: ['timeline'],
  read(column, selection, { timelineLoaders }) {
    const size = first.safeParse(selection.get('timeline')?.args['first']);
    if (!size.success) return null;
    return {
      cypher: timelineOfCustomer(column, `${column}First`),
      params: { [`${column}First`]: size.data },
      prime: (customerId, value) =>
        timelineLoaders.timeline.prime(
          { customerId, first: size.data },
          value as TouchpointRecord[],
        ),
    };
  },
};

const ref = <T>(value: string | null, make: (key: string) => T): T | null =>
  value === null ? null : make(value);

export const timelineResolvers: Pick<Resolvers, 'Customer' | 'Touchpoint'> = {
  Customer: {
    timeline: ({ id }, args, { timelineLoaders }) =>
      timelineLoaders.timeline.load({
        customerId: id,
        first: parseArgument(first, args.first, 'first'),
      }),
  },
  Touchpoint: {
    // Campaign, product and store come with their names (@provides): the gateway asks no other
    // subgraph for a timeline.
    campaign: ({ campaign }) => campaign,
    product: ({ product }) => product,
    device: ({ serial }) => ref(serial, (key) => ({ serial: key })),
    store: ({ store }) => store,
  },
};
