import { z } from 'zod';
import {
  badUserInput,
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
} from '@experience-graph/server-kit';
import { erasureIdOf } from '@experience-graph/erasure-keys';
import { erasureWorkflowId } from '@experience-graph/workflows';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { ErasureRecord, ErasureRepository } from './erasure-repository';

const eraseCustomerInput = z.object({
  customerId: businessKey,
  reason: z.enum(['CUSTOMER_REQUEST', 'LEGAL_OBLIGATION', 'RETENTION_EXPIRED']),
});

/** Per-request loaders of tombstones. */
export function createErasureLoaders(repo: ErasureRepository) {
  return {
    erasureById: keyedLoader<string, ErasureRecord | null>((ids) => repo.erasuresById(ids), null),
  };
}

export type ErasureLoaders = ReturnType<typeof createErasureLoaders>;

export const erasureResolvers: Resolvers = {
  Query: {
    erasure: (_parent, { id }, { erasureLoaders }) => erasureLoaders.erasureById.load(id),
  },
  Mutation: {
    eraseCustomer: async (_parent, args, { erasures, erasure }) => {
      const input = parseArgument(eraseCustomerInput, args.input, 'input');
      const erasureId = erasureIdOf(erasure.salt, input.customerId);
      const recorded = await erasures.request({ ...input, erasureId });
      if (!recorded) {
        throw notFound(`No customer has id ${input.customerId}`, 'input.customerId');
      }
      // Started after the tombstone is recorded, and again for any erasure not yet complete: a
      // request whose start was lost is resumed by repeating it.
      if (recorded.erasure.completedAt === null) await erasure.starter.start(erasureId);
      return recorded.erasure;
    },
  },
  Erasure: {
    reason: (e) => e.reason as 'CUSTOMER_REQUEST',
    status: (e) => (e.completedAt === null ? 'IN_PROGRESS' : 'COMPLETED'),
    workflowId: (e) => erasureWorkflowId(e.id),
  },
};

/** Refuses to register an erased id again: that would bring the person back. */
export async function refuseErased(
  erasures: ErasureRepository,
  salt: string,
  customerId: string,
): Promise<void> {
  if (await erasures.isErased(erasureIdOf(salt, customerId))) {
    throw badUserInput(
      `input.id: customer ${customerId} was erased; an erased id cannot be registered again`,
      'input.id',
    );
  }
}
