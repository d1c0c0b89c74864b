import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import { sentimentOf } from '../../sentiment';
import { defineKind } from '../kind';
import { LINK_CUSTOMER, LINK_MODEL, personKey, planOf, TOUCHPOINT, voiceText } from '../shared';
import { voiceRefusal } from '../voice';

/** A public post about a product model, scored for sentiment. */
export const socialMention = defineKind({
  field: 'socialMention',
  schema: z.object({
    customerId: personKey,
    sku: businessKey,
    platform: text(50),
    text: voiceText,
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
      .max(2000, 'must be at most 2000 characters')
      .nullish()
      .transform((v) => v ?? null),
  }),
  keys: ({ customerId, sku }) => ({ customerId, sku }),
  plan(event, facts, { key }) {
    const refused = voiceRefusal(event, facts);
    if (refused) return refused;
    const { customerId, sku, platform, url, text } = event.data;
    return planOf(event, key, {
      type: 'SOCIAL_MENTION',
      customerId,
      sku,
      platform,
      url,
      text,
      sentiment: sentimentOf(text),
    });
  },
  write: `${TOUCHPOINT}
    SET t.channel = 'SOCIAL', t.platform = row.platform, t.url = row.url, t.text = row.text,
        t.sentiment = row.sentiment
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
});
