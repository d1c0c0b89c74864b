import type { Graph } from '@experience-graph/neo4j';
import type { LifecycleStage } from '@experience-graph/workflows';
import type { DeviceContext } from './experience-rules';

export interface CouponOffer {
  couponCode: string;
  storeId: string;
  amount: number;
  currency: string;
  expiresAt: string;
}

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
    ): Promise<Map<string, Omit<DeviceContext, 'now'>>> {
      const rows = await graph.read<Omit<DeviceContext, 'now'> & { serial: string }>(
        `MATCH (d:Device)-[:INSTANCE_OF]->(m:ProductModel) WHERE d.serial IN $serials
         OPTIONAL MATCH (o:Order)-[:CONTAINS]->(d)
         RETURN d.serial AS serial, d.stage AS stage, coalesce(m.category, 'device') AS noun,
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
     * Valid coupons issued to a person for a model at the partner stores whose geofence holds
     * the given point. The point is a parameter of this read only.
     */
    async couponsNear(
      customerId: string,
      sku: string,
      latitude: number,
      longitude: number,
    ): Promise<CouponOffer[]> {
      return graph.read<CouponOffer>(
        `MATCH (c:Customer {id: $customerId})<-[:ISSUED_TO]-(cp:Coupon)-[:OF]->(o:Offer)-[:FOR]->(:ProductModel {sku: $sku}),
               (o)-[:AT]->(s:Store)
         WHERE cp.redeemedAt IS NULL AND cp.expiresAt > datetime()
           AND point.distance(s.location, point({latitude: $latitude, longitude: $longitude})) <= s.radiusMeters
         RETURN cp.code AS couponCode, s.id AS storeId, o.amount AS amount, o.currency AS currency,
                toString(cp.expiresAt) AS expiresAt
         ORDER BY o.amount DESC`,
        { customerId, sku, latitude, longitude },
      );
    },
  };
}

export type ExperienceRepository = ReturnType<typeof createExperienceRepository>;
