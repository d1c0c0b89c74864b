import { z } from 'zod';
import { businessKey, latitude, longitude } from '@experience-graph/server-kit';
import { defineKind } from '../kind';
import {
  LINK_CUSTOMER,
  LINK_MODEL,
  LINK_STORE,
  optedOut,
  personKey,
  planOf,
  rejections,
  TOUCHPOINT,
} from '../shared';

/**
 * The lifecycle event id of a proximity event's signal about the n-th nearest (from 1) of the
 * stores whose geofences hold it: the nearest keeps the event's own id (its key), the others
 * get `<key>:<n>`, so that the journey, which drops repeats by event id, considers every store.
 * A rank rather than the store id keeps the coupon codes derived from it short.
 */
export function proximitySignalId(key: string, rank: number): string {
  return rank === 1 ? key : `${key}:${rank}`;
}

/**
 * A person near partner stores with the app open. The location is read only to find the stores
 * whose geofences hold it (see the facts query); it is never written. The touchpoint is at the
 * nearest store; the journey is owed one signal per store, nearest first, and considers each
 * store's best offer on its own (consent is checked by the journey when it acts).
 */
export const storeProximity = defineKind({
  field: 'storeProximity',
  schema: z.object({ customerId: personKey, sku: businessKey, latitude, longitude }),
  keys: ({ customerId, sku }) => ({ customerId, sku }),
  plan(event, facts, { key, nearStoreIds }) {
    const { customerId, sku } = event.data;
    const no = rejections(event);
    if (!facts.customer) return no.noCustomer(customerId);
    if (!facts.modelFound) return no.noModel(sku);
    if (optedOut(facts, sku)) return no.suppressed(customerId, sku);
    return planOf(
      event,
      key,
      { type: 'STORE_PROXIMITY', customerId, sku, storeId: nearStoreIds[0] ?? null },
      {
        journey: nearStoreIds.map((storeId, i) => ({
          type: 'STORE_PROXIMITY' as const,
          eventId: proximitySignalId(key, i + 1),
          customerId,
          sku,
          storeId,
        })),
      },
    );
  },
  // The StoreProximity label lets the funnel find a person's store visits by label alone,
  // reading no touchpoint's type (migration 0014 labels those recorded before).
  write: `${TOUCHPOINT} SET t:StoreProximity, t.channel = 'APP' ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_STORE}`,
});
