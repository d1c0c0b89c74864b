import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';

export const registerProductModelInput = z.object({
  sku: businessKey,
  name: text(200),
  category: text(50)
    .nullish()
    .transform((v) => v ?? 'device'),
});

export const registerDeviceInput = z.object({ serial: businessKey, sku: businessKey });

export const pageSize = z
  .number()
  .int()
  .min(1, 'must be at least 1')
  .max(100, 'must be at most 100');
