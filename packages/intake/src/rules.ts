/**
 * The intake's rules that hold for every kind, with no I/O: which keys an event names, which
 * keys name a person (for erasure), which events of a batch depend on each other, and the plan
 * of an event by its kind's rules.
 */
import { NO_KEYS, type EventFacts, type EventKeys } from './facts';
import { kindOf, type IntakeEvent, type IntakePlan, type ParsedEvent } from './kinds';
import { isRejection } from './kinds/shared';
import type { Rejection } from './rejection';

export { isRejection };

/** The keys an event names, for its facts; whatever names are present (a person may be unnamed yet). */
export function keysOf(event: IntakeEvent | ParsedEvent): EventKeys {
  const named = kindOf(event.field).keys(event.data as never);
  const keys: EventKeys = { eventId: event.eventId, ...NO_KEYS };
  for (const [k, v] of Object.entries(named)) {
    if (typeof v === 'string') keys[k as keyof typeof NO_KEYS] = v;
  }
  return keys;
}

/** A key by which an event names a person, with where it is in the event. */
export interface PersonKey {
  /** Path under the event, such as `referral.referredId` or `identifiers[0]`. */
  path: string;
  kind: 'customer' | 'identifier';
  /** A customer id, or an identifier key `<namespace>:<value>`. */
  key: string;
}

/**
 * Every key by which an event names a person: customer ids of its payload (the customer, both
 * parties of a referral) and the identifiers it carries. Their salted hashes are looked up in
 * the erasure tombstones.
 */
export function personKeysOf(event: IntakeEvent | ParsedEvent): PersonKey[] {
  const keys: PersonKey[] = [];
  const d = event.data as Record<string, unknown>;
  for (const field of ['customerId', 'referrerId', 'referredId']) {
    const value = d[field];
    if (typeof value === 'string') {
      keys.push({ path: `${event.field}.${field}`, kind: 'customer', key: value });
    }
  }
  event.identifiers.forEach((i, n) => {
    keys.push({ path: `identifiers[${n}]`, kind: 'identifier', key: `${i.namespace}:${i.value}` });
  });
  return keys;
}

/**
 * An event naming an erased person is dropped: `erased` are the paths of its person keys found
 * in a tombstone, or of customers whose erasure is under way.
 */
export function erasedRejection(erased: readonly string[]): Rejection | null {
  const [path] = erased;
  if (path === undefined) return null;
  return { code: 'ERASED', path, message: 'Dropped: this person was erased' };
}

/**
 * Decides an event against what the graph knows, by its kind's rules. `nearStoreIds` are the
 * partner stores whose geofences hold a proximity event's location, nearest first. `key` is the
 * event's id within its sender's ids (see `scopedEventId`): it keys the touchpoint, and
 * lifecycles receive it as the event id, so that equal ids of two senders never drop each
 * other's signals.
 */
export function planEvent(
  event: IntakeEvent,
  facts: EventFacts,
  nearStoreIds: readonly string[] = [],
  key: string = event.eventId,
  now: string = new Date().toISOString(),
): Rejection | IntakePlan {
  return kindOf(event.field).plan(event as never, facts, { key, nearStoreIds, now });
}

/**
 * The facts as they were before an event's own write, for an event resent while its
 * touchpoint is still pending (an earlier version of the intake wrote first and signalled after).
 */
export function factsBeforeOwnWrite(event: IntakeEvent, facts: EventFacts): EventFacts {
  return kindOf(event.field).beforeOwnWrite?.(facts) ?? facts;
}

/**
 * The keys through which an event may depend on another of its batch (see event-components.ts).
 * An order's device comes from `serialOfOrder`, so a delivery and an installation of one device
 * stay in order. Events carrying identifiers, and referrals, all share one key each: they may
 * create or merge people (which moves what other events are judged on), and whether a referral
 * closes a cycle depends on every other referral.
 */
export function conflictKeysOf(
  raw: Record<string, unknown>,
  parsed: { ok: true; event: ParsedEvent } | { ok: false },
  serialOfOrder: ReadonlyMap<string, string>,
): string[] {
  const eventId = raw['eventId'];
  const keys = typeof eventId === 'string' ? [`event:${eventId}`] : [];
  if (!parsed.ok) return keys;
  const k = keysOf(parsed.event);
  if (parsed.event.identifiers.length > 0 || parsed.event.field === 'identify') {
    keys.push('identity');
  }
  if (k.customerId !== null) keys.push(`customer:${k.customerId}`);
  if (k.referredId !== null) keys.push(`customer:${k.referredId}`);
  if (k.serial !== null) keys.push(`serial:${k.serial}`);
  if (k.couponCode !== null) keys.push(`coupon:${k.couponCode}`);
  if (k.orderId !== null) {
    keys.push(`order:${k.orderId}`);
    const serial = serialOfOrder.get(k.orderId);
    if (serial !== undefined) keys.push(`serial:${serial}`);
  }
  if (parsed.event.field === 'referral') keys.push('referrals');
  return keys;
}
