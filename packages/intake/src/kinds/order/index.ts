import { z } from 'zod';
import { businessKey } from '@experience-graph/server-kit';
import { reject } from '../../rejection';
import { defineKind } from '../kind';
import {
  amount,
  currency,
  inSmallestUnit,
  LINK_CUSTOMER,
  LINK_MODEL,
  LINK_STORE,
  linkOnce,
  optedOut,
  optionalKey,
  personKey,
  planOf,
  rejections,
  TOUCHPOINT,
} from '../shared';

/**
 * A purchase without a device: a consumable, a record from a shop's history. It signals no
 * lifecycle: an order without a device has no device lifecycle, and a journey ends with a
 * device purchase, not with a consumable or a record.
 */
export const order = defineKind({
  field: 'order',
  schema: z
    .object({
      customerId: personKey,
      orderId: businessKey,
      amount,
      currency,
      quantity: z
        .number()
        .int('must be a whole number')
        .min(1, 'must be at least 1')
        .max(10_000, 'must be at most 10,000')
        .nullish()
        .transform((v) => v ?? 1),
      sku: optionalKey,
      /** The store it was bought at, if any (a retailer names one of its own). */
      storeId: optionalKey,
    })
    .superRefine(inSmallestUnit),
  keys: ({ customerId, orderId, sku, storeId }) => ({ customerId, orderId, sku, storeId }),
  plan(event, facts, { key }) {
    const o = event.data;
    const no = rejections(event);
    if (!facts.customer) return no.noCustomer(o.customerId);
    if (o.sku !== null && !facts.modelFound) return no.noModel(o.sku);
    if (optedOut(facts, o.sku)) return no.suppressed(o.customerId, o.sku as string, 'sku');
    if (o.storeId !== null && !facts.storeFound) return no.noStore(o.storeId);
    if (facts.order) {
      return reject('CONFLICT', 'order.orderId', `Order ${o.orderId} already exists`);
    }
    return planOf(event, key, { type: 'ORDER', ...o });
  },
  effect(facts, { params }) {
    facts.orders.set(params['orderId'] as string, {
      deliveredAt: null,
      serial: null,
      sku: (params['sku'] as string | null) ?? null,
      buyerId: params['customerId'] as string,
      storeId: (params['storeId'] as string | null) ?? null,
      carrierId: null,
    });
  },
  beforeOwnWrite: (facts) => ({ ...facts, order: null }),
  write: `${TOUCHPOINT}
    SET t.channel = 'ONLINE'
    WITH t, row
    MATCH (c:Customer {id: row.customerId})
    MERGE (o:Order {id: row.orderId})
      ON CREATE SET o.placedAt = datetime(row.occurredAt), o.amount = row.amount,
                    o.currency = row.currency, o.quantity = row.quantity, o.sku = row.sku
    ${linkOnce('c', 'PLACED', 'o')}
    ${linkOnce('t', 'FOR', 'o', 'from')}
    WITH t, row, o
    CALL (o, row) {
      OPTIONAL MATCH (s:Store {id: row.storeId})
      ${linkOnce('o', 'AT', 's', 'from')}
    }
    ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_STORE}`,
});
