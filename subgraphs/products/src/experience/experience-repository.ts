import type { Graph } from '@experience-graph/neo4j';
import type { LifecycleStage } from '@experience-graph/workflows';
import type { DeviceContext, OfferCandidate } from './experience-rules';

/** What the device's menu reads besides its context: whose it is and what they allow now. */
export interface DeviceOwnerContext {
  ownerId: string | null;
  locationOffersAllowed: boolean;
}

export type DeviceExperienceContext = Omit<DeviceContext, 'now'> & DeviceOwnerContext;

export interface JourneyContext {
  customerFound: boolean;
  productName: string | null;
  stage: LifecycleStage | null;
  locationOffersAllowed: boolean;
}

/** Cypher behind the stage-aware experience; device reads are batched by serial. */
export function createExperienceRepository(graph: Graph) {
  return {
    async deviceContexts(
      serials: readonly string[],
    ): Promise<Map<string, DeviceExperienceContext>> {
      const rows = await graph.read<DeviceExperienceContext & { serial: string }>(
        `MATCH (d:Device)-[:INSTANCE_OF]->(m:ProductModel) WHERE d.serial IN $serials
         OPTIONAL MATCH (o:Order)-[:CONTAINS]->(d)
         OPTIONAL MATCH (owner:Customer)-[:OWNS]->(d)
         OPTIONAL MATCH (k:Consent {customerId: owner.id, purpose: 'LOCATION_OFFERS'})
         RETURN d.serial AS serial, owner.id AS ownerId,
           coalesce(k.granted, false) AS locationOffersAllowed, d.stage AS stage, coalesce(m.category, 'device') AS noun,
           CASE WHEN o IS NULL THEN null ELSE {
             carrierStatus: o.carrierStatus,
             promisedDeliveryAt: toString(o.promisedDeliveryAt),
             expectedDeliveryAt: toString(o.expectedDeliveryAt)
           } END AS order,
           EXISTS { (:Touchpoint {type: 'INSTALLATION_HELP_OFFERED'})-[:ABOUT_DEVICE]->(d) } AS installationHelpOffered,
           d.inkLevel AS inkLevel,
           toString(d.lastPaperJamAt) AS lastPaperJamAt`,
        { serials },
      );
      return new Map(rows.map(({ serial, ...context }) => [serial, context]));
    },

    async journeyContext(customerId: string, sku: string): Promise<JourneyContext> {
      const [row] = await graph.read<JourneyContext>(
        `OPTIONAL MATCH (c:Customer {id: $customerId})
         OPTIONAL MATCH (m:ProductModel {sku: $sku})
         OPTIONAL MATCH (c)-[j:JOURNEY]->(m)
         OPTIONAL MATCH (k:Consent {customerId: $customerId, purpose: 'LOCATION_OFFERS'})
         RETURN c IS NOT NULL AS customerFound, m.name AS productName,
                CASE WHEN $sku IN coalesce(c.optedOutSkus, []) THEN 'OPTED_OUT' ELSE j.stage END AS stage,
                coalesce(k.granted, false) AS locationOffersAllowed`,
        { customerId, sku },
      );
      return (
        row ?? {
          customerFound: false,
          productName: null,
          stage: null,
          locationOffersAllowed: false,
        }
      );
    },

    /**
     * Valid coupons (not used, not expired) issued to a person at the partner stores whose
     * geofence holds the given point, of one product model or of any (`sku` null), with how far
     * the point is from each store. The point is a parameter of this read only: never written.
     */
    async couponsNear(
      customerId: string,
      sku: string | null,
      latitude: number,
      longitude: number,
    ): Promise<OfferCandidate[]> {
      return graph.read<OfferCandidate>(
        `MATCH (:Customer {id: $customerId})<-[:ISSUED_TO]-(cp:Coupon)-[:OF]->(o:Offer)-[:AT]->(s:Store),
               (o)-[:FOR]->(m:ProductModel)
         WHERE ($sku IS NULL OR m.sku = $sku)
           AND cp.redeemedAt IS NULL AND cp.expiresAt > datetime()
         WITH cp, o, s, m,
              point.distance(s.location, point({latitude: $latitude, longitude: $longitude})) AS meters
         WHERE meters <= s.radiusMeters
         RETURN cp.code AS couponCode, s.id AS storeId, m.sku AS sku, o.amount AS amount,
                o.currency AS currency, toString(cp.expiresAt) AS expiresAt, meters`,
        { customerId, sku, latitude, longitude },
      );
    },
  };
}

export type ExperienceRepository = ReturnType<typeof createExperienceRepository>;
