import type { MutationResolvers } from '../__generated__/resolvers-types';

export const eventResolvers: { Mutation: Pick<MutationResolvers, 'recordEvents'> } = {
  Mutation: {
    recordEvents: (_parent, { events }, { intake, principal }) =>
      intake.record(events as unknown as ReadonlyArray<Record<string, unknown>>, principal),
  },
};
