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
 * A person near a partner store with the app open. The location is read only to find the store
 * whose geofence holds it (see the facts query); it is never written.
 */
export const storeProximity = defineKind({
  field: 'storeProximity',
  schema: z.object({ customerId: personKey, sku: businessKey, latitude, longitude }),
  keys: ({ customerId, sku }) => ({ customerId, sku }),
  plan(event, facts, { key, nearStoreId }) {
    const { customerId, sku } = event.data;
    const no = rejections(event);
    if (!facts.customer) return no.noCustomer(customerId);
    if (!facts.modelFound) return no.noModel(sku);
    if (optedOut(facts, sku)) return no.suppressed(customerId, sku);
    return planOf(
      event,
      key,
      { type: 'STORE_PROXIMITY', customerId, sku, storeId: nearStoreId },
      {
        journey:
          nearStoreId === null
            ? []
            : [{ type: 'STORE_PROXIMITY', customerId, sku, storeId: nearStoreId }],
      },
    );
  },
  write: `${TOUCHPOINT} SET t.channel = 'APP' ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_STORE}`,
});
