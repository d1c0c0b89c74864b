import type { Resolvers } from './__generated__/resolvers-types';
import { backlogResolvers } from './backlog/resolvers';
import { resolvers as deviceResolvers } from './devices/resolvers';
import { eventResolvers } from './events/resolvers';
import { experienceResolvers } from './experience/resolvers';
import { healthResolvers } from './health/resolvers';
import { perceptionResolvers } from './perception/resolvers';

/** Every module's resolvers, merged into the subgraph's map. */
export const resolvers: Resolvers = {
  ...deviceResolvers,
  Query: {
    ...deviceResolvers.Query,
    ...experienceResolvers.Query,
    ...healthResolvers.Query,
    ...backlogResolvers.Query,
  },
  Intervention: healthResolvers.Intervention,
  ExperienceOffer: experienceResolvers.ExperienceOffer,
  Mutation: {
    ...deviceResolvers.Mutation,
    ...eventResolvers.Mutation,
    ...healthResolvers.Mutation,
    ...perceptionResolvers.Mutation,
  },
  ProductModel: { ...deviceResolvers.ProductModel, ...perceptionResolvers.ProductModel },
  Device: { ...deviceResolvers.Device, ...experienceResolvers.Device, ...healthResolvers.Device },
};
