import { z } from 'zod';
import { MAX_READINGS_PER_EVENT } from '@experience-graph/config';
import { readingValidator } from '@experience-graph/device-health';
import { businessKey } from '@experience-graph/server-kit';
import { pathOf, reject } from '../../rejection';
import { defineKind } from '../kind';
import { planOf, rejections } from '../shared';

const count = z.number();

/**
 * Readings of a device's telemetry. Not a touchpoint: the readings are stored with the device's
 * new health in the batch's write (see `./telemetry-write.ts`), and only a change of health
 * that matters is owed to the device's lifecycle.
 */
export const telemetry = defineKind({
  field: 'telemetry',
  schema: z.object({
    serial: businessKey,
    readings: z
      .array(
        z.object({
          readingId: businessKey,
          at: z.string(),
          pagesPrinted: count,
          errors: count,
          paperJams: count,
          inkLevel: count,
        }),
      )
      .min(1, 'must hold at least one reading')
      .max(MAX_READINGS_PER_EVENT, `must hold at most ${MAX_READINGS_PER_EVENT} readings`),
  }),
  keys: ({ serial }) => ({ serial }),
  plan(event, facts, { key, now }) {
    const { serial, readings } = event.data;
    const problemOf = readingValidator(now);
    for (const [j, r] of readings.entries()) {
      const problem = problemOf({ ...r, serial });
      if (problem) {
        const path = pathOf(['telemetry', 'readings', j, problem.field]);
        return reject('INVALID', path, `${path}: ${problem.message}`);
      }
    }
    if (!facts.device) return rejections(event).noDevice(serial);
    return planOf(event, key, { serial, readings });
  },
  write: null,
});
