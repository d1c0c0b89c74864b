import { GraphQLError } from 'graphql';
import { principalKey, reachesCustomer } from '@experience-graph/access';
import { z } from 'zod';
import {
  identitiesOfCustomer,
  IdentityError,
  parseIdentifier,
  type IdentityRecord,
  type IdentityRepository,
  type MergeRecord,
} from '@experience-graph/identity';
import {
  badUserInput,
  businessKey,
  keyedLoader,
  parseArgument,
  text,
} from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CustomersContext } from '../context';
import type { ViewPart } from '../view/customer-view';
import type { ProvenanceRepository } from './provenance-repository';

const mergeCustomersInput = z.object({
  survivorId: businessKey,
  absorbedId: businessKey,
  reason: text(500),
});
const undoMergeInput = z.object({ mergeId: businessKey, reason: text(500) });

/** Per-request loaders of identities and merges: one query per kind, however many customers. */
export function createIdentityLoaders(repo: IdentityRepository, provenance: ProvenanceRepository) {
  return {
    mergeRecordedBy: keyedLoader<string, string | null>(
      (ids) => provenance.mergesRecordedBy(ids),
      null,
    ),
    identityLinkedBy: keyedLoader<string, string | null>(
      (keys) => provenance.identitiesLinkedBy(keys),
      null,
    ),
    identitiesByCustomer: keyedLoader<string, IdentityRecord[]>(
      (ids) => repo.identitiesByCustomer(ids),
      [],
    ),
    mergesByCustomer: keyedLoader<string, MergeRecord[]>((ids) => repo.mergesByCustomer(ids), []),
    mergeById: keyedLoader<string, MergeRecord | null>((ids) => repo.mergesById(ids), null),
    /** The person an identifier key names now, or the number of people sharing it. */
    ownerByIdentifier: keyedLoader<string, { customerId: string | null; sharedBy: number } | null>(
      (keys) => repo.ownersByIdentifier(keys),
      null,
    ),
  };
}

export type IdentityLoaders = ReturnType<typeof createIdentityLoaders>;

/** A customer's identities in the customer view's statement. */
export const identityViewPart: ViewPart<CustomersContext> = {
  fields: ['identities'],
  read: (column, _selection, { identityLoaders }) => ({
    cypher: identitiesOfCustomer(column),
    prime: (id, value) => identityLoaders.identitiesByCustomer.prime(id, value as IdentityRecord[]),
  }),
};

/** The repository's refusals as GraphQL errors with their code and field. */
async function asGraphQLError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof IdentityError) {
      throw new GraphQLError(error.message, {
        extensions: { code: error.code, field: error.field },
      });
    }
    throw error;
  }
}

/** An identity as the Customer.identities field hands it on: with whose it is, for `linkedBy`. */
type OwnedIdentity = IdentityRecord & { customerId?: string };

export const identityResolvers: Pick<
  Resolvers,
  'Query' | 'Mutation' | 'Customer' | 'Identity' | 'CustomerMerge'
> = {
  Query: {
    async customerByIdentifier(_parent, args, { loaders, identityLoaders, principal }) {
      const parsed = parseIdentifier(args);
      if (!parsed.ok) {
        throw badUserInput(
          `${parsed.problem.field}: ${parsed.problem.message}`,
          parsed.problem.field,
        );
      }
      const owner = await identityLoaders.ownerByIdentifier.load(parsed.identifier.key);
      if (!owner) return null;
      if (owner.customerId === null) {
        throw new GraphQLError(
          `${parsed.identifier.key} is shared by ${owner.sharedBy} people and names no one person`,
          { extensions: { code: 'AMBIGUOUS', field: 'value' } },
        );
      }
      const customer = await loaders.customerById.load(owner.customerId);
      // Out of reach answers like unknown: null.
      return customer && reachesCustomer(principal, customer.id) ? customer : null;
    },
    merge: (_parent, { id }, { identityLoaders }) => identityLoaders.mergeById.load(id),
  },
  Mutation: {
    async mergeCustomers(_parent, args, { identity, segments, principal }) {
      const input = parseArgument(mergeCustomersInput, args.input, 'input');
      const merge = await asGraphQLError(() =>
        identity.mergeCustomers({ ...input, recordedBy: principalKey(principal) }),
      );
      await segments.refresh([merge.survivorId, merge.absorbedId]);
      return merge;
    },
    async undoMerge(_parent, args, { identity, segments }) {
      const merge = await asGraphQLError(() =>
        identity.undoMerge(parseArgument(undoMergeInput, args.input, 'input')),
      );
      // Both people are themselves again, with what the merge had moved.
      await segments.refresh([merge.survivorId, merge.absorbedId]);
      return merge;
    },
  },
  Customer: {
    identities: async ({ id }, _args, { identityLoaders }) =>
      (await identityLoaders.identitiesByCustomer.load(id)).map((identity): OwnedIdentity => ({
        ...identity,
        customerId: id,
      })),
    merges: ({ id }, _args, { identityLoaders }) => identityLoaders.mergesByCustomer.load(id),
  },
  Identity: {
    linkedBy: (identity: OwnedIdentity, _args, { identityLoaders }) =>
      identity.customerId === undefined
        ? null
        : identityLoaders.identityLinkedBy.load(
            `${identity.customerId}|${identity.namespace}:${identity.value}`,
          ),
  },
  CustomerMerge: {
    recordedBy: ({ id }, _args, { identityLoaders }) => identityLoaders.mergeRecordedBy.load(id),
  },
};
