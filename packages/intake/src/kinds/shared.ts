/**
 * What several kinds share: schema pieces, rejections, and the Cypher fragments of the
 * touchpoint every event writes and of its links. Written from `row`, one accepted event.
 */
import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import type { DeviceEvent, JourneyEvent } from '@experience-graph/workflows';
import type { EventFacts } from '../facts';
import { reject, type Rejection } from '../rejection';
import type { IntakePlan, KindEvent } from './kind';

export const anyDateTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' })
  .transform((value) => new Date(value).toISOString());

/**
 * The person an event is about: optional where the event's `identifiers` may name them instead
 * (see the identity package).
 */
export const personKey = businessKey.nullish().transform((v) => v ?? null);
export const optionalKey = businessKey.nullish().transform((v) => v ?? null);

/** What a customer wrote: 1 to 2,000 characters, trimmed. */
export const voiceText = text(2000);
export const rating = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1 to 5')
  .max(5, 'must be 1 to 5');
/** An amount of money: at most 1,000,000 in its currency; see {@link inSmallestUnit}. */
const money = z.number().max(1_000_000, 'must be at most 1,000,000');
/** A price that must be paid: more than 0. */
export const positiveAmount = money.positive('must be more than 0');
/**
 * An amount that may be 0: an order given away (a promotion, a free sample). Real order
 * histories hold them (CDNOW's sample has eight $0.00 orders), and a customer's purchase
 * frequency counts them.
 */
export const amount = money.min(0, 'must be at least 0');

/** ISO-4217 currency codes, from the runtime's Unicode data (Intl). */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 code such as USD')
  .refine((code) => CURRENCIES.has(code), 'must be an ISO-4217 currency code');

const minorDigitsByCode = new Map<string, number>();

/**
 * Digits of a currency's smallest unit: 2 for USD (cents), 0 for JPY, 3 for BHD. Kept per code:
 * building the `Intl.NumberFormat` that knows it was 2% of the intake's CPU.
 */
export function minorUnitDigits(code: string): number {
  let digits = minorDigitsByCode.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits as number;
    minorDigitsByCode.set(code, digits);
  }
  return digits;
}

/**
 * Refines a payload with `amount` and `currency`: the amount is a whole number of the
 * currency's smallest unit (19.99 USD, not 19.999 USD or 5e-324), so that sums over orders are
 * exact in that unit.
 */
export function inSmallestUnit(value: { amount: number; currency: string }, ctx: z.RefinementCtx) {
  if (!CURRENCIES.has(value.currency)) return; // refused by `currency`
  const digits = minorUnitDigits(value.currency);
  const units = value.amount * 10 ** digits;
  // 29.97 * 100 is 2996.9999999999995: a whole number within floating-point error. A tiny
  // amount such as 5e-324 is within that error of 0 units, and is no amount of money either.
  const whole = Math.round(units);
  if (Math.abs(units - whole) <= 1e-6 && (whole !== 0 || value.amount === 0)) return;
  const unit =
    digits === 0 ? `1 ${value.currency}` : `${(10 ** -digits).toFixed(digits)} ${value.currency}`;
  ctx.addIssue({
    code: 'custom',
    path: ['amount'],
    message: `must be a whole multiple of ${unit}, the currency's smallest unit`,
  });
}

const DAY_MS = 86_400_000;

/**
 * Refuses a date of an event's payload that is implausibly far from the event's own time:
 * more than `before` days before it or `after` days after it (a promised delivery in 9999).
 */
export function nearEventTime(
  event: { occurredAt: string; field: string },
  field: string,
  value: string | null,
  days: { before: number; after: number },
): Rejection | null {
  if (value === null) return null;
  const offset = (Date.parse(value) - Date.parse(event.occurredAt)) / DAY_MS;
  if (offset >= -days.before && offset <= days.after) return null;
  const path = `${event.field}.${field}`;
  return reject(
    'INVALID',
    path,
    `${path}: must be at most ${days.before} days before and ${days.after} days after the event's occurredAt (${event.occurredAt}), got ${value}`,
  );
}

type AnyEvent = KindEvent<string, Record<string, unknown>>;

/** The rejections kinds share, worded once. */
export const rejections = (event: AnyEvent) => {
  const f = event.field;
  return {
    noCustomer: (id: string) =>
      reject('UNKNOWN_REFERENCE', `${f}.customerId`, `No customer has id ${id}`),
    noDevice: (serial: string) =>
      reject('UNKNOWN_REFERENCE', `${f}.serial`, `No device has serial ${serial}`),
    noModel: (sku: string) =>
      reject('UNKNOWN_REFERENCE', `${f}.sku`, `No product model has sku ${sku}`),
    noStore: (id: string) => reject('UNKNOWN_REFERENCE', `${f}.storeId`, `No store has id ${id}`),
    noOrder: (id: string) =>
      reject(
        'UNKNOWN_REFERENCE',
        `${f}.orderId`,
        `No order has id ${id}; send the purchase first, then this event again`,
      ),
    suppressed: (customerId: string, sku: string, field = 'customerId') =>
      reject('OPTED_OUT', `${f}.${field}`, `Customer ${customerId} opted out of ${sku}`),
  };
};

export const optedOut = (facts: EventFacts, sku: string | null) =>
  sku !== null && (facts.customer?.optedOutSkus.includes(sku) ?? false);

/**
 * The plan of an accepted event: the row of its write (with what every touchpoint carries) and
 * its signals. Lifecycles receive the event's key as its event id, so that equal ids of two
 * senders never drop each other's signals.
 */
export function planOf(
  event: AnyEvent,
  key: string,
  params: Record<string, unknown>,
  signals: {
    device?: Array<DistributiveOmit<DeviceEvent, 'eventId' | 'occurredAt'> & { eventId?: string }>;
    journey?: Array<
      DistributiveOmit<JourneyEvent, 'eventId' | 'occurredAt'> & { eventId?: string }
    >;
  } = {},
): IntakePlan {
  const { eventId, occurredAt } = event;
  const signal = { eventId: key, occurredAt };
  return {
    params: { eventId, key, occurredAt, ...params },
    deviceEvents: (signals.device ?? []).map((e) => ({ ...signal, ...e }) as DeviceEvent),
    journeyEvents: (signals.journey ?? []).map((e) => ({ ...signal, ...e }) as JourneyEvent),
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const isRejection = (outcome: Rejection | IntakePlan): outcome is Rejection =>
  'code' in outcome;

/**
 * Creates the touchpoint shared by every event, keyed by the event's id within its sender's
 * ids, recording who sent it and what became of it (`outcome`).
 */
export const TOUCHPOINT = `
MERGE (t:Touchpoint {key: row.key})
  ON CREATE SET t.eventId = row.eventId, t.type = row.type, t.occurredAt = datetime(row.occurredAt),
                t.recordedAt = datetime(), t.recordedBy = row.recordedBy,
                t.payloadHash = row.payloadHash
SET t.delivery = 'delivered', t.outcome = coalesce(t.outcome, row.outcome)`;

/**
 * Links `from` to `to` by `type` unless the node the batch has just created (`to` by default,
 * or `from`) already has such a relationship: a touchpoint has one customer, one model, one
 * campaign; an order one buyer. Nothing is done when either end is missing.
 *
 * Two costs of MERGE are avoided. MERGE's check of the relationship walked the customer's
 * relationships (46 db hits a row in the intake benchmark, against 2), and MERGE of a
 * relationship locks both ends, so concurrent batches queued and deadlocked on the campaigns
 * and models every touchpoint names. CREATE on a dense node (a campaign's thousands of
 * touchpoints) takes no exclusive lock on that node. A resend finds its node already linked
 * (the new node's MERGE waits for the first writer's commit), so nothing is linked twice.
 */
export const linkOnce = (from: string, type: string, to: string, created: 'from' | 'to' = 'to') => {
  const existing = created === 'to' ? `(${to})<-[:${type}]-()` : `(${from})-[:${type}]->()`;
  return `FOREACH (_ IN CASE WHEN ${from} IS NULL OR ${to} IS NULL OR COUNT { ${existing} } > 0 THEN [] ELSE [1] END |
  CREATE (${from})-[:${type}]->(${to}))`;
};

export const LINK_CUSTOMER = `
WITH t, row
OPTIONAL MATCH (c:Customer {id: row.customerId})
${linkOnce('c', 'HAD', 't')}`;

export const LINK_MODEL = `
WITH t, row
OPTIONAL MATCH (m:ProductModel {sku: row.sku})
${linkOnce('t', 'ABOUT', 'm', 'from')}`;

export const LINK_DEVICE = `
WITH t, row
OPTIONAL MATCH (d:Device {serial: row.serial})
${linkOnce('t', 'ABOUT_DEVICE', 'd', 'from')}`;

export const LINK_STORE = `
WITH t, row
OPTIONAL MATCH (s:Store {id: row.storeId})
${linkOnce('t', 'AT', 's', 'from')}`;

export const LINK_ORDER = `
WITH t, row
OPTIONAL MATCH (o:Order {id: row.orderId})
${linkOnce('t', 'FOR', 'o', 'from')}`;
