import { z } from 'zod';
import { businessKey, pastDateTime, text } from '@experience-graph/server-kit';
import { DEVICE_EVENT_TYPES } from '@experience-graph/workflows';

export const registerProductModelInput = z.object({ sku: businessKey, name: text(200) });

export const registerDeviceInput = z.object({ serial: businessKey, sku: businessKey });

export const deviceEventInput = z
  .object({
    eventId: businessKey,
    type: z.enum(DEVICE_EVENT_TYPES),
    serial: businessKey,
    customerId: businessKey.nullish().transform((v) => v ?? null),
    occurredAt: pastDateTime(),
  })
  .refine((e) => e.type !== 'PURCHASED' || e.customerId !== null, {
    message: 'is required for a PURCHASED event',
    path: ['customerId'],
  });

export const pageSize = z
  .number()
  .int()
  .min(1, 'must be at least 1')
  .max(100, 'must be at most 100');
