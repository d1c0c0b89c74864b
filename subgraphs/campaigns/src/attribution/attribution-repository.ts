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

/**
 * The people who touched a campaign who share one answer to each question the funnel asks:
 * did they click, did they come near a store with the product after touching it, did the
 * campaign influence an order of theirs. A campaign has at most eight such groups, however
 * many people it reached, so the graph counts them and the stage rules (funnel.ts) stay here.
 */
export interface FunnelGroup {
  clicked: boolean;
  visitedStore: boolean;
  purchased: boolean;
  people: number;
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
// product after touching it, and which orders it influenced; then the people counted per
// answer, so that a campaign reaching many people returns a few rows (FunnelGroup). A person's
// store visits and orders are found in one walk over their relationships (`mine`), told apart
// by label (StoreProximity, Order) so that no touchpoint's type is read: a person has a few
// relationships, kept in one chain, and each walk by type reads all of them, so walking once per
// question cost more than one walk for both. Each campaign touch's time and type are read once:
// the first touch is taken from the collected times, as min() beside collect() reads each again.
const FUNNEL_GROUPS = `
UNWIND $ids AS id
MATCH (camp:Campaign {id: id})
CALL (camp) {
  MATCH (camp)<-[:VIA]-(t:Touchpoint)<-[:HAD]-(c:${PERSON_LABELS})
  WITH c, collect(t.occurredAt) AS times, count(CASE WHEN t.type = 'AD_CLICK' THEN 1 END) > 0 AS clicked
  WITH c, times, clicked,
       reduce(m = head(times), x IN tail(times) | CASE WHEN x < m THEN x ELSE m END) AS firstTouch,
       [(c)-[:HAD|PLACED]->(x) WHERE x:StoreProximity OR x:Order | x] AS mine
  WITH clicked,
    any(v IN mine WHERE v:StoreProximity AND v.occurredAt >= firstTouch
        AND EXISTS { (v)-[:ABOUT]->(:ProductModel {sku: camp.productSku}) }) AS visitedStore,
    [o IN mine WHERE o:Order
       AND coalesce(${ORDER_SKU}, camp.productSku) = camp.productSku
       AND any(x IN times WHERE x <= o.placedAt AND x >= o.placedAt - duration({days: $lookbackDays}))
     | {id: o.id, amount: toFloat(o.amount)}] AS orders
  WITH clicked, visitedStore, size(orders) > 0 AS purchased, count(*) AS people,
       collect(orders) AS orders
  RETURN clicked, visitedStore, purchased, people, orders
}
RETURN camp.id AS campaignId, clicked, visitedStore, purchased, people, orders`;

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

    async funnelGroups(ids: readonly string[]): Promise<Map<string, FunnelGroup[]>> {
      type Row = Omit<FunnelGroup, 'orders'> & {
        campaignId: string;
        orders: FunnelGroup['orders'][];
      };
      const rows = await graph.read<Row>(FUNNEL_GROUPS, { ids, lookbackDays });
      const groups = new Map<string, FunnelGroup[]>();
      for (const { campaignId, orders, ...group } of rows) {
        const list = groups.get(campaignId) ?? [];
        // Orders come per person; each order has one buyer, so none is listed twice.
        list.push({ ...group, orders: orders.flat() });
        groups.set(campaignId, list);
      }
      return groups;
    },
  };
}

export type AttributionRepository = ReturnType<typeof createAttributionRepository>;
