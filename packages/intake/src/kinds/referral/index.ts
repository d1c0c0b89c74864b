import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import { reject } from '../../rejection';
import { defineKind } from '../kind';
import { LINK_CUSTOMER, LINK_MODEL, optedOut, planOf, TOUCHPOINT } from '../shared';

/**
 * One person referred another to a product model: a relationship between them and a touchpoint
 * of the referrer's. Everyone has at most one referrer, and referrals never close a cycle.
 */
export const referral = defineKind({
  field: 'referral',
  schema: z
    .object({
      referrerId: businessKey,
      referredId: businessKey,
      sku: businessKey,
      code: text(64)
        .nullish()
        .transform((v) => v ?? null),
    })
    .refine((r) => r.referrerId !== r.referredId, {
      message: 'a customer cannot refer themselves',
      path: ['referredId'],
    }),
  // A referral's own customer is the referrer.
  keys: ({ referrerId, referredId, sku }) => ({ customerId: referrerId, referredId, sku }),
  plan(event, facts, { key }) {
    const { referrerId, referredId, sku, code } = event.data;
    const f = 'referral';
    if (!facts.customer) {
      return reject('UNKNOWN_REFERENCE', `${f}.referrerId`, `No customer has id ${referrerId}`);
    }
    if (!facts.referral.referredFound) {
      return reject('UNKNOWN_REFERENCE', `${f}.referredId`, `No customer has id ${referredId}`);
    }
    if (!facts.modelFound) {
      return reject('UNKNOWN_REFERENCE', `${f}.sku`, `No product model has sku ${sku}`);
    }
    const by = facts.referral.alreadyReferredBy;
    if (by !== null && by !== referrerId) {
      return reject(
        'CONFLICT',
        `${f}.referredId`,
        `Customer ${referredId} was already referred by ${by}`,
      );
    }
    if (facts.referral.wouldCycle) {
      return reject(
        'CONFLICT',
        `${f}.referrerId`,
        `Customer ${referrerId} was referred, directly or further down, by ${referredId}: a referral cannot close a cycle`,
      );
    }
    if (optedOut(facts, sku)) {
      return reject('OPTED_OUT', `${f}.referrerId`, `Customer ${referrerId} opted out of ${sku}`);
    }
    return planOf(event, key, { type: 'REFERRAL', customerId: referrerId, referredId, sku, code });
  },
  effect(facts, { params }) {
    const referred = facts.customers.get(params['referredId'] as string);
    if (referred) referred.referredBy = params['customerId'] as string;
  },
  write: `${TOUCHPOINT}
    SET t.channel = 'REFERRAL', t.code = row.code
    WITH t, row
    MATCH (referrer:Customer {id: row.customerId}), (referred:Customer {id: row.referredId})
    MERGE (referrer)-[r:REFERRED]->(referred)
      ON CREATE SET r.at = datetime(row.occurredAt), r.eventId = row.eventId, r.sku = row.sku,
                    r.code = row.code
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
});
