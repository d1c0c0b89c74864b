import type { Graph } from '@experience-graph/neo4j';

/** What the graph knows about everything an event names, read before deciding on it. */
export interface EventFacts {
  touchpoint: { delivery: 'pending' | 'delivered'; payloadHash: string } | null;
  customer: { optedOutSkus: string[]; ownedSerials: string[] } | null;
  modelFound: boolean;
  campaignSku: string | null;
  device: { sku: string; sold: boolean; ownerId: string | null } | null;
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
  /** Of `erasureHashes`, those in an erasure tombstone. */
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
}

/** The keys an event names; absent ones are null. */
export interface EventKeys {
  eventId: string;
  /** The event's id within its sender's ids: the touchpoint's key (see `scopedEventId`). */
  key?: string;
  referredId: string | null;
  customerId: string | null;
  sku: string | null;
  campaignId: string | null;
  serial: string | null;
  orderId: string | null;
  storeId: string | null;
  couponCode: string | null;
  answerId: string | null;
  /** Salted hashes of the person keys the event names, to look up in erasure tombstones. */
  erasureHashes?: string[];
}

/** Of `$erasureHashes`, those in a tombstone; whether `c` or `referred` is being erased. */
const ERASURE_FIELDS = `[h IN $erasureHashes WHERE EXISTS { (:ErasedKey {hash: h}) }] AS erasedHashes,
  {
    customer: c IS NOT NULL AND c.erasureId IS NOT NULL,
    referred: referred IS NOT NULL AND referred.erasureId IS NOT NULL
  } AS erasing`;

const ERASURE = `
OPTIONAL MATCH (c:Customer {id: $customerId})
OPTIONAL MATCH (referred:Customer {id: $referredId})
RETURN ${ERASURE_FIELDS}`;

const FACTS = `
OPTIONAL MATCH (t:Touchpoint {key: $key})
OPTIONAL MATCH (c:Customer {id: $customerId})
OPTIONAL MATCH (m:ProductModel {sku: $sku})
OPTIONAL MATCH (camp:Campaign {id: $campaignId})
OPTIONAL MATCH (d:Device {serial: $serial})
OPTIONAL MATCH (o:Order {id: $orderId})
OPTIONAL MATCH (s:Store {id: $storeId})
OPTIONAL MATCH (cp:Coupon {code: $couponCode})
OPTIONAL MATCH (referred:Customer {id: $referredId})
OPTIONAL MATCH (answer:Touchpoint {answerId: $answerId, type: 'COMMUNITY_ANSWER'})
RETURN
  CASE WHEN answer IS NULL THEN null ELSE {
    authorId: head([(x:Customer)-[:HAD]->(answer) | x.id]),
    sku: head([(answer)-[:ABOUT]->(x:ProductModel) | x.sku]),
    key: answer.key,
    voteKey: head([(c)-[v:VOTED]->(answer) | v.key])
  } END AS answer,
  {
    referredFound: referred IS NOT NULL,
    alreadyReferredBy: head([(x:Customer)-[:REFERRED]->(referred) | x.id]),
    wouldCycle: c IS NOT NULL AND referred IS NOT NULL AND EXISTS { (referred)-[:REFERRED*1..]->(c) }
  } AS referral,
  ${ERASURE_FIELDS},
  t { .delivery, .payloadHash } AS touchpoint,
  CASE WHEN c IS NULL THEN null ELSE {
    optedOutSkus: coalesce(c.optedOutSkus, []),
    ownedSerials: [(c)-[:OWNS]->(x:Device) WHERE x.sku = $sku | x.serial]
  } END AS customer,
  m IS NOT NULL AS modelFound,
  camp.productSku AS campaignSku,
  CASE WHEN d IS NULL THEN null ELSE {
    sku: d.sku,
    sold: EXISTS { (d)<-[:CONTAINS]-(:Order) },
    // The buyer is known at once from the order; ownership follows when the lifecycle has it.
    // A person being erased owns nothing any more: their device's events stay anonymous.
    ownerId: coalesce(head([(x:Customer)-[:OWNS]->(d) WHERE x.erasureId IS NULL | x.id]),
                      head([(x:Customer)-[:PLACED]->(:Order)-[:CONTAINS]->(d) WHERE x.erasureId IS NULL | x.id]))
  } END AS device,
  CASE WHEN o IS NULL THEN null ELSE {
    deliveredAt: toString(o.deliveredAt),
    serial: head([(o)-[:CONTAINS]->(x:Device) | x.serial]),
    sku: coalesce(head([(o)-[:CONTAINS]->(x:Device) | x.sku]), o.sku),
    buyerId: head([(x:Customer)-[:PLACED]->(o) | x.id]),
    storeId: head([(o)-[:AT]->(x:Store) | x.id]),
    carrierId: o.carrierId
  } END AS order,
  s IS NOT NULL AS storeFound,
  CASE WHEN cp IS NULL THEN null ELSE {
    redeemed: cp.redeemedAt IS NOT NULL,
    expired: cp.expiresAt < datetime(),
    customerId: head([(cp)-[:ISSUED_TO]->(x:Customer) | x.id]),
    storeId: head([(cp)-[:OF]->(:Offer)-[:AT]->(x:Store) | x.id]),
    sku: head([(cp)-[:OF]->(:Offer)-[:FOR]->(x:ProductModel) | x.sku])
  } END AS coupon`;

// The partner store whose geofence contains a point, nearest first. The point is a parameter
// of this read only: it is never written.
const STORE_NEAR = `
MATCH (s:Store)
WITH s, point.distance(s.location, point({latitude: $latitude, longitude: $longitude})) AS meters
WHERE meters <= s.radiusMeters AND ($storeIds IS NULL OR s.id IN $storeIds)
RETURN s.id AS storeId ORDER BY meters LIMIT 1`;

/**
 * Creates the touchpoint shared by every event, pending until its lifecycle has it; keyed by
 * the event's id within its sender's ids, and recording who sent it.
 */
const TOUCHPOINT = `
MERGE (t:Touchpoint {key: $key})
  ON CREATE SET t.eventId = $eventId, t.type = $type, t.occurredAt = datetime($occurredAt),
                t.recordedAt = datetime(), t.recordedBy = $recordedBy,
                t.delivery = 'pending', t.payloadHash = $payloadHash`;

const LINK_CUSTOMER = `
WITH t
OPTIONAL MATCH (c:Customer {id: $customerId})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | MERGE (c)-[:HAD]->(t))`;

const LINK_MODEL = `
WITH t
OPTIONAL MATCH (m:ProductModel {sku: $sku})
FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (t)-[:ABOUT]->(m))`;

const LINK_DEVICE = `
WITH t
OPTIONAL MATCH (d:Device {serial: $serial})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | MERGE (t)-[:ABOUT_DEVICE]->(d))`;

const LINK_STORE = `
WITH t
OPTIONAL MATCH (s:Store {id: $storeId})
FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (t)-[:AT]->(s))`;

const LINK_ORDER = `
WITH t
OPTIONAL MATCH (o:Order {id: $orderId})
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | MERGE (t)-[:FOR]->(o))`;

/** Per payload field: what the event adds to the graph besides its touchpoint. */
const WRITES: Record<string, string> = {
  ad: `${TOUCHPOINT}
    WITH t MATCH (camp:Campaign {id: $campaignId})
    SET t.channel = camp.channel
    MERGE (t)-[:VIA]->(camp)
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
  storeProximity: `${TOUCHPOINT} SET t.channel = 'APP' ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_STORE}`,
  // The order, its coupon and its attribution: the last campaign touch with this product
  // before the purchase gets the credit (other models are analysts' to compute).
  purchase: `${TOUCHPOINT}
    SET t.channel = CASE WHEN $storeId IS NULL THEN 'ONLINE' ELSE 'STORE' END
    WITH t
    MATCH (c:Customer {id: $customerId}), (d:Device {serial: $serial})
    MERGE (o:Order {id: $orderId})
      ON CREATE SET o.placedAt = datetime($occurredAt), o.amount = $amount, o.currency = $currency,
                    o.promisedDeliveryAt = datetime($promisedDeliveryAt), o.carrierId = $carrierId
    MERGE (c)-[:PLACED]->(o)
    MERGE (o)-[:CONTAINS]->(d)
    MERGE (t)-[:FOR]->(o)
    WITH t, c, d, o
    CALL (o) {
      OPTIONAL MATCH (s:Store {id: $storeId})
      FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (o)-[:AT]->(s))
    }
    CALL (o) {
      OPTIONAL MATCH (cp:Coupon {code: $couponCode})
      FOREACH (_ IN CASE WHEN cp IS NULL THEN [] ELSE [1] END |
        SET cp.redeemedAt = coalesce(cp.redeemedAt, o.placedAt) MERGE (o)-[:REDEEMED]->(cp))
    }
    CALL (c, d, o) {
      MATCH (c)-[:HAD]->(x:Touchpoint)-[:VIA]->(camp:Campaign)-[:PROMOTES]->(:ProductModel {sku: d.sku})
      WHERE x.occurredAt <= o.placedAt
      WITH camp ORDER BY x.occurredAt DESC LIMIT 1
      MERGE (o)-[a:ATTRIBUTED_TO]->(camp) ON CREATE SET a.model = 'last_touch'
    }
    ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE} ${LINK_STORE}`,
  // A purchase without a device: the order, its buyer and, if named, its product model.
  order: `${TOUCHPOINT}
    SET t.channel = 'ONLINE'
    WITH t
    MATCH (c:Customer {id: $customerId})
    MERGE (o:Order {id: $orderId})
      ON CREATE SET o.placedAt = datetime($occurredAt), o.amount = $amount, o.currency = $currency,
                    o.quantity = $quantity, o.sku = $sku
    MERGE (c)-[:PLACED]->(o)
    MERGE (t)-[:FOR]->(o)
    WITH t, o
    CALL (o) {
      OPTIONAL MATCH (s:Store {id: $storeId})
      FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | MERGE (o)-[:AT]->(s))
    }
    ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_STORE}`,
  // Carriers resend and reorder updates: only a newer one replaces the shown status.
  shipmentUpdate: `${TOUCHPOINT}
    SET t.channel = 'CARRIER', t.carrierStatus = $status
    WITH t MATCH (o:Order {id: $orderId})
    SET o.shippedAt = coalesce(o.shippedAt, datetime($occurredAt)), o.carrier = $carrier
    FOREACH (_ IN CASE WHEN o.statusAt IS NULL OR o.statusAt <= datetime($occurredAt) THEN [1] ELSE [] END |
      SET o.carrierStatus = $status, o.statusAt = datetime($occurredAt),
          o.expectedDeliveryAt = CASE WHEN $expectedDeliveryAt IS NULL THEN o.expectedDeliveryAt
                                      ELSE datetime($expectedDeliveryAt) END)
    ${LINK_ORDER} ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE}`,
  // On time: delivered no later than promised. In full: as reported by the carrier.
  delivery: `${TOUCHPOINT}
    SET t.channel = 'CARRIER'
    WITH t MATCH (o:Order {id: $orderId})
    SET o.deliveredAt = coalesce(o.deliveredAt, datetime($occurredAt)),
        o.inFull = coalesce(o.inFull, $inFull),
        o.onTime = coalesce(o.onTime, datetime($occurredAt) <= o.promisedDeliveryAt)
    ${LINK_ORDER} ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE}`,
  device: `${TOUCHPOINT}
    SET t.channel = 'APP', t.topic = $topic, t.rating = $rating, t.comment = $comment,
        t.sentiment = $sentiment
    ${LINK_CUSTOMER} ${LINK_MODEL} ${LINK_DEVICE}`,
  // A referral is a relationship between two people and a touchpoint of the referrer's.
  referral: `${TOUCHPOINT}
    SET t.channel = 'REFERRAL', t.code = $code
    WITH t
    MATCH (referrer:Customer {id: $customerId}), (referred:Customer {id: $referredId})
    MERGE (referrer)-[r:REFERRED]->(referred)
      ON CREATE SET r.at = datetime($occurredAt), r.eventId = $eventId, r.sku = $sku, r.code = $code
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
  // Sign-up, login or cookie sync: the identifiers were linked by identity resolution.
  identify: `${TOUCHPOINT} SET t.channel = 'IDENTITY' ${LINK_CUSTOMER}`,
  // Voice of the customer: what a customer wrote, scored for sentiment (−1..1).
  review: `${TOUCHPOINT}
    SET t.channel = 'WEB', t.rating = $rating, t.text = $text, t.sentiment = $sentiment
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
  socialMention: `${TOUCHPOINT}
    SET t.channel = 'SOCIAL', t.platform = $platform, t.url = $url, t.text = $text,
        t.sentiment = $sentiment
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
  // A community answer is the author's touchpoint, keyed by its answer id too: votes point at it.
  communityAnswer: `${TOUCHPOINT}
    SET t.channel = 'COMMUNITY', t.answerId = $answerId, t.questionText = $questionText,
        t.text = $text, t.sentiment = $sentiment
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
  // A vote is the voter's touchpoint and a relationship to the answer: one per voter and answer.
  answerVote: `${TOUCHPOINT}
    SET t.channel = 'COMMUNITY', t.votedAnswerId = $answerId, t.helpful = $helpful
    WITH t
    MATCH (voter:Customer {id: $customerId}),
          (answer:Touchpoint {answerId: $answerId, type: 'COMMUNITY_ANSWER'})
    MERGE (voter)-[v:VOTED]->(answer)
      ON CREATE SET v.helpful = $helpful, v.at = datetime($occurredAt), v.eventId = $eventId,
                    v.key = $key
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
  // The opt-out itself links the person to nothing: it only puts the product on their
  // suppression list at once, so no later event can record anything personal.
  optOut: `${TOUCHPOINT}
    SET t.channel = 'APP'
    WITH t MATCH (c:Customer {id: $customerId})
    SET c.optedOutSkus = CASE WHEN $sku IN coalesce(c.optedOutSkus, []) THEN c.optedOutSkus
                              ELSE coalesce(c.optedOutSkus, []) + $sku END
    ${LINK_MODEL}`,
};

export type WriteKind = keyof typeof WRITES;

/** Cypher of the event intake. */
export function createEventRepository(graph: Graph) {
  return {
    /**
     * The erasure part of the facts alone, for the check made before identity resolution: which
     * of `hashes` are in a tombstone, and whether the customer or referred person named is
     * being erased.
     */
    async erasure(
      hashes: readonly string[],
      customerId: string | null,
      referredId: string | null,
    ): Promise<Pick<EventFacts, 'erasedHashes' | 'erasing'>> {
      const [row] = await graph.read<Pick<EventFacts, 'erasedHashes' | 'erasing'>>(ERASURE, {
        erasureHashes: hashes,
        customerId,
        referredId,
      });
      if (!row) throw new Error('The erasure query returned no row');
      return row;
    },

    async facts(keys: EventKeys): Promise<EventFacts> {
      const [row] = await graph.read<EventFacts>(FACTS, {
        ...keys,
        key: keys.key ?? null,
        erasureHashes: keys.erasureHashes ?? [],
      });
      if (!row) throw new Error('The facts query returned no row');
      return row;
    },

    /** The device serial of each existing order among these ids (orders with a device only). */
    async serialsOfOrders(orderIds: readonly string[]): Promise<Map<string, string>> {
      if (orderIds.length === 0) return new Map();
      const rows = await graph.read<{ orderId: string; serial: string }>(
        `UNWIND $orderIds AS id
         MATCH (:Order {id: id})-[:CONTAINS]->(d:Device)
         RETURN id AS orderId, d.serial AS serial`,
        { orderIds },
      );
      return new Map(rows.map((r) => [r.orderId, r.serial]));
    },

    /** The store whose geofence holds a point, among `storeIds` (null: among every store). */
    async storeNear(
      latitude: number,
      longitude: number,
      storeIds: readonly string[] | null = null,
    ): Promise<string | null> {
      const [row] = await graph.read<{ storeId: string }>(STORE_NEAR, {
        latitude,
        longitude,
        storeIds,
      });
      return row?.storeId ?? null;
    },

    /** A device's model and owner, as reach is judged on; null for an unknown serial. */
    async deviceOf(serial: string): Promise<{ sku: string; ownerId: string | null } | null> {
      const [row] = await graph.read<{ sku: string; ownerId: string | null }>(
        `MATCH (d:Device {serial: $serial})
         RETURN d.sku AS sku,
           coalesce(head([(x:Customer)-[:OWNS]->(d) WHERE x.erasureId IS NULL | x.id]),
                    head([(x:Customer)-[:PLACED]->(:Order)-[:CONTAINS]->(d) WHERE x.erasureId IS NULL | x.id])) AS ownerId`,
        { serial },
      );
      return row ?? null;
    },

    /**
     * Writes an event's touchpoint and facts in one transaction, pending delivery; or delivered
     * at once when the event has no lifecycle to signal, saving the second transaction.
     */
    async write(
      kind: WriteKind,
      params: Record<string, unknown>,
      options: { delivered?: boolean } = {},
    ): Promise<void> {
      const cypher = WRITES[kind] as string;
      await graph.write(
        options.delivered ? `${cypher}\nWITH t SET t.delivery = 'delivered'` : cypher,
        params,
      );
    },

    /**
     * How far an event got (by its key within its sender's ids), to answer a resend as a
     * duplicate whatever else changed since.
     */
    async touchpointOf(
      key: string,
    ): Promise<{ delivery: 'pending' | 'delivered'; payloadHash: string } | null> {
      const [row] = await graph.read<{ delivery: 'pending' | 'delivered'; payloadHash: string }>(
        `MATCH (t:Touchpoint {key: $key}) RETURN t.delivery AS delivery, t.payloadHash AS payloadHash`,
        { key },
      );
      return row ?? null;
    },

    /** Marks a touchpoint as handed to its lifecycle: from now on a resend is a duplicate. */
    async markDelivered(key: string): Promise<void> {
      await graph.write(`MATCH (t:Touchpoint {key: $key}) SET t.delivery = 'delivered'`, { key });
    },
  };
}

export type EventRepository = ReturnType<typeof createEventRepository>;
