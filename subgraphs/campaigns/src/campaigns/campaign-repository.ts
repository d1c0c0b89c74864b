import type { Graph } from '@experience-graph/neo4j';

/** A campaign as stored; `productSku` is the key of the model it promotes. */
export interface CampaignRecord {
  id: string;
  name: string;
  channel: string;
  journeyStage: string;
  productSku: string;
}

const CAMPAIGN_FIELDS = 'c { .id, .name, .channel, .journeyStage, .productSku }';

/** A reference to a product model, resolved by the products subgraph. */
export interface ProductModelRef {
  sku: string;
}

/** Orders attributed to a campaign, and how their delivery promises were kept. */
export interface CampaignPerformanceRecord {
  conversions: number;
  orders: number;
  delivered: number;
  onTimeRate: number | null;
  inFullRate: number | null;
  otifRate: number | null;
}

export type SaveCampaignOutcome =
  | { kind: 'saved'; campaign: CampaignRecord }
  | { kind: 'unknown-product' }
  | { kind: 'product-changed'; productSku: string };

/** Cypher for campaigns; every read is batched by key. */
export function createCampaignRepository(graph: Graph) {
  return {
    async campaignsById(ids: readonly string[]): Promise<Map<string, CampaignRecord>> {
      const rows = await graph.read<{ campaign: CampaignRecord }>(
        `MATCH (c:Campaign) WHERE c.id IN $ids RETURN ${CAMPAIGN_FIELDS} AS campaign`,
        { ids },
      );
      return new Map(rows.map(({ campaign }) => [campaign.id, campaign]));
    },

    /** The campaigns each customer touched (saw, clicked), most recently touched first. */
    async campaignsTouchedBy(
      customerIds: readonly string[],
    ): Promise<Map<string, CampaignRecord[]>> {
      const rows = await graph.read<{ customerId: string; campaigns: CampaignRecord[] }>(
        `MATCH (p:Customer)-[:HAD]->(t:Touchpoint)-[:VIA]->(c:Campaign) WHERE p.id IN $customerIds
         WITH p, c, max(t.occurredAt) AS last ORDER BY last DESC, c.id
         RETURN p.id AS customerId, collect(${CAMPAIGN_FIELDS}) AS campaigns`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.campaigns]));
    },

    async campaignsByProduct(skus: readonly string[]): Promise<Map<string, CampaignRecord[]>> {
      const rows = await graph.read<{ sku: string; campaigns: CampaignRecord[] }>(
        `MATCH (c:Campaign)-[:PROMOTES]->(m:ProductModel) WHERE m.sku IN $skus
         WITH m, c ORDER BY c.id
         RETURN m.sku AS sku, collect(${CAMPAIGN_FIELDS}) AS campaigns`,
        { skus },
      );
      return new Map(rows.map((r) => [r.sku, r.campaigns]));
    },

    async performanceByCampaign(
      ids: readonly string[],
    ): Promise<Map<string, CampaignPerformanceRecord>> {
      const rows = await graph.read<CampaignPerformanceRecord & { id: string }>(
        `UNWIND $ids AS id
         OPTIONAL MATCH (o:Order)-[:ATTRIBUTED_TO]->(:Campaign {id: id})
         WITH id, collect(o) AS orders
         WITH id, orders, [o IN orders WHERE o.deliveredAt IS NOT NULL] AS delivered
         RETURN id, size(orders) AS conversions, size(orders) AS orders, size(delivered) AS delivered,
           CASE WHEN size(delivered) = 0 THEN null
                ELSE toFloat(size([o IN delivered WHERE o.onTime])) / size(delivered) END AS onTimeRate,
           CASE WHEN size(delivered) = 0 THEN null
                ELSE toFloat(size([o IN delivered WHERE o.inFull])) / size(delivered) END AS inFullRate,
           CASE WHEN size(delivered) = 0 THEN null
                ELSE toFloat(size([o IN delivered WHERE o.onTime AND o.inFull])) / size(delivered) END AS otifRate`,
        { ids },
      );
      return new Map(rows.map(({ id, ...performance }) => [id, performance]));
    },

    /** Creates or updates a campaign; the product it promotes is fixed at creation. */
    async saveCampaign(campaign: CampaignRecord): Promise<SaveCampaignOutcome> {
      const [row] = await graph.write<{ campaign: CampaignRecord | null; productSku: string }>(
        `MATCH (m:ProductModel {sku: $productSku})
         MERGE (c:Campaign {id: $id})
           ON CREATE SET c.productSku = $productSku, c.createdAt = datetime()
         WITH c, m
         CALL (c, m) {
           WITH c, m WHERE c.productSku = $productSku
           SET c.name = $name, c.channel = $channel, c.journeyStage = $journeyStage
           MERGE (c)-[:PROMOTES]->(m)
         }
         RETURN CASE WHEN c.productSku = $productSku THEN ${CAMPAIGN_FIELDS} END AS campaign,
                c.productSku AS productSku`,
        { ...campaign },
      );
      if (!row) return { kind: 'unknown-product' };
      if (row.campaign) return { kind: 'saved', campaign: row.campaign };
      return { kind: 'product-changed', productSku: row.productSku };
    },
  };
}

export type CampaignRepository = ReturnType<typeof createCampaignRepository>;
