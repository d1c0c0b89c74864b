import type { DeviceEvent, JourneyEvent } from '@experience-graph/workflows';
import type { EventFacts, EventKeys, WriteKind } from './event-repository';
import type { IntakeEvent, ParsedEvent } from './event-input';
import { sentimentOf } from './sentiment';

export type EventErrorCode =
  | 'INVALID'
  | 'UNKNOWN_REFERENCE'
  | 'OPTED_OUT'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'AMBIGUOUS'
  | 'ERASED'
  | 'FORBIDDEN'
  | 'IDENTITY_FORBIDDEN';

export interface Rejection {
  code: EventErrorCode;
  message: string;
  /** Path under the event, such as `purchase.serial`. */
  path: string;
}

/** What to do with an accepted event: one graph write, then the lifecycle signals. */
export interface IntakePlan {
  write: WriteKind;
  params: Record<string, unknown>;
  deviceEvents: DeviceEvent[];
  journeyEvents: JourneyEvent[];
}

/** The keys an event names, for the facts query. */
export function keysOf(event: IntakeEvent): EventKeys {
  const keys: EventKeys = {
    eventId: event.eventId,
    referredId: null,
    customerId: null,
    sku: null,
    campaignId: null,
    serial: null,
    orderId: null,
    storeId: null,
    couponCode: null,
    answerId: null,
  };
  const d = event.data as Partial<Record<keyof EventKeys, string | null>>;
  for (const k of [
    'customerId',
    'sku',
    'campaignId',
    'serial',
    'orderId',
    'storeId',
    'couponCode',
    'referredId',
    'answerId',
  ] as const) {
    if (typeof d[k] === 'string') keys[k] = d[k];
  }
  // A referral's own customer is the referrer.
  if (event.field === 'referral') keys.customerId = event.data.referrerId;
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
  const identifiers = (event as { identifiers?: unknown }).identifiers;
  if (Array.isArray(identifiers)) {
    identifiers.forEach((i: unknown, n) => {
      const { namespace, value } = (i ?? {}) as { namespace?: unknown; value?: unknown };
      if (typeof namespace === 'string' && typeof value === 'string') {
        keys.push({ path: `identifiers[${n}]`, kind: 'identifier', key: `${namespace}:${value}` });
      }
    });
  }
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

const DEVICE_EVENT_OF = {
  installation: 'INSTALLED',
  supportRequest: 'SUPPORT_REQUEST',
  feedback: 'FEEDBACK',
  expertRequest: 'EXPERT_REQUESTED',
} as const;

const reject = (code: EventErrorCode, path: string, message: string): Rejection => ({
  code,
  path,
  message,
});

/**
 * Decides an event against what the graph knows, with no I/O: every rule of the intake is here
 * and testable on its own. `nearStoreId` is the partner store whose geofence holds a proximity
 * event's location, if any. `key` is the event's id within its sender's ids (see
 * `scopedEventId`): it keys the touchpoint, and lifecycles receive it as the event id, so that
 * equal ids of two senders never drop each other's signals.
 */
export function planEvent(
  event: IntakeEvent,
  facts: EventFacts,
  nearStoreId: string | null = null,
  key: string = event.eventId,
): Rejection | IntakePlan {
  const { eventId, occurredAt } = event;
  const base = { eventId, key, occurredAt };
  const signal = { eventId: key, occurredAt };
  const f = event.field;
  const optedOut = (sku: string | null) =>
    sku !== null && (facts.customer?.optedOutSkus.includes(sku) ?? false);
  const noCustomer = (id: string) =>
    reject('UNKNOWN_REFERENCE', `${f}.customerId`, `No customer has id ${id}`);
  const noDevice = (serial: string) =>
    reject('UNKNOWN_REFERENCE', `${f}.serial`, `No device has serial ${serial}`);
  const noOrder = (id: string) =>
    reject(
      'UNKNOWN_REFERENCE',
      `${f}.orderId`,
      `No order has id ${id}; send the purchase first, then this event again`,
    );
  const suppressed = (customerId: string, sku: string, field = 'customerId') =>
    reject('OPTED_OUT', `${f}.${field}`, `Customer ${customerId} opted out of ${sku}`);
  const plan = (
    write: WriteKind,
    params: Record<string, unknown>,
    deviceEvents: DeviceEvent[] = [],
    journeyEvents: JourneyEvent[] = [],
  ): IntakePlan => ({ write, params: { ...base, ...params }, deviceEvents, journeyEvents });

  switch (event.field) {
    case 'adImpression':
    case 'adClick': {
      const { customerId, campaignId } = event.data;
      if (!facts.customer) return noCustomer(customerId);
      const sku = facts.campaignSku;
      if (sku === null) {
        return reject('UNKNOWN_REFERENCE', `${f}.campaignId`, `No campaign has id ${campaignId}`);
      }
      if (optedOut(sku)) return suppressed(customerId, sku);
      const type = event.field === 'adClick' ? 'AD_CLICK' : 'AD_IMPRESSION';
      return plan(
        'ad',
        { type, customerId, campaignId, sku },
        [],
        [{ ...signal, type, customerId, sku, campaignId }],
      );
    }
    case 'storeProximity': {
      const { customerId, sku } = event.data;
      if (!facts.customer) return noCustomer(customerId);
      if (!facts.modelFound) {
        return reject('UNKNOWN_REFERENCE', `${f}.sku`, `No product model has sku ${sku}`);
      }
      if (optedOut(sku)) return suppressed(customerId, sku);
      const journey: JourneyEvent[] =
        nearStoreId === null
          ? []
          : [{ ...signal, type: 'STORE_PROXIMITY', customerId, sku, storeId: nearStoreId }];
      return plan(
        'storeProximity',
        { type: 'STORE_PROXIMITY', customerId, sku, storeId: nearStoreId },
        [],
        journey,
      );
    }
    case 'purchase': {
      const p = event.data;
      if (!facts.customer) return noCustomer(p.customerId);
      if (!facts.device) return noDevice(p.serial);
      const sku = facts.device.sku;
      if (optedOut(sku)) return suppressed(p.customerId, sku);
      if (facts.device.sold) {
        return reject('CONFLICT', `${f}.serial`, `Device ${p.serial} was already sold`);
      }
      if (facts.order) {
        return reject('CONFLICT', `${f}.orderId`, `Order ${p.orderId} already exists`);
      }
      if (p.storeId !== null && !facts.storeFound) {
        return reject('UNKNOWN_REFERENCE', `${f}.storeId`, `No store has id ${p.storeId}`);
      }
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
      return plan(
        'purchase',
        { type: 'PURCHASE', ...p, sku },
        [
          {
            ...signal,
            type: 'PURCHASED',
            serial: p.serial,
            customerId: p.customerId,
            orderId: p.orderId,
          },
        ],
        [
          {
            ...signal,
            type: 'PURCHASED',
            customerId: p.customerId,
            sku,
            serial: p.serial,
            orderId: p.orderId,
          },
        ],
      );
    }
    case 'shipmentUpdate':
    case 'delivery': {
      const { orderId } = event.data;
      const order = facts.order;
      if (!order) return noOrder(orderId);
      const params = { customerId: order.buyerId, sku: order.sku, serial: order.serial, orderId };
      if (event.field === 'delivery') {
        if (order.deliveredAt !== null) {
          return reject(
            'CONFLICT',
            `${f}.orderId`,
            `Order ${orderId} was already delivered at ${order.deliveredAt}`,
          );
        }
        return plan(
          'delivery',
          { type: 'DELIVERY', ...params, inFull: event.data.inFull },
          // An order without a device (see `order`) has no device lifecycle to tell.
          order.serial === null
            ? []
            : [{ ...signal, type: 'DELIVERED', serial: order.serial, orderId }],
        );
      }
      const { carrier, status, expectedDeliveryAt } = event.data;
      return plan(
        'shipmentUpdate',
        { type: 'SHIPMENT_UPDATE', ...params, carrier, status, expectedDeliveryAt },
        order.serial === null
          ? []
          : [{ ...signal, type: 'SHIPMENT_UPDATE', serial: order.serial, orderId }],
      );
    }
    case 'installation':
    case 'supportRequest':
    case 'feedback':
    case 'expertRequest': {
      const { serial } = event.data;
      const device = facts.device;
      if (!device) return noDevice(serial);
      if (!device.sold)
        return reject('CONFLICT', `${f}.serial`, `Device ${serial} has not been sold`);
      const type = DEVICE_EVENT_OF[event.field];
      return plan(
        'device',
        {
          type: event.field === 'installation' ? 'INSTALLATION' : type,
          serial,
          sku: device.sku,
          customerId: device.ownerId,
          topic:
            event.field === 'supportRequest' || event.field === 'expertRequest'
              ? event.data.topic
              : null,
          rating: event.field === 'feedback' ? event.data.rating : null,
          comment: event.field === 'feedback' ? event.data.comment : null,
          sentiment: event.field === 'feedback' ? sentimentOf(event.data.comment) : null,
        },
        [{ ...signal, type, serial }],
      );
    }
    case 'referral': {
      const { referrerId, referredId, sku, code } = event.data;
      if (!facts.customer) {
        return reject('UNKNOWN_REFERENCE', `${f}.referrerId`, `No customer has id ${referrerId}`);
      }
      if (!facts.referral.referredFound) {
        return reject('UNKNOWN_REFERENCE', `${f}.referredId`, `No customer has id ${referredId}`);
      }
      if (!facts.modelFound)
        return reject('UNKNOWN_REFERENCE', `${f}.sku`, `No product model has sku ${sku}`);
      const by = facts.referral.alreadyReferredBy;
      if (by !== null && by !== referrerId) {
        return reject(
          'CONFLICT',
          `${f}.referredId`,
          `Customer ${referredId} was already referred by ${by}`,
        );
      }
      if (facts.referral.wouldCycle) {
        return reject(
          'CONFLICT',
          `${f}.referrerId`,
          `Customer ${referrerId} was referred, directly or further down, by ${referredId}: a referral cannot close a cycle`,
        );
      }
      if (optedOut(sku)) return suppressed(referrerId, sku, 'referrerId');
      return plan('referral', { type: 'REFERRAL', customerId: referrerId, referredId, sku, code });
    }
    case 'identify':
      // Who the person is was settled by identity resolution; the event is their touchpoint.
      return plan('identify', { type: 'IDENTIFY', customerId: event.data.customerId });
    case 'review':
    case 'socialMention':
    case 'communityAnswer': {
      const { customerId, sku } = event.data;
      if (!facts.customer) return noCustomer(customerId);
      if (!facts.modelFound) {
        return reject('UNKNOWN_REFERENCE', `${f}.sku`, `No product model has sku ${sku}`);
      }
      if (optedOut(sku)) return suppressed(customerId, sku);
      const sentiment = sentimentOf(event.data.text);
      switch (event.field) {
        case 'review':
          return plan('review', {
            type: 'REVIEW',
            customerId,
            sku,
            rating: event.data.rating,
            text: event.data.text,
            sentiment,
          });
        case 'socialMention':
          return plan('socialMention', {
            type: 'SOCIAL_MENTION',
            customerId,
            sku,
            platform: event.data.platform,
            url: event.data.url,
            text: event.data.text,
            sentiment,
          });
        case 'communityAnswer': {
          const { answerId, questionText, text } = event.data;
          // A resend of the event that recorded it is not a reuse.
          if (facts.answer && facts.answer.key !== key) {
            return reject('CONFLICT', `${f}.answerId`, `Answer ${answerId} already exists`);
          }
          return plan('communityAnswer', {
            type: 'COMMUNITY_ANSWER',
            customerId,
            sku,
            answerId,
            questionText,
            text,
            sentiment,
          });
        }
      }
      break;
    }
    case 'answerVote': {
      const { customerId, answerId, helpful } = event.data;
      if (!facts.customer) return noCustomer(customerId);
      const answer = facts.answer;
      if (!answer) {
        return reject(
          'UNKNOWN_REFERENCE',
          `${f}.answerId`,
          `No community answer has id ${answerId}`,
        );
      }
      if (answer.authorId === customerId) {
        return reject(
          'CONFLICT',
          `${f}.customerId`,
          `Customer ${customerId} wrote answer ${answerId} and cannot vote on it`,
        );
      }
      if (answer.voteKey !== null && answer.voteKey !== key) {
        return reject(
          'CONFLICT',
          `${f}.answerId`,
          `Customer ${customerId} already voted on answer ${answerId}`,
        );
      }
      if (optedOut(answer.sku)) return suppressed(customerId, answer.sku as string);
      // The author's helpfulness, super-user status and value change with the vote: the plan
      // names them for whoever must react to that.
      return plan('answerVote', {
        type: 'ANSWER_VOTE',
        customerId,
        sku: answer.sku,
        answerId,
        helpful,
        answerAuthorId: answer.authorId,
      });
    }
    case 'order': {
      const o = event.data;
      if (!facts.customer) return noCustomer(o.customerId);
      if (o.sku !== null && !facts.modelFound) {
        return reject('UNKNOWN_REFERENCE', `${f}.sku`, `No product model has sku ${o.sku}`);
      }
      if (optedOut(o.sku)) return suppressed(o.customerId, o.sku as string, 'sku');
      if (o.storeId !== null && !facts.storeFound) {
        return reject('UNKNOWN_REFERENCE', `${f}.storeId`, `No store has id ${o.storeId}`);
      }
      if (facts.order) {
        return reject('CONFLICT', `${f}.orderId`, `Order ${o.orderId} already exists`);
      }
      // No lifecycle signal: an order without a device has no device lifecycle, and a journey
      // ends with a device purchase, not with a consumable or a record.
      return plan('order', { type: 'ORDER', ...o });
    }
    case 'telemetry':
      // Telemetry has its own path (see telemetry-intake.ts): it is not a touchpoint.
      return reject('INVALID', 'telemetry', 'Telemetry is not planned as a touchpoint');
    case 'optOut': {
      const { customerId, serial } = event.data;
      if (!facts.customer) return noCustomer(customerId);
      let sku = event.data.sku;
      let serials: string[];
      if (serial !== null) {
        if (!facts.device) return noDevice(serial);
        if (facts.device.ownerId !== customerId) {
          return reject(
            'CONFLICT',
            `${f}.serial`,
            `Customer ${customerId} does not own device ${serial}`,
          );
        }
        sku = facts.device.sku;
        serials = [serial];
      } else {
        if (!facts.modelFound) {
          return reject('UNKNOWN_REFERENCE', `${f}.sku`, `No product model has sku ${sku}`);
        }
        serials = facts.customer.ownedSerials;
      }
      const modelSku = sku as string;
      return plan(
        'optOut',
        { type: 'OPT_OUT', customerId, sku: modelSku },
        serials.map((s) => ({
          ...signal,
          eventId: `${key}:${s}`,
          type: 'OPT_OUT' as const,
          serial: s,
          customerId,
        })),
        [{ ...signal, type: 'OPT_OUT', customerId, sku: modelSku }],
      );
    }
  }
}

export const isRejection = (outcome: Rejection | IntakePlan): outcome is Rejection =>
  'code' in outcome;

/**
 * The facts as they were before an event's own write, for an event resent while still pending:
 * its purchase created the order and sold the device, its delivery delivered the order, and
 * none of that may now count against it.
 */
export function factsBeforeOwnWrite(event: IntakeEvent, facts: EventFacts): EventFacts {
  switch (event.field) {
    case 'purchase':
      return {
        ...facts,
        device: facts.device && { ...facts.device, sold: false },
        order: null,
        coupon: facts.coupon && { ...facts.coupon, redeemed: false },
      };
    case 'delivery':
      return { ...facts, order: facts.order && { ...facts.order, deliveredAt: null } };
    case 'order':
      return { ...facts, order: null };
    default:
      return facts;
  }
}
