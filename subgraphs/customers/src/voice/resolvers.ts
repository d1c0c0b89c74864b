import { keyedLoader } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CustomersContext } from '../context';
import type { ViewPart } from '../view/customer-view';
import {
  voiceOfCustomer,
  type CustomerVoiceRecord,
  type VoiceRepository,
} from './voice-repository';

export function createVoiceLoaders(repo: VoiceRepository) {
  return {
    voiceById: keyedLoader<string, CustomerVoiceRecord | null>((ids) => repo.voicesById(ids), null),
  };
}

export type VoiceLoaders = ReturnType<typeof createVoiceLoaders>;

/** Sentiment and helpful votes in the customer view's statement. */
export const voiceViewPart: ViewPart<CustomersContext> = {
  fields: ['sentiment', 'helpfulVotes', 'superUser'],
  read: (column, _selection, { voiceLoaders }) => ({
    cypher: voiceOfCustomer(column),
    prime: (id, value) => voiceLoaders.voiceById.prime(id, value as CustomerVoiceRecord),
  }),
};

const SILENT: CustomerVoiceRecord = { sentimentScore: null, sentimentMentions: 0, helpfulVotes: 0 };

export const voiceResolvers: Pick<Resolvers, 'Customer'> = {
  Customer: {
    async sentiment({ id }, _args, { voiceLoaders }) {
      const voice = (await voiceLoaders.voiceById.load(id)) ?? SILENT;
      return { score: voice.sentimentScore, mentions: voice.sentimentMentions };
    },
    helpfulVotes: async ({ id }, _args, { voiceLoaders }) =>
      ((await voiceLoaders.voiceById.load(id)) ?? SILENT).helpfulVotes,
    superUser: async ({ id }, _args, { voiceLoaders, valueConfig }) =>
      ((await voiceLoaders.voiceById.load(id)) ?? SILENT).helpfulVotes >=
      valueConfig.superUserMinHelpfulVotes,
  },
};
