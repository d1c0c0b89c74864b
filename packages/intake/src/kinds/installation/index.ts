import { z } from 'zod';
import { businessKey } from '@experience-graph/server-kit';
import { deviceEventKind } from '../device-event';

/** The owner installed the device: its support life begins. */
export const installation = deviceEventKind(
  'installation',
  'INSTALLED',
  z.object({ serial: businessKey }),
);
