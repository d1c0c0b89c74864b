import type { Graph } from '@experience-graph/neo4j';
import type { JourneyStage } from '@experience-graph/workflows';
import {
  journeyKey,
  voteKey,
  type AnswerFacts,
  type BatchFacts,
  type CouponFacts,
  type CustomerFacts,
  type DeviceFacts,
  type OrderFacts,
} from './facts';

/** Everything a batch names, to read its facts in one query. */
export interface FactKeys {
  touchpointKeys: string[];
  customerIds: string[];
  skus: string[];
  campaignIds: string[];
  serials: string[];
  orderIds: string[];
  storeIds: string[];
  couponCodes: string[];
  answerIds: string[];
  votes: Array<{ customerId: string; answerId: string }>;
  erasureHashes: string[];
  journeys: Array<{ customerId: string; sku: string }>;
  /** Proximity events: where, and among which stores (null: any). */
  points: Array<{
    position: number;
    latitude: number;
    longitude: number;
    storeIds: string[] | null;
  }>;
}

// One statement, every part a subquery over the batch's keys, each answering one row. Planning
// it costs seconds on a cold server; its plan (index seeks from the keys) does not depend on how
// much the graph holds, so a cached plan is kept even when the statistics have moved
// (`replan=skip`), instead of being planned again while a batch waits.
const BATCH_FACTS = `CYPHER replan=skip
CALL () {
  UNWIND $touchpointKeys AS k
  MATCH (t:Touchpoint {key: k})
  RETURN collect({key: k, delivery: t.delivery, payloadHash: t.payloadHash, outcome: t.outcome}) AS touchpoints
}
CALL () {
  UNWIND $customerIds AS id
  MATCH (c:Customer {id: id})
  // Everyone has at most one referrer: the people upstream form a chain, read from c upward.
  WITH id, c,
       head([(c)<-[:REFERRED*0..]-(x:Customer) WHERE NOT EXISTS { (:Customer)-[:REFERRED]->(x) } | x.id]) AS top,
       [(c)<-[:REFERRED*1..]-(x:Customer) | x.id] AS upstream
  RETURN collect({
    id: id,
    optedOutSkus: coalesce(c.optedOutSkus, []),
    owned: [(c)-[:OWNS]->(x:Device) | {serial: x.serial, sku: x.sku}],
    erasing: c.erasureId IS NOT NULL,
    referredBy: head([(x:Customer)-[:REFERRED]->(c) | x.id]),
    referralChain: [coalesce(top, id)] + upstream + [id]
  }) AS customers
}
CALL () {
  UNWIND $skus AS sku
  MATCH (m:ProductModel {sku: sku})
  RETURN collect(sku) AS models
}
CALL () {
  UNWIND $campaignIds AS id
  MATCH (camp:Campaign {id: id})
  RETURN collect({id: id, sku: camp.productSku}) AS campaigns
}
// The devices named, and those of the orders named (a delivery's lifecycle is its device's).
// The orders are sought one by one on their key: written as \`o.id IN $orderIds\`, the cached
// plan scanned every CONTAINS relationship of the graph.
CALL () {
  UNWIND $serials + COLLECT {
    UNWIND $orderIds AS orderId
    MATCH (:Order {id: orderId})-[:CONTAINS]->(x:Device)
    RETURN x.serial
  } AS named
  WITH DISTINCT named AS serial
  MATCH (d:Device {serial: serial})
  RETURN collect({
    serial: serial,
    sku: d.sku,
    sold: EXISTS { (d)<-[:CONTAINS]-(:Order) },
    // The buyer is known at once from the order; ownership follows when the lifecycle has it.
    // A person being erased owns nothing any more: their device's events stay anonymous.
    ownerId: coalesce(head([(x:Customer)-[:OWNS]->(d) WHERE x.erasureId IS NULL | x.id]),
                      head([(x:Customer)-[:PLACED]->(:Order)-[:CONTAINS]->(d) WHERE x.erasureId IS NULL | x.id])),
    stage: d.stage
  }) AS devices
}
CALL () {
  UNWIND $orderIds AS id
  MATCH (o:Order {id: id})
  RETURN collect({
    id: id,
    deliveredAt: toString(o.deliveredAt),
    serial: head([(o)-[:CONTAINS]->(x:Device) | x.serial]),
    sku: coalesce(head([(o)-[:CONTAINS]->(x:Device) | x.sku]), o.sku),
    buyerId: head([(x:Customer)-[:PLACED]->(o) | x.id]),
    storeId: head([(o)-[:AT]->(x:Store) | x.id]),
    carrierId: o.carrierId
  }) AS orders
}
CALL () {
  UNWIND $storeIds AS id
  MATCH (s:Store {id: id})
  RETURN collect(id) AS stores
}
CALL () {
  UNWIND $couponCodes AS code
  MATCH (cp:Coupon {code: code})
  RETURN collect({
    code: code,
    redeemed: cp.redeemedAt IS NOT NULL,
    expired: cp.expiresAt < datetime(),
    customerId: head([(cp)-[:ISSUED_TO]->(x:Customer) | x.id]),
    storeId: head([(cp)-[:OF]->(:Offer)-[:AT]->(x:Store) | x.id]),
    sku: head([(cp)-[:OF]->(:Offer)-[:FOR]->(x:ProductModel) | x.sku])
  }) AS coupons
}
CALL () {
  UNWIND $answerIds AS id
  MATCH (answer:Touchpoint {answerId: id, type: 'COMMUNITY_ANSWER'})
  RETURN collect({
    id: id,
    authorId: head([(x:Customer)-[:HAD]->(answer) | x.id]),
    sku: head([(answer)-[:ABOUT]->(x:ProductModel) | x.sku]),
    key: answer.key
  }) AS answers
}
CALL () {
  UNWIND $votes AS v
  MATCH (:Customer {id: v.customerId})-[vote:VOTED]->(:Touchpoint {answerId: v.answerId, type: 'COMMUNITY_ANSWER'})
  RETURN collect({customerId: v.customerId, answerId: v.answerId, key: vote.key}) AS votes
}
CALL () {
  UNWIND $erasureHashes AS h
  MATCH (:ErasedKey {hash: h})
  RETURN collect(h) AS erasedHashes
}
CALL () {
  UNWIND $journeys AS j
  MATCH (:Customer {id: j.customerId})-[journey:JOURNEY]->(:ProductModel {sku: j.sku})
  RETURN collect({customerId: j.customerId, sku: j.sku, stage: journey.stage}) AS journeys
}
// Every partner store whose geofence contains each point, nearest first (geofences may
// overlap). The points are parameters of this read only: they are never written.
CALL () {
  UNWIND $points AS p
  CALL (p) {
    MATCH (s:Store)
    WITH s, point.distance(s.location, point({latitude: p.latitude, longitude: p.longitude})) AS meters
    WHERE meters <= s.radiusMeters AND (p.storeIds IS NULL OR s.id IN p.storeIds)
    WITH s ORDER BY meters, s.id
    RETURN collect(s.id) AS storeIds
  }
  RETURN collect({position: p.position, storeIds: storeIds}) AS near
}
RETURN touchpoints, customers, models, campaigns, devices, orders, stores, coupons, answers,
       votes, erasedHashes, journeys, near`;

interface Row {
  touchpoints: Array<{
    key: string;
    delivery: 'pending' | 'delivered' | null;
    payloadHash: string;
    outcome: string | null;
  }>;
  customers: Array<CustomerFacts & { id: string }>;
  models: string[];
  campaigns: Array<{ id: string; sku: string | null }>;
  devices: Array<DeviceFacts & { serial: string }>;
  orders: Array<OrderFacts & { id: string }>;
  stores: string[];
  coupons: Array<CouponFacts & { code: string }>;
  answers: Array<AnswerFacts & { id: string }>;
  votes: Array<{ customerId: string; answerId: string; key: string | null }>;
  erasedHashes: string[];
  journeys: Array<{ customerId: string; sku: string; stage: JourneyStage | null }>;
  near: Array<{ position: number; storeIds: string[] }>;
}

const unique = <T>(values: readonly T[]) => [...new Set(values)];

/** Reads the facts of everything a batch names, in one round trip. */
export async function readBatchFacts(graph: Graph, keys: FactKeys): Promise<BatchFacts> {
  const [row] = await graph.read<Row>(BATCH_FACTS, {
    touchpointKeys: unique(keys.touchpointKeys),
    customerIds: unique(keys.customerIds),
    skus: unique(keys.skus),
    campaignIds: unique(keys.campaignIds),
    serials: unique(keys.serials),
    orderIds: unique(keys.orderIds),
    storeIds: unique(keys.storeIds),
    couponCodes: unique(keys.couponCodes),
    answerIds: unique(keys.answerIds),
    votes: keys.votes,
    erasureHashes: unique(keys.erasureHashes),
    journeys: keys.journeys,
    points: keys.points,
  });
  if (!row) throw new Error('The batch facts query returned no row');
  return {
    touchpoints: new Map(
      row.touchpoints.map(({ key, delivery, ...t }) => [
        key,
        // Touchpoints of the first intake had no delivery state: they were delivered.
        { ...t, delivery: delivery ?? 'delivered' },
      ]),
    ),
    customers: new Map(row.customers.map(({ id, ...c }) => [id, c])),
    models: new Set(row.models),
    campaigns: new Map(row.campaigns.map((c) => [c.id, c.sku])),
    devices: new Map(row.devices.map(({ serial, ...d }) => [serial, d])),
    orders: new Map(row.orders.map(({ id, ...o }) => [id, o])),
    stores: new Set(row.stores),
    coupons: new Map(row.coupons.map(({ code, ...c }) => [code, c])),
    answers: new Map(row.answers.map(({ id, ...a }) => [id, a])),
    votes: new Map(
      row.votes.flatMap((v) =>
        v.key === null ? [] : [[voteKey(v.customerId, v.answerId), v.key]],
      ),
    ),
    erasedHashes: new Set(row.erasedHashes),
    journeys: new Map(row.journeys.map((j) => [journeyKey(j.customerId, j.sku), j.stage])),
    storesNear: new Map(row.near.map((n) => [n.position, n.storeIds])),
  };
}
