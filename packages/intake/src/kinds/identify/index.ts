import { z } from 'zod';
import { text } from '@experience-graph/server-kit';
import { defineKind } from '../kind';
import { LINK_CUSTOMER, personKey, planOf, TOUCHPOINT } from '../shared';

/**
 * Sign-up, login, cookie sync: who this is, by their identifiers (at least one). Who the person
 * is was settled by identity resolution; the event is their touchpoint.
 */
export const identify = defineKind({
  field: 'identify',
  schema: z.object({
    customerId: personKey,
    displayName: text(200)
      .nullish()
      .transform((v) => v ?? null),
  }),
  keys: ({ customerId }) => ({ customerId }),
  plan: (event, _facts, { key }) =>
    planOf(event, key, { type: 'IDENTIFY', customerId: event.data.customerId }),
  write: `${TOUCHPOINT} SET t.channel = 'IDENTITY' ${LINK_CUSTOMER}`,
});
