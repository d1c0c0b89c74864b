import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import { deviceEventKind } from '../device-event';

/** The owner asked for help with the device. */
export const supportRequest = deviceEventKind(
  'supportRequest',
  'SUPPORT_REQUEST',
  z.object({ serial: businessKey, topic: text(200) }),
  ({ topic }) => ({ topic }),
);
