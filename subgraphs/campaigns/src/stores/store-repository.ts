import type { Graph } from '@experience-graph/neo4j';

export interface StoreRecord {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
  radiusMeters: number;
}

export interface OfferRecord {
  id: string;
  storeId: string;
  productSku: string;
  amount: number;
  currency: string;
  validDays: number;
  active: boolean;
}

export interface CouponRecord {
  code: string;
  offerId: string;
  issuedAt: string;
  expiresAt: string;
  redeemedAt: string | null;
}

const STORE_FIELDS = `s { .id, .name, .radiusMeters, latitude: s.location.latitude, longitude: s.location.longitude }`;
const OFFER_FIELDS = `o { .id, .amount, .currency, .validDays, .active, storeId: s.id, productSku: m.sku }`;

export type SaveOfferOutcome =
  { kind: 'saved'; offer: OfferRecord } | { kind: 'unknown-store' } | { kind: 'unknown-product' };

/** Cypher for stores, their geofences, offers and coupons; reads are batched by key. */
export function createStoreRepository(graph: Graph) {
  return {
    async storesById(ids: readonly string[]): Promise<Map<string, StoreRecord>> {
      const rows = await graph.read<{ store: StoreRecord }>(
        `MATCH (s:Store) WHERE s.id IN $ids RETURN ${STORE_FIELDS} AS store`,
        { ids },
      );
      return new Map(rows.map(({ store }) => [store.id, store]));
    },

    async offersById(ids: readonly string[]): Promise<Map<string, OfferRecord>> {
      const rows = await graph.read<{ offer: OfferRecord }>(
        `MATCH (o:Offer)-[:AT]->(s:Store), (o)-[:FOR]->(m:ProductModel) WHERE o.id IN $ids
         RETURN ${OFFER_FIELDS} AS offer`,
        { ids },
      );
      return new Map(rows.map(({ offer }) => [offer.id, offer]));
    },

    async offersByStore(storeIds: readonly string[]): Promise<Map<string, OfferRecord[]>> {
      const rows = await graph.read<{ storeId: string; offers: OfferRecord[] }>(
        `MATCH (o:Offer)-[:AT]->(s:Store), (o)-[:FOR]->(m:ProductModel) WHERE s.id IN $storeIds
         WITH s, o, m ORDER BY o.id
         RETURN s.id AS storeId, collect(${OFFER_FIELDS}) AS offers`,
        { storeIds },
      );
      return new Map(rows.map((r) => [r.storeId, r.offers]));
    },

    async couponsByCustomer(customerIds: readonly string[]): Promise<Map<string, CouponRecord[]>> {
      const rows = await graph.read<{ customerId: string; coupons: CouponRecord[] }>(
        `MATCH (cp:Coupon)-[:ISSUED_TO]->(c:Customer), (cp)-[:OF]->(o:Offer) WHERE c.id IN $customerIds
         WITH c, cp, o ORDER BY cp.issuedAt DESC
         RETURN c.id AS customerId, collect({
           code: cp.code, offerId: o.id, issuedAt: toString(cp.issuedAt),
           expiresAt: toString(cp.expiresAt), redeemedAt: toString(cp.redeemedAt)
         }) AS coupons`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.coupons]));
    },

    async saveStore(store: StoreRecord): Promise<StoreRecord> {
      const [row] = await graph.write<{ store: StoreRecord }>(
        `MERGE (s:Store {id: $id})
         SET s.name = $name, s.radiusMeters = $radiusMeters,
             s.location = point({latitude: $latitude, longitude: $longitude})
         RETURN ${STORE_FIELDS} AS store`,
        { ...store },
      );
      if (!row) throw new Error(`Store ${store.id} was not written`);
      return row.store;
    },

    /** Creates or updates an offer; a changed store or product moves it. */
    async saveOffer(offer: OfferRecord): Promise<SaveOfferOutcome> {
      const [found] = await graph.read<{ store: boolean; product: boolean }>(
        `RETURN EXISTS { (:Store {id: $storeId}) } AS store,
                EXISTS { (:ProductModel {sku: $productSku}) } AS product`,
        { ...offer },
      );
      if (!found?.store) return { kind: 'unknown-store' };
      if (!found.product) return { kind: 'unknown-product' };
      const [row] = await graph.write<{ offer: OfferRecord }>(
        `MATCH (s:Store {id: $storeId}), (m:ProductModel {sku: $productSku})
         MERGE (o:Offer {id: $id})
         SET o.amount = $amount, o.currency = $currency, o.validDays = $validDays, o.active = $active
         WITH o, s, m
         OPTIONAL MATCH (o)-[r:AT|FOR]->()
         DELETE r
         WITH DISTINCT o, s, m
         MERGE (o)-[:AT]->(s)
         MERGE (o)-[:FOR]->(m)
         RETURN ${OFFER_FIELDS} AS offer`,
        { ...offer },
      );
      if (!row) throw new Error(`Offer ${offer.id} was not written`);
      return { kind: 'saved', offer: row.offer };
    },
  };
}

export type StoreRepository = ReturnType<typeof createStoreRepository>;
