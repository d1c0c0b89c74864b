import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import {
  DateTimeScalar,
  businessKey,
  keyedLoader,
  parseArgument,
  text,
} from '@experience-graph/server-kit';
import { reachesCustomer } from '@experience-graph/access';
import type { Resolvers } from '../__generated__/resolvers-types';
import { refuseErased } from '../erasure/resolvers';
import type { CustomersContext } from '../context';
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

/**
 * A customer by any id of theirs, or null when there is none or the principal does not reach
 * them: a person reaches only the person their id resolves to now (after merges, the survivor).
 */
export async function reachableCustomer(
  { loaders, principal }: Pick<CustomersContext, 'loaders' | 'principal'>,
  id: string,
): Promise<CustomerRecord | null> {
  const customer = await loaders.customerById.load(id);
  return customer && reachesCustomer(principal, customer.id) ? customer : null;
}

/**
 * The same, with everything `info` selects of them read in the same statement (the customer
 * view, see view/customer-view.ts). A person out of reach costs that read but sees nothing.
 */
async function viewedCustomer(
  { view, principal }: Pick<CustomersContext, 'view' | 'principal'>,
  id: string,
  info: GraphQLResolveInfo,
): Promise<CustomerRecord | null> {
  const customer = await view.load(id, info);
  return customer && reachesCustomer(principal, customer.id) ? customer : null;
}

export const customerResolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    customer: (_parent, { id }, context, info) => viewedCustomer(context, id, info),
  },
  Mutation: {
    registerCustomer: async (_parent, args, { customers, erasures, erasure }) => {
      const input = parseArgument(registerCustomerInput, args.input, 'input');
      await refuseErased(erasures, erasure.salt, input.id);
      return customers.upsertCustomer(input);
    },
  },
  Customer: {
    __resolveReference: ({ id }, context, info) => viewedCustomer(context, id, info),
  },
  Device: {
    async owner({ serial }, _args, { loaders, principal }) {
      const owner = await loaders.ownerBySerial.load(serial);
      return owner && reachesCustomer(principal, owner.id) ? owner : null;
    },
  },
};
