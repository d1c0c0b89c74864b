import { z } from 'zod';
import {
  badUserInput,
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
} from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { DeviceHealthRecord, HealthRepository, InterventionRecord } from './health-repository';

const resolveInput = z.object({
  interventionId: z.string().min(1),
  note: z
    .string()
    .trim()
    .max(2000, 'must be at most 2000 characters')
    .nullish()
    .transform((v) => v || null),
});

export function createHealthLoaders(repo: HealthRepository) {
  return {
    healthBySerial: keyedLoader<string, DeviceHealthRecord | null>(
      (s) => repo.healthBySerial(s),
      null,
    ),
    interventionsBySerial: keyedLoader<string, InterventionRecord[]>(
      (s) => repo.interventionsBySerial(s),
      [],
    ),
  };
}

export type HealthLoaders = ReturnType<typeof createHealthLoaders>;

/** Interventions can be acted on through the API only while their workflow waits for it. */
async function actionableIntervention(
  health: HealthRepository,
  id: string,
  field: string,
  allowed: string[],
) {
  const found = await health.intervention(id);
  if (!found) throw notFound(`No intervention has id ${id}`, field);
  if (!allowed.includes(found.status)) {
    throw badUserInput(
      `Intervention ${id} is ${found.status}; this needs it ${allowed.join(' or ')}`,
      field,
    );
  }
  return found;
}

export const healthResolvers: Pick<Resolvers, 'Device' | 'Mutation'> = {
  Device: {
    health: ({ serial }, _args, { healthLoaders }) => healthLoaders.healthBySerial.load(serial),
    interventions: ({ serial }, _args, { healthLoaders }) =>
      healthLoaders.interventionsBySerial.load(serial),
  },
  Mutation: {
    async confirmFix(_parent, args, { health, lifecycle }) {
      const id = parseArgument(businessKey, args.interventionId, 'interventionId');
      const found = await actionableIntervention(health, id, 'interventionId', [
        'OPEN',
        'AWAITING_CONFIRMATION',
        'ESCALATED',
      ]);
      await lifecycle.signalIntervention(found.id, { kind: 'fix-confirmed' });
      return found;
    },
    async resolveIntervention(_parent, args, { health, lifecycle }) {
      const input = parseArgument(resolveInput, args.input, 'input');
      const found = await actionableIntervention(
        health,
        input.interventionId,
        'input.interventionId',
        ['ESCALATED'],
      );
      await lifecycle.signalIntervention(found.id, { kind: 'expert-resolved', note: input.note });
      return found;
    },
  },
};
