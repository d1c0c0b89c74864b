import { z } from 'zod';
import { reject } from '../../rejection';
import { defineKind } from '../kind';
import { LINK_MODEL, optionalKey, personKey, planOf, rejections, TOUCHPOINT } from '../shared';

/**
 * A person opts out of a product model, or of one device (and so of its model): nothing
 * personal may be recorded about them and it from now on. Their devices of that model end
 * their lifecycles; their journey with it ends.
 */
export const optOut = defineKind({
  field: 'optOut',
  schema: z
    .object({ customerId: personKey, serial: optionalKey, sku: optionalKey })
    .refine((o) => (o.serial === null) !== (o.sku === null), {
      message: 'give exactly one of serial and sku',
      path: ['serial'],
    }),
  keys: ({ customerId, serial, sku }) => ({ customerId, serial, sku }),
  plan(event, facts, { key }) {
    const { customerId, serial } = event.data;
    const no = rejections(event);
    if (!facts.customer) return no.noCustomer(customerId);
    let sku = event.data.sku;
    let serials: string[];
    if (serial !== null) {
      if (!facts.device) return no.noDevice(serial);
      if (facts.device.ownerId !== customerId) {
        return reject(
          'CONFLICT',
          'optOut.serial',
          `Customer ${customerId} does not own device ${serial}`,
        );
      }
      sku = facts.device.sku;
      serials = [serial];
    } else {
      if (!facts.modelFound) return no.noModel(sku as string);
      serials = facts.customer.ownedSerials;
    }
    const modelSku = sku as string;
    return planOf(
      event,
      key,
      { type: 'OPT_OUT', customerId, sku: modelSku },
      {
        device: serials.map((s) => ({
          eventId: `${key}:${s}`,
          type: 'OPT_OUT' as const,
          serial: s,
          customerId,
        })),
        journey: [{ type: 'OPT_OUT', customerId, sku: modelSku }],
      },
    );
  },
  effect(facts, { params }) {
    const customer = facts.customers.get(params['customerId'] as string);
    const sku = params['sku'] as string;
    if (customer && !customer.optedOutSkus.includes(sku)) {
      customer.optedOutSkus = [...customer.optedOutSkus, sku];
    }
  },
  // The opt-out itself links the person to nothing: it only puts the product on their
  // suppression list at once, so no later event can record anything personal.
  write: `${TOUCHPOINT}
    SET t.channel = 'APP'
    WITH t, row MATCH (c:Customer {id: row.customerId})
    SET c.optedOutSkus = CASE WHEN row.sku IN coalesce(c.optedOutSkus, []) THEN c.optedOutSkus
                              ELSE coalesce(c.optedOutSkus, []) + row.sku END
    ${LINK_MODEL}`,
});
