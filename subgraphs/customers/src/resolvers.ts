import type { Resolvers } from './__generated__/resolvers-types';
import { consentResolvers } from './consents/resolvers';
import { customerResolvers } from './customers/resolvers';
import { identityResolvers } from './identity/resolvers';
import { timelineResolvers } from './timeline/resolvers';
import { valueResolvers } from './value/resolvers';
import { voiceResolvers } from './voice/resolvers';

/** Every module's resolvers, merged into the subgraph's map. */
export const resolvers: Resolvers = {
  ...customerResolvers,
  Query: { ...customerResolvers.Query, ...identityResolvers.Query, ...valueResolvers.Query },
  Mutation: {
    ...customerResolvers.Mutation,
    ...consentResolvers.Mutation,
    ...identityResolvers.Mutation,
    ...valueResolvers.Mutation,
  },
  CustomerValue: valueResolvers.CustomerValue,
  Touchpoint: timelineResolvers.Touchpoint,
  Customer: {
    ...customerResolvers.Customer,
    ...consentResolvers.Customer,
    ...timelineResolvers.Customer,
    ...valueResolvers.Customer,
    ...identityResolvers.Customer,
    ...voiceResolvers.Customer,
  },
};
