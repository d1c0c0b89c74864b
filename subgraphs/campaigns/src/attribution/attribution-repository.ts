import type { AttributionConfig } from '@experience-graph/config';
import type { Graph } from '@experience-graph/neo4j';
import type { Touch } from './attribution-models';

/** A reference to an order, owned by the products subgraph. */
export interface OrderRef {
  id: string;
}

/** A reference to a customer, owned by the customers subgraph. */
export interface CustomerRef {
  id: string;
}

/** A touch as read for attribution, with its kind. */
export interface StoredTouch extends Touch {
  type: string;
}

/** An order and every touch of its buyer that may share its credit. */
export interface OrderTouches {
  orderId: string;
  amount: number;
  placedAt: number;
  touches: StoredTouch[];
}

/** One person who touched a campaign, and what followed. */
export interface FunnelPerson {
  customerId: string;
  clicked: boolean;
  visitedStore: boolean;
  /** Orders influenced by the campaign: after one of the person's touches, within the window. */
  orders: Array<{ id: string; amount: number }>;
}

// An order's product: from the order itself (orders without a tracked device may carry a sku),
// else from the device it contains; null when it has none.
const ORDER_SKU = 'coalesce(o.sku, head([(o)-[:CONTAINS]->(d:Device) | d.sku]))';

/**
 * Who aggregates count: customers, and the anonymous holders that keep counting for people who
 * were erased (ErasedPerson) or opted out of a product (AnonymousPerson). Neither has an id or
 * any link back to the person, but each stands for one person's touches and orders.
 */
const PERSON_LABELS = 'Customer|ErasedPerson|AnonymousPerson';

// Campaign touches of the buyer about the order's product (any campaign when the order has no
// product), before the order and within the window; and the referral that brought the buyer
// (from a placeholder of an erased referrer, without a referrer to credit; for an opted-out
// purchase, kept as the time it happened).
const ORDER_TOUCHES = `
UNWIND $ids AS id
MATCH (buyer:${PERSON_LABELS})-[:PLACED]->(o:Order {id: id})
WITH o, buyer, ${ORDER_SKU} AS sku,
     o.placedAt - duration({days: $lookbackDays}) AS since
RETURN o.id AS orderId, toFloat(o.amount) AS amount, o.placedAt.epochMillis AS placedAt,
  [(buyer)-[:HAD]->(t:Touchpoint)-[:VIA]->(camp:Campaign)
     WHERE t.occurredAt <= o.placedAt AND t.occurredAt >= since
       AND (sku IS NULL OR camp.productSku = sku)
     | {id: t.eventId, at: t.occurredAt.epochMillis, type: t.type, campaignId: camp.id,
        referrerId: null}]
  + [(ref:Customer|ErasedPerson)-[r:REFERRED]->(buyer) WHERE r.at <= o.placedAt
     | {id: coalesce(r.eventId, 'referral:' + coalesce(ref.id, elementId(ref))),
        at: r.at.epochMillis, type: 'REFERRAL', campaignId: null, referrerId: ref.id}]
  + CASE WHEN buyer.referredAt IS NOT NULL AND buyer.referredAt <= o.placedAt
      THEN [{id: 'referral:' + elementId(buyer), at: buyer.referredAt.epochMillis,
             type: 'REFERRAL', campaignId: null, referrerId: null}]
      ELSE [] END AS touches`;

// Per campaign, per person who touched it: did they click, did they come near a store with the
// product after touching it, and which orders it influenced.
const FUNNEL_PEOPLE = `
UNWIND $ids AS id
MATCH (camp:Campaign {id: id})<-[:VIA]-(t:Touchpoint)<-[:HAD]-(c:${PERSON_LABELS})
WITH camp, c, collect(t.occurredAt) AS times, collect(t.type) AS types
WITH camp, c, types, times,
     reduce(first = head(times), x IN times | CASE WHEN x < first THEN x ELSE first END) AS firstTouch
RETURN camp.id AS campaignId, coalesce(c.id, 'anonymous:' + elementId(c)) AS customerId,
  'AD_CLICK' IN types AS clicked,
  EXISTS {
    (c)-[:HAD]->(v:Touchpoint {type: 'STORE_PROXIMITY'})-[:ABOUT]->(:ProductModel {sku: camp.productSku})
    WHERE v.occurredAt >= firstTouch
  } AS visitedStore,
  [(c)-[:PLACED]->(o:Order)
     WHERE coalesce(${ORDER_SKU}, camp.productSku) = camp.productSku
       AND any(x IN times WHERE x <= o.placedAt AND x >= o.placedAt - duration({days: $lookbackDays}))
     | {id: o.id, amount: toFloat(o.amount)}] AS orders
ORDER BY customerId`;

// Per referrer: the orders of the people they referred, placed after the referral.
const REFERRED_ORDERS = `
UNWIND $ids AS id
MATCH (:Customer {id: id})-[r:REFERRED]->(:Customer|ErasedPerson)-[:PLACED]->(o:Order)
WHERE r.at <= o.placedAt
RETURN id, collect(o.id) AS orderIds`;

/** Cypher of attribution and funnels; every read is batched by key. */
export function createAttributionRepository(graph: Graph, config: AttributionConfig) {
  const lookbackDays = Math.trunc(config.lookbackDays);
  return {
    async touchesOfOrders(ids: readonly string[]): Promise<Map<string, OrderTouches>> {
      const rows = await graph.read<OrderTouches>(ORDER_TOUCHES, { ids, lookbackDays });
      return new Map(rows.map((r) => [r.orderId, r]));
    },

    async referredOrders(ids: readonly string[]): Promise<Map<string, string[]>> {
      const rows = await graph.read<{ id: string; orderIds: string[] }>(REFERRED_ORDERS, { ids });
      return new Map(rows.map((r) => [r.id, r.orderIds]));
    },

    async funnelPeople(ids: readonly string[]): Promise<Map<string, FunnelPerson[]>> {
      const rows = await graph.read<FunnelPerson & { campaignId: string }>(FUNNEL_PEOPLE, {
        ids,
        lookbackDays,
      });
      const people = new Map<string, FunnelPerson[]>();
      for (const { campaignId, ...person } of rows) {
        const list = people.get(campaignId) ?? [];
        list.push(person);
        people.set(campaignId, list);
      }
      return people;
    },
  };
}

export type AttributionRepository = ReturnType<typeof createAttributionRepository>;
