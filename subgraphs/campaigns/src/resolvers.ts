import { DateTimeScalar } from '@experience-graph/server-kit';
import type { Resolvers } from './__generated__/resolvers-types';
import { attributionResolvers } from './attribution/resolvers';
import { campaignResolvers } from './campaigns/resolvers';
import { storeResolvers } from './stores/resolvers';

/** Every module's resolvers, merged into the subgraph's map. */
export const resolvers: Resolvers = {
  ...campaignResolvers,
  ...storeResolvers,
  ...attributionResolvers,
  Campaign: { ...campaignResolvers.Campaign, ...attributionResolvers.Campaign },
  Customer: {
    ...storeResolvers.Customer,
    ...attributionResolvers.Customer,
    ...campaignResolvers.Customer,
  },
  DateTime: DateTimeScalar,
  Query: { ...campaignResolvers.Query, ...storeResolvers.Query },
  Mutation: { ...campaignResolvers.Mutation, ...storeResolvers.Mutation },
};
