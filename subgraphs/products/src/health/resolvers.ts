import { z } from 'zod';
import {
  badUserInput,
  businessKey,
  keyedLoader,
  notFound,
  parseArgument,
} from '@experience-graph/server-kit';
import { hasRole, reachesIntervention, type Principal } from '@experience-graph/access';
import type { Resolvers } from '../__generated__/resolvers-types';
import { reachableDevice } from '../devices/resolvers';
import {
  OPEN_STATUSES,
  type DeviceHealthRecord,
  type HealthRepository,
  type InterventionRecord,
  type TelemetryReadingRecord,
} from './health-repository';

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
    /** One loader per number of readings asked for: one round trip per number in a request. */
    telemetryBySerial: perLimit((last) =>
      keyedLoader<string, TelemetryReadingRecord[]>((s) => repo.telemetryBySerial(s, last), []),
    ),
  };
}

function perLimit<T>(make: (limit: number) => T): (limit: number) => T {
  const made = new Map<number, T>();
  return (limit) => {
    let loader = made.get(limit);
    if (!loader) {
      loader = make(limit);
      made.set(limit, loader);
    }
    return loader;
  };
}

const telemetryCount = z
  .number()
  .int()
  .min(1, 'must be 1 to 1000')
  .max(1000, 'must be 1 to 1000')
  .nullish()
  .transform((v) => v ?? 200);

export type HealthLoaders = ReturnType<typeof createHealthLoaders>;

/** Support, admins and services see every intervention, whatever other roles they hold. */
const inReachOfAll = (principal: Principal) =>
  principal.kind === 'service' || hasRole(principal, 'support') || hasRole(principal, 'admin');

const queueSize = z
  .number()
  .int()
  .min(1, 'must be 1 to 200')
  .max(200, 'must be 1 to 200')
  .nullish()
  .transform((v) => v ?? 50);

const inReach = (principal: Principal, intervention: InterventionRecord) =>
  reachesIntervention(principal, {
    status: intervention.status,
    assigneeId: intervention.assignee,
    ownerId: intervention.ownerId,
  });

/**
 * Interventions can be acted on through the API only while their workflow waits for it, and
 * only by whom they reach (the device's owner, the expert who has it, support); one out of reach
 * answers like a missing one.
 */
async function actionableIntervention(
  health: HealthRepository,
  principal: Principal,
  id: string,
  field: string,
  allowed: string[],
) {
  const found = await health.intervention(id);
  if (!found || !inReach(principal, found)) throw notFound(`No intervention has id ${id}`, field);
  if (!allowed.includes(found.status)) {
    throw badUserInput(
      `Intervention ${id} is ${found.status}; this needs it ${allowed.join(' or ')}`,
      field,
    );
  }
  return found;
}

export const healthResolvers: Pick<Resolvers, 'Device' | 'Mutation' | 'Query' | 'Intervention'> = {
  Query: {
    async interventions(_parent, args, { health, principal }) {
      const first = parseArgument(queueSize, args.first, 'first');
      const expertOnly = hasRole(principal, 'expert') && !inReachOfAll(principal);
      const queue = await health.interventionQueue({
        statuses: args.status ? [args.status] : OPEN_STATUSES,
        expertId: expertOnly ? principal.id : null,
        first,
      });
      return queue.filter((intervention) => inReach(principal, intervention));
    },
  },
  Intervention: {
    async device({ serial }, _args, context) {
      if (serial === null) return null; // a request before a sale
      const device = await reachableDevice(context, serial);
      // Whoever reaches an intervention reaches its device; the graph keeps the two together.
      if (!device)
        throw new Error(`Device ${serial} of an intervention is out of reach or missing`);
      return device;
    },
    async product({ sku }, _args, { loaders }) {
      const model = await loaders.modelBySku.load(sku);
      if (!model) throw new Error(`Intervention model ${sku} is missing from the graph`);
      return model;
    },
    customer: ({ ownerId }) => (ownerId === null ? null : { id: ownerId }),
  },
  Device: {
    health: ({ serial }, _args, { healthLoaders }) => healthLoaders.healthBySerial.load(serial),
    telemetry: ({ serial }, args, { healthLoaders }) =>
      healthLoaders
        .telemetryBySerial(parseArgument(telemetryCount, args.last, 'last'))
        .load(serial),
    interventions: ({ serial }, _args, { healthLoaders }) =>
      healthLoaders.interventionsBySerial.load(serial),
  },
  Mutation: {
    async confirmFix(_parent, args, { health, lifecycle, principal }) {
      const id = parseArgument(businessKey, args.interventionId, 'interventionId');
      const found = await actionableIntervention(health, principal, id, 'interventionId', [
        'OPEN',
        'AWAITING_CONFIRMATION',
        'ESCALATED',
      ]);
      if (found.serial === null) {
        throw badUserInput(
          `Intervention ${id} is a request to talk to an expert before a sale: the expert who answers it resolves it`,
          'interventionId',
        );
      }
      await lifecycle.signalIntervention(found.id, { kind: 'fix-confirmed' });
      return found;
    },
    async resolveIntervention(_parent, args, { health, lifecycle, principal }) {
      const input = parseArgument(resolveInput, args.input, 'input');
      let found = await actionableIntervention(
        health,
        principal,
        input.interventionId,
        'input.interventionId',
        ['ESCALATED'],
      );
      if (principal.kind === 'employee' && hasRole(principal, 'expert')) {
        // The expert who resolves it takes it; another expert's case answers like a missing one.
        const assigned = await health.assign(found.id, principal.id);
        if (!assigned) {
          throw notFound(`No intervention has id ${found.id}`, 'input.interventionId');
        }
        found = assigned;
      }
      if (found.serial === null) {
        // A request before a sale has no workflow: answering it closes it.
        const closed = await health.closePresale(found.id, input.note);
        if (!closed) {
          throw badUserInput(
            `Intervention ${found.id} is no longer ESCALATED; this needs it ESCALATED`,
            'input.interventionId',
          );
        }
        return closed;
      }
      await lifecycle.signalIntervention(found.id, { kind: 'expert-resolved', note: input.note });
      return found;
    },
  },
};
