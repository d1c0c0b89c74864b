import { z } from 'zod';
import {
  badUserInput,
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
  text,
} from '@experience-graph/server-kit';
import { principalKey, reachesCustomer, type Principal } from '@experience-graph/access';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CustomersContext } from '../context';
import type { ViewPart } from '../view/customer-view';
import {
  consentsOfCustomer,
  preferencesOfCustomer,
  type ConsentChangeRecord,
  type ConsentRecord,
  type ConsentRepository,
  type PreferenceRecord,
} from './consent-repository';

const SOURCES = ['APP', 'WEB', 'STORE', 'SUPPORT', 'IMPORT'] as const;

const setConsentInput = z.object({
  customerId: businessKey,
  purpose: z.enum(['MARKETING_CONTACT', 'LOCATION_OFFERS', 'TELEMETRY_USE']),
  granted: z.boolean(),
  channels: z
    .array(z.enum(['EMAIL', 'SMS', 'PUSH']))
    .nullish()
    .transform((v) => [...new Set(v ?? [])]),
  source: z
    .enum(SOURCES)
    .nullish()
    .transform((v) => v ?? 'APP'),
});

const volunteerPreferenceInput = z.object({
  customerId: businessKey,
  key: z.enum([
    'PREFERRED_CONTACT_TIME',
    'INTERESTS',
    'PRINT_VOLUME',
    'HOUSEHOLD_SIZE',
    'LANGUAGE',
  ]),
  value: text(200),
  source: z.enum(SOURCES),
});

export function createConsentLoaders(repo: ConsentRepository) {
  return {
    consentsByCustomer: keyedLoader<string, ConsentRecord[]>(
      (ids) => repo.consentsByCustomer(ids),
      [],
    ),
    historyOf: keyedLoader<string, ConsentChangeRecord[]>((keys) => repo.historyOf(keys), []),
    currentPreferences: keyedLoader<string, PreferenceRecord[]>(
      (ids) => repo.preferencesOf(ids, false),
      [],
    ),
    allPreferences: keyedLoader<string, PreferenceRecord[]>(
      (ids) => repo.preferencesOf(ids, true),
      [],
    ),
  };
}

export type ConsentLoaders = ReturnType<typeof createConsentLoaders>;

/** Consents and preferences in the customer view's statement. */
export const consentViewParts: Array<ViewPart<CustomersContext>> = [
  {
    fields: ['consents'],
    read: (column, _selection, { consentLoaders }) => ({
      cypher: consentsOfCustomer(column),
      prime: (id, value) => consentLoaders.consentsByCustomer.prime(id, value as ConsentRecord[]),
    }),
  },
  {
    fields: ['preferences'],
    read(column, selection, { consentLoaders }) {
      const withHistory = selection.get('preferences')?.args['includeSuperseded'] === true;
      const loader = withHistory
        ? consentLoaders.allPreferences
        : consentLoaders.currentPreferences;
      return {
        cypher: preferencesOfCustomer(column, `${column}History`),
        params: { [`${column}History`]: withHistory },
        prime: (id, value) => loader.prime(id, value as PreferenceRecord[]),
      };
    },
  },
];

/** Where a person can speak for themselves: not in a store or to support, who record it for them. */
const PERSON_SOURCES = ['APP', 'WEB'];

/**
 * Who may record a decision for a customer, and from where: a person only their own, from the app
 * or the web; others only for customers they reach. A customer out of reach answers like an
 * unknown one.
 */
function checkSpeaksFor(principal: Principal, input: { customerId: string; source: string }) {
  if (!reachesCustomer(principal, input.customerId)) {
    throw notFound(`No customer has id ${input.customerId}`, 'input.customerId');
  }
  if (principal.kind === 'person' && !PERSON_SOURCES.includes(input.source)) {
    throw badUserInput(
      `input.source: a person records their own decisions through ${PERSON_SOURCES.join(' or ')}`,
      'input.source',
    );
  }
}

export const consentResolvers: Pick<Resolvers, 'Mutation' | 'Customer' | 'Consent'> = {
  Mutation: {
    async setConsent(_parent, args, { consents, segments, principal }) {
      const input = parseArgument(setConsentInput, args.input, 'input');
      checkSpeaksFor(principal, input);
      if (input.purpose !== 'MARKETING_CONTACT' && input.channels.length > 0) {
        throw badUserInput(
          'input.channels: only MARKETING_CONTACT has contact channels',
          'input.channels',
        );
      }
      const consent = await consents.setConsent({ ...input, recordedBy: principalKey(principal) });
      if (!consent) throw notFound(`No customer has id ${input.customerId}`, 'input.customerId');
      await segments.refresh([input.customerId]);
      return consent;
    },
    async volunteerPreference(_parent, args, { consents, segments, principal }) {
      const input = parseArgument(volunteerPreferenceInput, args.input, 'input');
      checkSpeaksFor(principal, input);
      const preference = await consents.volunteer({
        ...input,
        recordedBy: principalKey(principal),
      });
      if (!preference) {
        throw notFound(`No customer has id ${input.customerId}`, 'input.customerId');
      }
      await segments.refresh([input.customerId]);
      return preference;
    },
  },
  Consent: {
    history: ({ customerId, purpose }, _args, { consentLoaders }) =>
      consentLoaders.historyOf.load(`${customerId}|${purpose}`),
  },
  Customer: {
    consents: ({ id }, _args, { consentLoaders }) => consentLoaders.consentsByCustomer.load(id),
    preferences: ({ id }, { includeSuperseded }, { consentLoaders }) =>
      (includeSuperseded ? consentLoaders.allPreferences : consentLoaders.currentPreferences).load(
        id,
      ),
  },
};
