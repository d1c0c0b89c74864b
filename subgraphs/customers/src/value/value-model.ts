import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GraphQLError } from 'graphql';
import { MAX_VALUE_HORIZON_DAYS } from '@experience-graph/config';
import { businessKey, parseArgument } from '@experience-graph/server-kit';
import type { ValueModelJobs } from '@experience-graph/workflows';
import type { ValueModelFitRecord, ValueRepository } from './value-repository';

/** How the customers subgraph starts value-model fits. */
export interface ValueModelService {
  jobs: ValueModelJobs;
  /** The horizon when a refresh names none (VALUE_HORIZON_DAYS). */
  defaultHorizonDays: number;
  now?: () => number;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Validates a refresh's input against a clock; every problem names its field. */
export function refreshInputSchema(now: () => number, defaultHorizonDays: number) {
  return z.object({
    asOf: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day written YYYY-MM-DD')
      .refine((day) => isoDay(Date.parse(`${day}T00:00:00Z`) || 0) === day, {
        message: 'is not a calendar day',
      })
      .refine((day) => day <= isoDay(now()), {
        message: `must not be in the future (today is ${isoDay(now())} UTC)`,
      })
      .nullish()
      .transform((day) => day ?? isoDay(now())),
    horizonDays: z
      .number()
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .max(MAX_VALUE_HORIZON_DAYS, `must be at most ${MAX_VALUE_HORIZON_DAYS} days`)
      .nullish()
      .transform((days) => days ?? defaultHorizonDays),
    population: z
      .object({ idPrefix: businessKey.nullish().transform((p) => p ?? null) })
      .nullish()
      .transform((p) => p ?? { idPrefix: null }),
  });
}

/** How a population is stored on its fits: `*` for everyone, else the id prefix and `*`. */
export const populationKey = (idPrefix: string | null | undefined): string =>
  idPrefix ? `${idPrefix}*` : '*';

/**
 * Records a fit as RUNNING and starts its job. If the job cannot be started, the record is
 * removed again, so no fit waits forever for a job that never ran.
 */
export async function refreshValueModel(
  repo: ValueRepository,
  service: ValueModelService | null,
  rawInput: unknown,
): Promise<ValueModelFitRecord> {
  const now = service?.now ?? Date.now;
  const input = parseArgument(
    refreshInputSchema(now, service?.defaultHorizonDays ?? 365),
    rawInput,
    'input',
  );
  if (!service) {
    throw new GraphQLError('The value model job is not available on this server', {
      extensions: { code: 'UNAVAILABLE' },
    });
  }
  const id = `fit-${isoDay(now())}-${randomUUID()}`;
  const fit = await repo.createFit({
    id,
    population: populationKey(input.population.idPrefix),
    asOf: input.asOf,
    horizonDays: input.horizonDays,
  });
  try {
    await service.jobs.start({
      fitId: id,
      asOf: input.asOf,
      horizonDays: input.horizonDays,
      population: input.population,
    });
  } catch (error) {
    await repo.removeFit(id);
    throw new GraphQLError('The value model job could not be started; try again', {
      extensions: { code: 'UNAVAILABLE' },
      originalError: error instanceof Error ? error : undefined,
    });
  }
  return fit;
}
