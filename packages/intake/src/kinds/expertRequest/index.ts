import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import { deviceEventKind } from '../device-event';

/** The owner asked to talk to a human expert: an intervention opens, or the open one escalates. */
export const expertRequest = deviceEventKind(
  'expertRequest',
  'EXPERT_REQUESTED',
  z.object({ serial: businessKey, topic: text(200) }),
  ({ topic }) => ({ topic }),
);
