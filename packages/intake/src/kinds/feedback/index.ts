import { z } from 'zod';
import { businessKey, optionalText } from '@experience-graph/server-kit';
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
    comment: optionalText(2000),
  }),
  ({ rating, comment }) => ({ rating, comment, sentiment: sentimentOf(comment) }),
);
