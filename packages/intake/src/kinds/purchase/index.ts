import { z } from 'zod';
import { businessKey } from '@experience-graph/server-kit';
import { reject } from '../../rejection';
import { defineKind } from '../kind';
import {
  anyDateTime,
  currency,
  inSmallestUnit,
  LINK_CUSTOMER,
  LINK_DEVICE,
  LINK_MODEL,
  LINK_STORE,
  linkOnce,
  optedOut,
  nearEventTime,
  optionalKey,
  personKey,
  planOf,
  positiveAmount,
  rejections,
  TOUCHPOINT,
} from '../shared';

/** A device bought: the order, its coupon, its attribution, and the start of the device's life. */
export const purchase = defineKind({
  field: 'purchase',
  schema: z
    .object({
      customerId: personKey,
      serial: businessKey,
      orderId: businessKey,
      storeId: optionalKey,
      couponCode: optionalKey,
      amount: positiveAmount,
      currency,
      promisedDeliveryAt: anyDateTime,
      // The carrier the order is handed to: only that carrier may report on its shipment.
      carrierId: optionalKey,
    })
    .superRefine(inSmallestUnit),
  keys: ({ customerId, serial, orderId, storeId, couponCode }) => ({
    customerId,
    serial,
    orderId,
    storeId,
    couponCode,
  }),
  plan(event, facts, { key }) {
    const p = event.data;
    const f = event.field;
    const no = rejections(event);
    // A promise is made at the sale, for within a year: not for the day before, nor for 9999.
    const promise = nearEventTime(event, 'promisedDeliveryAt', p.promisedDeliveryAt, {
      before: 1,
      after: 366,
    });
    if (promise) return promise;
    if (!facts.customer) return no.noCustomer(p.customerId);
    if (!facts.device) return no.noDevice(p.serial);
    const sku = facts.device.sku;
    if (optedOut(facts, sku)) return no.suppressed(p.customerId, sku);
    if (facts.device.sold) {
      return reject('CONFLICT', `${f}.serial`, `Device ${p.serial} was already sold`);
    }
    if (facts.order) return reject('CONFLICT', `${f}.orderId`, `Order ${p.orderId} already exists`);
    if (p.storeId !== null && !facts.storeFound) return no.noStore(p.storeId);
    if (p.couponCode !== null) {
      const c = facts.coupon;
      const path = `${f}.couponCode`;
      if (!c) return reject('UNKNOWN_REFERENCE', path, `No coupon has code ${p.couponCode}`);
      if (c.customerId !== p.customerId) {
        return reject(
          'CONFLICT',
          path,
          `Coupon ${p.couponCode} was not issued to customer ${p.customerId}`,
        );
      }
      if (c.redeemed) return reject('CONFLICT', path, `Coupon ${p.couponCode} was already used`);
      if (c.expired) return reject('CONFLICT', path, `Coupon ${p.couponCode} has expired`);
      if (c.sku !== sku)
        return reject('CONFLICT', path, `Coupon ${p.couponCode} is not for ${sku}`);
      if (c.storeId !== p.storeId) {
        return reject(
          'CONFLICT',
          path,
          `Coupon ${p.couponCode} is only valid at store ${c.storeId}`,
        );
      }
    }
    const { serial, customerId, orderId } = p;
    return planOf(
      event,
      key,
      { type: 'PURCHASE', ...p, sku },
      {
        device: [{ type: 'PURCHASED', serial, customerId, orderId }],
        journey: [{ type: 'PURCHASED', customerId, sku, serial, orderId }],
      },
    );
  },
  effect(facts, { params }) {
    const serial = params['serial'] as string;
    const device = facts.devices.get(serial);
    if (device) {
      device.sold = true;
      // The buyer is the owner at once, as the facts query reads it from the order.
      device.ownerId = params['customerId'] as string;
    }
    facts.orders.set(params['orderId'] as string, {
      deliveredAt: null,
      serial,
      sku: params['sku'] as string,
      buyerId: params['customerId'] as string,
      storeId: (params['storeId'] as string | null) ?? null,
      carrierId: (params['carrierId'] as string | null) ?? null,
    });
    const coupon = facts.coupons.get(params['couponCode'] as string);
    if (coupon) coupon.redeemed = true;
  },
  beforeOwnWrite: (facts) => ({
    ...facts,
    device: facts.device && { ...facts.device, sold: false },
    order: null,
    coupon: facts.coupon && { ...facts.coupon, redeemed: false },
  }),
  // The order, its coupon and its attribution: the last campaign touch with this product
  // before the purchase gets the credit (other models are analysts' to compute).
  write: `${TOUCHPOINT}
    SET t.channel = CASE WHEN row.storeId IS NULL THEN 'ONLINE' ELSE 'STORE' END
    WITH t, row
    MATCH (c:Customer {id: row.customerId}), (d:Device {serial: row.serial})
    MERGE (o:Order {id: row.orderId})
      ON CREATE SET o.placedAt = datetime(row.occurredAt), o.amount = row.amount,
                    o.currency = row.currency,
                    o.promisedDeliveryAt = datetime(row.promisedDeliveryAt),
                    o.carrierId = row.carrierId
    ${linkOnce('c', 'PLACED', 'o')}
    MERGE (o)-[:CONTAINS]->(d)
    ${linkOnce('t', 'FOR', 'o', 'from')}
    WITH t, row, c, d, o
    CALL (o, row) {
      OPTIONAL MATCH (s:Store {id: row.storeId})
      ${linkOnce('o', 'AT', 's', 'from')}
    }
    CALL (o, row) {
      OPTIONAL MATCH (cp:Coupon {code: row.couponCode})
      FOREACH (_ IN CASE WHEN cp IS NULL THEN [] ELSE [1] END |
        SET cp.redeemedAt = coalesce(cp.redeemedAt, o.placedAt) MERGE (o)-[:REDEEMED]->(cp))
    }
    // The walk starts from the buyer's own touchpoints, newest first. The ordering ends the
    // first MATCH, so the planner cannot start from the product model instead (every touchpoint
    // of every campaign promoting it); \`x\` has no label (HAD leads only to touchpoints), so it
    // cannot start from the touchpoints' time index either (every touchpoint before the order:
    // 189,425 db hits for 25 purchases when a plan chose it). Each time is read once.
    CALL (c, d, o) {
      WITH c, d, o, o.placedAt AS placedAt
      MATCH (c)-[:HAD]->(x)
      WITH x, d, o, x.occurredAt AS at WHERE at <= placedAt
      WITH x, d, o, at ORDER BY at DESC
      MATCH (x)-[:VIA]->(camp:Campaign)-[:PROMOTES]->(m:ProductModel)
      WHERE m.sku = d.sku
      WITH camp LIMIT 1
      // Not MERGE, which locks both ends: upgrading the lock this batch already shares on the
      // campaign (from linking its touchpoints to it) deadlocked concurrent batches naming it.
      // A new touchpoint's FOR link has locked the order, so two purchases of one order cannot
      // both pass the check; a resend finds the first one's link.
      FOREACH (_ IN CASE WHEN COUNT { (o)-[:ATTRIBUTED_TO]->(camp) } > 0 THEN [] ELSE [1] END |
        CREATE (o)-[:ATTRIBUTED_TO {model: 'last_touch'}]->(camp))
    }
    ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE} ${LINK_STORE}`,
});
