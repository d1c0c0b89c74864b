import type { Graph } from '@experience-graph/neo4j';

/** A touchpoint as stored, with the keys of what it links to. */
export interface TouchpointRecord {
  eventId: string;
  type: string;
  occurredAt: string;
  channel: string | null;
  /** The sentiment of what the customer wrote, −1..1, for reviews, mentions and the like. */
  sentiment: number | null;
  /** What it links to, with the names the timeline provides (see timeline.graphql). */
  campaign: { id: string; name: string } | null;
  product: { sku: string; name: string } | null;
  serial: string | null;
  store: { id: string; name: string } | null;
  /** The principal key of whoever sent the event (`partner:demo-retailer`), if recorded. */
  recordedBy: string | null;
}

/**
 * The newest touchpoints of customer `c`, as many as the parameter `first` names, for a
 * `CALL (c) { }` returning the column `as`.
 */
export const timelineOfCustomer = (as: string, first: string) => `
  MATCH (c)-[:HAD]->(t:Touchpoint)
  WITH t ORDER BY t.occurredAt DESC, t.eventId LIMIT toInteger($${first})
  RETURN collect(t {
    .eventId, .type, .channel, .sentiment, .recordedBy,
    occurredAt: toString(t.occurredAt),
    campaign: head([(t)-[:VIA]->(x:Campaign) | x { .id, .name }]),
    product: head([(t)-[:ABOUT]->(x:ProductModel) | x { .sku, .name }]),
    serial: head([(t)-[:ABOUT_DEVICE]->(x:Device) | x.serial]),
    store: head([(t)-[:AT]->(x:Store) | x { .id, .name }])
  }) AS ${as}`;

/** Cypher for a customer's timeline; batched by customer. */
export function createTimelineRepository(graph: Graph) {
  return {
    async timelines(
      customerIds: readonly string[],
      first: number,
    ): Promise<Map<string, TouchpointRecord[]>> {
      const rows = await graph.read<{ customerId: string; touchpoints: TouchpointRecord[] }>(
        `MATCH (c:Customer) WHERE c.id IN $customerIds
         CALL (c) { ${timelineOfCustomer('touchpoints', 'first')} }
         RETURN c.id AS customerId, touchpoints`,
        { customerIds, first },
      );
      return new Map(rows.map((r) => [r.customerId, r.touchpoints]));
    },
  };
}

export type TimelineRepository = ReturnType<typeof createTimelineRepository>;
