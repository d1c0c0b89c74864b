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
export const amount = z
  .number()
  .min(0, 'must be at least 0')
  .max(1_000_000, 'must be at most 1,000,000');
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 code such as USD');

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
    journey?: Array<DistributiveOmit<JourneyEvent, 'eventId' | 'occurredAt'>>;
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

export const LINK_CUSTOMER = `
WITH t, row
OPTIONAL MATCH (c:Customer {id: row.customerId})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | MERGE (c)-[:HAD]->(t))`;

export const LINK_MODEL = `
WITH t, row
OPTIONAL MATCH (m:ProductModel {sku: row.sku})
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (t)-[:ABOUT]->(m))`;

export const LINK_DEVICE = `
WITH t, row
OPTIONAL MATCH (d:Device {serial: row.serial})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | MERGE (t)-[:ABOUT_DEVICE]->(d))`;

export const LINK_STORE = `
WITH t, row
OPTIONAL MATCH (s:Store {id: row.storeId})
FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (t)-[:AT]->(s))`;

export const LINK_ORDER = `
WITH t, row
OPTIONAL MATCH (o:Order {id: row.orderId})
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | MERGE (t)-[:FOR]->(o))`;
