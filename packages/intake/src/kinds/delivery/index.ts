import { z } from 'zod';
import { isoInstant } from '@experience-graph/neo4j';
import { businessKey } from '@experience-graph/server-kit';
import { reject } from '../../rejection';
import { defineKind } from '../kind';
import {
  LINK_CUSTOMER,
  LINK_DEVICE,
  LINK_MODEL,
  LINK_ORDER,
  planOf,
  rejections,
  TOUCHPOINT,
} from '../shared';

/** An order delivered, in full or not: on time is judged against its promise. */
export const delivery = defineKind({
  field: 'delivery',
  schema: z.object({ orderId: businessKey, inFull: z.boolean() }),
  keys: ({ orderId }) => ({ orderId }),
  plan(event, facts, { key }) {
    const { orderId, inFull } = event.data;
    const order = facts.order;
    if (!order) return rejections(event).noOrder(orderId);
    if (order.deliveredAt !== null) {
      return reject(
        'CONFLICT',
        'delivery.orderId',
        `Order ${orderId} was already delivered at ${isoInstant(order.deliveredAt)}`,
      );
    }
    const { buyerId: customerId, sku, serial } = order;
    return planOf(
      event,
      key,
      { type: 'DELIVERY', customerId, sku, serial, orderId, inFull },
      // An order without a device (see `order`) has no device lifecycle to tell.
      { device: serial === null ? [] : [{ type: 'DELIVERED', serial, orderId }] },
    );
  },
  effect(facts, { params }) {
    const order = facts.orders.get(params['orderId'] as string);
    if (order) order.deliveredAt = params['occurredAt'] as string;
  },
  beforeOwnWrite: (facts) => ({
    ...facts,
    order: facts.order && { ...facts.order, deliveredAt: null },
  }),
  // On time: delivered no later than promised. In full: as reported by the carrier.
  write: `${TOUCHPOINT}
    SET t.channel = 'CARRIER'
    WITH t, row MATCH (o:Order {id: row.orderId})
    SET o.deliveredAt = coalesce(o.deliveredAt, datetime(row.occurredAt)),
        o.inFull = coalesce(o.inFull, row.inFull),
        o.onTime = coalesce(o.onTime, datetime(row.occurredAt) <= o.promisedDeliveryAt)
    ${LINK_ORDER} ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE}`,
});
