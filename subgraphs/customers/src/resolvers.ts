import type { Resolvers } from './__generated__/resolvers-types';
import { consentResolvers } from './consents/resolvers';
import { customerResolvers } from './customers/resolvers';
import { erasureResolvers } from './erasure/resolvers';
import { timelineResolvers } from './timeline/resolvers';
import { valueResolvers } from './value/resolvers';

/** Every module's resolvers, merged into the subgraph's map. */
export const resolvers: Resolvers = {
  ...customerResolvers,
  Query: { ...customerResolvers.Query, ...erasureResolvers.Query },
  Mutation: {
    ...customerResolvers.Mutation,
    ...consentResolvers.Mutation,
    ...erasureResolvers.Mutation,
  },
  Erasure: erasureResolvers.Erasure,
  Touchpoint: timelineResolvers.Touchpoint,
  Customer: {
    ...customerResolvers.Customer,
    ...consentResolvers.Customer,
    ...timelineResolvers.Customer,
    ...valueResolvers.Customer,
  },
};
