import type { z } from 'zod';
import { reject } from '../rejection';
import { defineKind } from './kind';
import { LINK_CUSTOMER, LINK_DEVICE, LINK_MODEL, planOf, rejections, TOUCHPOINT } from './shared';

/**
 * An event about a sold device from its owner's app: installed, a support request, feedback,
 * asking for an expert. Each is a touchpoint of the owner and a signal to the device's
 * lifecycle (which the lifecycle rule may find unable to change it).
 */
export function deviceEventKind<
  F extends 'installation' | 'supportRequest' | 'feedback' | 'expertRequest',
  S extends z.ZodType<{ serial: string }>,
>(
  field: F,
  signal: 'INSTALLED' | 'SUPPORT_REQUEST' | 'FEEDBACK' | 'EXPERT_REQUESTED',
  schema: S,
  details: (data: z.output<S>) => {
    topic?: string | null;
    rating?: number | null;
    comment?: string | null;
    sentiment?: number | null;
  } = () => ({}),
) {
  return defineKind({
    field,
    schema,
    keys: (data) => ({ serial: (data as { serial: string }).serial }),
    plan(event, facts, { key }) {
      const { serial } = event.data as { serial: string };
      const device = facts.device;
      if (!device) return rejections(event).noDevice(serial);
      if (!device.sold) {
        return reject('CONFLICT', `${field}.serial`, `Device ${serial} has not been sold`);
      }
      return planOf(
        event,
        key,
        {
          type: field === 'installation' ? 'INSTALLATION' : signal,
          serial,
          sku: device.sku,
          customerId: device.ownerId,
          topic: null,
          rating: null,
          comment: null,
          sentiment: null,
          ...details(event.data as z.output<S>),
        },
        { device: [{ type: signal, serial }] },
      );
    },
    write: `${TOUCHPOINT}
      SET t.channel = 'APP', t.topic = row.topic, t.rating = row.rating, t.comment = row.comment,
          t.sentiment = row.sentiment
      ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE}`,
  });
}
