import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import { defineKind } from '../kind';
import {
  LINK_CUSTOMER,
  LINK_MODEL,
  optedOut,
  personKey,
  planOf,
  rejections,
  TOUCHPOINT,
} from '../shared';

/** The id of the case a request to talk to an expert before a sale opens: one per request. */
export const presaleCaseId = (key: string) => `presale:${key}`;

/**
 * A person asked to talk to an expert about a product model before buying it (the menu's
 * "Talk to an expert" before the sale). It opens a case in the interventions' queue, escalated
 * to experts at once: no device, no workflow, the product model and the question. Its person is
 * known only through the request's touchpoint, so that an opt-out from the model or an erasure,
 * which take the touchpoint away from them, takes the case out of the queue too.
 */
export const presaleExpertRequest = defineKind({
  field: 'presaleExpertRequest',
  schema: z.object({ customerId: personKey, sku: businessKey, topic: text(200) }),
  keys: ({ customerId, sku }) => ({ customerId, sku }),
  plan(event, facts, { key }) {
    const { customerId, sku, topic } = event.data;
    const no = rejections(event);
    if (!facts.customer) return no.noCustomer(customerId);
    if (!facts.modelFound) return no.noModel(sku);
    if (optedOut(facts, sku)) return no.suppressed(customerId, sku);
    return planOf(event, key, {
      type: 'PRESALE_EXPERT_REQUESTED',
      customerId,
      sku,
      topic,
      caseId: presaleCaseId(key),
    });
  },
  write: `${TOUCHPOINT}
    SET t.channel = 'APP', t.topic = row.topic
    ${LINK_CUSTOMER} ${LINK_MODEL}
    WITH t, row
    MATCH (m:ProductModel {sku: row.sku})
    MERGE (i:Intervention {id: row.caseId})
      ON CREATE SET i.reason = 'CUSTOMER_REQUEST', i.status = 'ESCALATED', i.presale = true,
                    i.openedAt = datetime(row.occurredAt), i.escalatedAt = datetime(row.occurredAt)
    MERGE (i)-[:ABOUT]->(m)
    MERGE (t)-[:OPENED]->(i)`,
});
