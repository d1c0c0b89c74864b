import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import { defineKind } from '../kind';
import {
  anyDateTime,
  LINK_CUSTOMER,
  LINK_DEVICE,
  LINK_MODEL,
  LINK_ORDER,
  nearEventTime,
  planOf,
  rejections,
  TOUCHPOINT,
} from '../shared';

/** A carrier's status of an order on its way. */
export const shipmentUpdate = defineKind({
  field: 'shipmentUpdate',
  schema: z.object({
    orderId: businessKey,
    carrier: text(100),
    status: text(200),
    expectedDeliveryAt: anyDateTime.nullish().transform((v) => v ?? null),
  }),
  keys: ({ orderId }) => ({ orderId }),
  plan(event, facts, { key }) {
    const { orderId, carrier, status, expectedDeliveryAt } = event.data;
    // A carrier's estimate may be revised late, but never by more than a year either way.
    const estimate = nearEventTime(event, 'expectedDeliveryAt', expectedDeliveryAt, {
      before: 366,
      after: 366,
    });
    if (estimate) return estimate;
    const order = facts.order;
    if (!order) return rejections(event).noOrder(orderId);
    const { buyerId: customerId, sku, serial } = order;
    return planOf(
      event,
      key,
      {
        type: 'SHIPMENT_UPDATE',
        customerId,
        sku,
        serial,
        orderId,
        carrier,
        status,
        expectedDeliveryAt,
      },
      // An order without a device (see `order`) has no device lifecycle to tell.
      { device: serial === null ? [] : [{ type: 'SHIPMENT_UPDATE', serial, orderId }] },
    );
  },
  // Carriers resend and reorder updates: only a newer one replaces the shown status.
  write: `${TOUCHPOINT}
    SET t.channel = 'CARRIER', t.carrierStatus = row.status
    WITH t, row MATCH (o:Order {id: row.orderId})
    SET o.shippedAt = coalesce(o.shippedAt, datetime(row.occurredAt)), o.carrier = row.carrier
    FOREACH (_ IN CASE WHEN o.statusAt IS NULL OR o.statusAt <= datetime(row.occurredAt) THEN [1] ELSE [] END |
      SET o.carrierStatus = row.status, o.statusAt = datetime(row.occurredAt),
          o.expectedDeliveryAt = CASE WHEN row.expectedDeliveryAt IS NULL THEN o.expectedDeliveryAt
                                      ELSE datetime(row.expectedDeliveryAt) END)
    ${LINK_ORDER} ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE}`,
});
