import { z } from 'zod';
import {
  badUserInput,
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
} from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { ConsentRecord, ConsentRepository } from './consent-repository';

const setConsentInput = z.object({
  customerId: businessKey,
  purpose: z.enum(['MARKETING_CONTACT', 'LOCATION_OFFERS', 'TELEMETRY_USE']),
  granted: z.boolean(),
  channels: z
    .array(z.enum(['EMAIL', 'SMS', 'PUSH']))
    .nullish()
    .transform((v) => [...new Set(v ?? [])]),
});

export function createConsentLoaders(repo: ConsentRepository) {
  return {
    consentsByCustomer: keyedLoader<string, ConsentRecord[]>(
      (ids) => repo.consentsByCustomer(ids),
      [],
    ),
  };
}

export type ConsentLoaders = ReturnType<typeof createConsentLoaders>;

export const consentResolvers: Pick<Resolvers, 'Mutation' | 'Customer'> = {
  Mutation: {
    async setConsent(_parent, args, { consents, segments }) {
      const input = parseArgument(setConsentInput, args.input, 'input');
      if (input.purpose !== 'MARKETING_CONTACT' && input.channels.length > 0) {
        throw badUserInput(
          'input.channels: only MARKETING_CONTACT has contact channels',
          'input.channels',
        );
      }
      const consent = await consents.setConsent(input);
      if (!consent) throw notFound(`No customer has id ${input.customerId}`, 'input.customerId');
      await segments.refresh([input.customerId]);
      return consent;
    },
  },
  Customer: {
    consents: ({ id }, _args, { consentLoaders }) => consentLoaders.consentsByCustomer.load(id),
  },
};
