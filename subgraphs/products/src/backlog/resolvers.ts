import type { Resolvers } from '../__generated__/resolvers-types';

export const backlogResolvers: Pick<Resolvers, 'Query'> = {
  Query: {
    signalBacklog: (_parent, _args, { backlog }) => backlog.read(),
  },
};
