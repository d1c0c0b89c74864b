import { z } from 'zod';
import { businessKey } from '@experience-graph/server-kit';
import { sentimentOf } from '../../sentiment';
import { defineKind } from '../kind';
import {
  LINK_CUSTOMER,
  LINK_MODEL,
  personKey,
  planOf,
  rating,
  TOUCHPOINT,
  voiceText,
} from '../shared';
import { voiceRefusal } from '../voice';

/** A product review, scored for sentiment (−1..1). */
export const review = defineKind({
  field: 'review',
  schema: z.object({ customerId: personKey, sku: businessKey, rating, text: voiceText }),
  keys: ({ customerId, sku }) => ({ customerId, sku }),
  plan(event, facts, { key }) {
    const refused = voiceRefusal(event, facts);
    if (refused) return refused;
    const { customerId, sku, rating, text } = event.data;
    return planOf(event, key, {
      type: 'REVIEW',
      customerId,
      sku,
      rating,
      text,
      sentiment: sentimentOf(text),
    });
  },
  write: `${TOUCHPOINT}
    SET t.channel = 'WEB', t.rating = row.rating, t.text = row.text, t.sentiment = row.sentiment
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
});
