import { z } from 'zod';
import { businessKey } from '@experience-graph/server-kit';
import { sentimentOf } from '../../sentiment';
import { deviceEventKind } from '../device-event';
import { rating } from '../shared';

/** The owner rated the device, with an optional comment scored for sentiment. */
export const feedback = deviceEventKind(
  'feedback',
  'FEEDBACK',
  z.object({
    serial: businessKey,
    rating,
    comment: z
      .string()
      .trim()
      .max(2000, 'must be at most 2000 characters')
      .nullish()
      .transform((v) => v || null),
  }),
  ({ rating, comment }) => ({ rating, comment, sentiment: sentimentOf(comment) }),
);
