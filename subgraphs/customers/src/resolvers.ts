import type { Resolvers } from './__generated__/resolvers-types';
import { consentResolvers } from './consents/resolvers';
import { customerResolvers } from './customers/resolvers';
import { identityResolvers } from './identity/resolvers';
import { erasureResolvers } from './erasure/resolvers';
import { segmentResolvers } from './segments/resolvers';
import { qualityResolvers } from './quality/resolvers';
import { timelineResolvers } from './timeline/resolvers';
import { valueResolvers } from './value/resolvers';
import { voiceResolvers } from './voice/resolvers';

/** Every module's resolvers, merged into the subgraph's map. */
export const resolvers: Resolvers = {
  ...customerResolvers,
  Query: {
    ...customerResolvers.Query,
    ...identityResolvers.Query,
    ...valueResolvers.Query,
    ...erasureResolvers.Query,
    ...segmentResolvers.Query,
  },
  Mutation: {
    ...customerResolvers.Mutation,
    ...consentResolvers.Mutation,
    ...identityResolvers.Mutation,
    ...valueResolvers.Mutation,
    ...erasureResolvers.Mutation,
    ...segmentResolvers.Mutation,
  },
  CustomerValue: valueResolvers.CustomerValue,
  Consent: consentResolvers.Consent,
  Erasure: erasureResolvers.Erasure,
  Segment: segmentResolvers.Segment,
  Touchpoint: timelineResolvers.Touchpoint,
  Identity: identityResolvers.Identity,
  CustomerMerge: identityResolvers.CustomerMerge,
  Customer: {
    ...customerResolvers.Customer,
    ...consentResolvers.Customer,
    ...timelineResolvers.Customer,
    ...valueResolvers.Customer,
    ...identityResolvers.Customer,
    ...voiceResolvers.Customer,
    ...segmentResolvers.Customer,
    ...qualityResolvers.Customer,
  },
};
