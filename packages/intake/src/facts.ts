import type { JourneyStage, LifecycleStage } from '@experience-graph/workflows';

/**
 * What the graph knows about everything one event names, as its rules read it. It is a view of
 * the {@link BatchFacts} of its batch, which earlier events of the batch may have changed.
 */
export interface EventFacts {
  touchpoint: { delivery: 'pending' | 'delivered'; payloadHash: string } | null;
  customer: { optedOutSkus: string[]; ownedSerials: string[] } | null;
  modelFound: boolean;
  campaignSku: string | null;
  device: {
    sku: string;
    sold: boolean;
    ownerId: string | null;
    /** The stage its lifecycle last recorded; null before the first. */
    stage?: LifecycleStage | null;
  } | null;
  order: {
    deliveredAt: string | null;
    /** Null for an order without a device (an `order` event). */
    serial: string | null;
    sku: string | null;
    buyerId: string | null;
    /** The store it was bought at and the carrier it was handed to, if named. */
    storeId: string | null;
    carrierId: string | null;
  } | null;
  storeFound: boolean;
  /** For referrals: the referred person and how they relate to the referrer already. */
  referral: {
    referredFound: boolean;
    alreadyReferredBy: string | null;
    /** The referrer is downstream of the referred person: the new link would close a cycle. */
    wouldCycle: boolean;
  };
  /** For votes and answers: the community answer named, if it exists. */
  answer: {
    authorId: string | null;
    sku: string | null;
    /** The key of the event that recorded it, to tell a resend from a reused answer id. */
    key: string | null;
    /** The key of the event of the voter's earlier vote on it, if any. */
    voteKey: string | null;
  } | null;
  /** Of the person keys' hashes, those in an erasure tombstone. */
  erasedHashes?: string[];
  /** The customer or the referred person is being erased (the steps have not deleted them yet). */
  erasing?: { customer: boolean; referred: boolean };
  coupon: {
    redeemed: boolean;
    expired: boolean;
    customerId: string | null;
    storeId: string | null;
    sku: string | null;
  } | null;
  /** The stage of the person's journey with the product model, if one was recorded. */
  journeyStage?: JourneyStage | null;
}

/** The keys an event names; absent ones are null. */
export interface EventKeys {
  eventId: string;
  referredId: string | null;
  customerId: string | null;
  sku: string | null;
  campaignId: string | null;
  serial: string | null;
  orderId: string | null;
  storeId: string | null;
  couponCode: string | null;
  answerId: string | null;
}

export const NO_KEYS: Omit<EventKeys, 'eventId'> = {
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

export interface CustomerFacts {
  optedOutSkus: string[];
  /** The devices they own, with their models. */
  owned: Array<{ serial: string; sku: string }>;
  /** Their erasure is under way. */
  erasing: boolean;
  referredBy: string | null;
  /**
   * The people upstream of them in the chain of referrals that ends with them, first its first
   * referrer (themselves if nobody referred them), last themselves.
   */
  referralChain: string[];
}

export interface DeviceFacts {
  sku: string;
  sold: boolean;
  ownerId: string | null;
  stage: LifecycleStage | null;
}

export type OrderFacts = NonNullable<EventFacts['order']>;
export type CouponFacts = NonNullable<EventFacts['coupon']>;

export interface AnswerFacts {
  authorId: string | null;
  sku: string | null;
  key: string | null;
}

/**
 * What the graph knows about everything a batch names, read in one query before any of its
 * events is decided, and changed in memory by each accepted event's effect, so that later
 * events of the batch are judged on what earlier ones did (a purchase, then its delivery).
 */
export interface BatchFacts {
  touchpoints: Map<
    string,
    { delivery: 'pending' | 'delivered'; payloadHash: string; outcome: string | null }
  >;
  customers: Map<string, CustomerFacts>;
  models: Set<string>;
  /** Campaign id → the product model it promotes. */
  campaigns: Map<string, string | null>;
  devices: Map<string, DeviceFacts>;
  orders: Map<string, OrderFacts>;
  stores: Set<string>;
  coupons: Map<string, CouponFacts>;
  answers: Map<string, AnswerFacts>;
  /** `<voter id>|<answer id>` → the key of the event of the vote. */
  votes: Map<string, string>;
  erasedHashes: Set<string>;
  /** `<customer id>|<sku>` → the journey's recorded stage. */
  journeys: Map<string, JourneyStage | null>;
  /**
   * Per batch position of a proximity event: every store whose geofence holds it, nearest
   * first (none when it is near no store).
   */
  storesNear: Map<number, string[]>;
}

export const journeyKey = (customerId: string, sku: string) => `${customerId}|${sku}`;
export const voteKey = (customerId: string, answerId: string) => `${customerId}|${answerId}`;

/**
 * Whether `referrerId` is downstream of `referredId` in the referral chains as they stand in
 * the batch: a referral from the first to the second would close a cycle.
 */
export function wouldCycle(facts: BatchFacts, referrerId: string, referredId: string): boolean {
  const seen = new Set<string>();
  let person: string | null = referrerId;
  while (person !== null && !seen.has(person)) {
    seen.add(person);
    const c = facts.customers.get(person);
    if (!c) return false;
    const chain: string[] = c.referralChain.length > 0 ? c.referralChain : [person];
    if (chain.includes(referredId)) return true;
    // Only the first of a chain can have gained a referrer in this batch.
    person = facts.customers.get(chain[0] as string)?.referredBy ?? null;
  }
  return false;
}

/** The facts one event's rules read, from its batch's facts. */
export function eventFacts(
  facts: BatchFacts,
  keys: EventKeys & { key: string },
  erasureHashes: readonly string[],
): EventFacts {
  const customer = keys.customerId === null ? undefined : facts.customers.get(keys.customerId);
  const referred = keys.referredId === null ? undefined : facts.customers.get(keys.referredId);
  const device = keys.serial === null ? undefined : facts.devices.get(keys.serial);
  const order = keys.orderId === null ? undefined : facts.orders.get(keys.orderId);
  const answer = keys.answerId === null ? undefined : facts.answers.get(keys.answerId);
  const touchpoint = facts.touchpoints.get(keys.key);
  return {
    touchpoint: touchpoint
      ? { delivery: touchpoint.delivery, payloadHash: touchpoint.payloadHash }
      : null,
    customer: customer
      ? {
          optedOutSkus: customer.optedOutSkus,
          ownedSerials: customer.owned.filter((d) => d.sku === keys.sku).map((d) => d.serial),
        }
      : null,
    modelFound: keys.sku !== null && facts.models.has(keys.sku),
    campaignSku: keys.campaignId === null ? null : (facts.campaigns.get(keys.campaignId) ?? null),
    device: device ?? null,
    order: order ?? null,
    storeFound: keys.storeId !== null && facts.stores.has(keys.storeId),
    referral: {
      referredFound: referred !== undefined,
      alreadyReferredBy: referred?.referredBy ?? null,
      wouldCycle:
        keys.customerId !== null &&
        keys.referredId !== null &&
        customer !== undefined &&
        referred !== undefined &&
        wouldCycle(facts, keys.customerId, keys.referredId),
    },
    answer: answer
      ? {
          ...answer,
          voteKey:
            keys.customerId === null
              ? null
              : (facts.votes.get(voteKey(keys.customerId, keys.answerId as string)) ?? null),
        }
      : null,
    erasedHashes: erasureHashes.filter((h) => facts.erasedHashes.has(h)),
    erasing: { customer: customer?.erasing ?? false, referred: referred?.erasing ?? false },
    coupon: keys.couponCode === null ? null : (facts.coupons.get(keys.couponCode) ?? null),
    journeyStage:
      keys.customerId === null || keys.sku === null
        ? null
        : (facts.journeys.get(journeyKey(keys.customerId, keys.sku)) ?? null),
  };
}
