import { z } from 'zod';
import { businessKey } from '@experience-graph/server-kit';
import { reject } from '../rejection';
import { defineKind } from './kind';
import {
  LINK_CUSTOMER,
  LINK_MODEL,
  linkOnce,
  optedOut,
  personKey,
  planOf,
  rejections,
  TOUCHPOINT,
} from './shared';

/**
 * An ad impression or click: a touchpoint via its campaign, and a step of the person's journey
 * with the product the campaign promotes.
 */
export function adTouchKind<F extends 'adImpression' | 'adClick'>(
  field: F,
  type: 'AD_IMPRESSION' | 'AD_CLICK',
) {
  return defineKind({
    field,
    schema: z.object({ customerId: personKey, campaignId: businessKey }),
    keys: ({ customerId, campaignId }) => ({ customerId, campaignId }),
    plan(event, facts, { key }) {
      const { customerId, campaignId } = event.data;
      const no = rejections(event);
      if (!facts.customer) return no.noCustomer(customerId);
      const sku = facts.campaignSku;
      if (sku === null) {
        return reject(
          'UNKNOWN_REFERENCE',
          `${field}.campaignId`,
          `No campaign has id ${campaignId}`,
        );
      }
      if (optedOut(facts, sku)) return no.suppressed(customerId, sku);
      return planOf(
        event,
        key,
        { type, customerId, campaignId, sku },
        { journey: [{ type, customerId, sku, campaignId }] },
      );
    },
    write: `${TOUCHPOINT}
      WITH t, row MATCH (camp:Campaign {id: row.campaignId})
      SET t.channel = camp.channel
      ${linkOnce('t', 'VIA', 'camp', 'from')}
      ${LINK_CUSTOMER} ${LINK_MODEL}`,
  });
}
