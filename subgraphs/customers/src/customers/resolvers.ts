import { z } from 'zod';
import {
  DateTimeScalar,
  businessKey,
  keyedLoader,
  parseArgument,
  text,
} from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { refuseErased } from '../erasure/resolvers';
import type { CustomerRecord, CustomerRepository } from './customer-repository';

const registerCustomerInput = z.object({ id: businessKey, displayName: text(200) });

/** Per-request loaders: one query per kind of lookup, however many references arrive. */
export function createCustomerLoaders(repo: CustomerRepository) {
  return {
    customerById: keyedLoader<string, CustomerRecord | null>(
      (ids) => repo.customersById(ids),
      null,
    ),
    ownerBySerial: keyedLoader<string, CustomerRecord | null>((s) => repo.ownersBySerial(s), null),
  };
}

export type CustomerLoaders = ReturnType<typeof createCustomerLoaders>;

export const customerResolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    customer: (_parent, { id }, { loaders }) => loaders.customerById.load(id),
  },
  Mutation: {
    registerCustomer: async (_parent, args, { customers, erasures, erasure }) => {
      const input = parseArgument(registerCustomerInput, args.input, 'input');
      await refuseErased(erasures, erasure.salt, input.id);
      return customers.upsertCustomer(input);
    },
  },
  Customer: {
    __resolveReference: ({ id }, { loaders }) => loaders.customerById.load(id),
  },
  Device: {
    owner: ({ serial }, _args, { loaders }) => loaders.ownerBySerial.load(serial),
  },
};
