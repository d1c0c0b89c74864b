import type { Graph } from '@experience-graph/neo4j';

/**
 * Who recorded identity facts: the `recordedBy` of merges and the `linkedBy` of identifier links,
 * principal keys such as `partner:demo-retailer`. Read apart from the records themselves, since
 * only admins see them. Batched by key.
 */
export function createProvenanceRepository(graph: Graph) {
  return {
    /** By merge id; merges recorded before provenance have none. */
    async mergesRecordedBy(ids: readonly string[]): Promise<Map<string, string>> {
      const rows = await graph.read<{ id: string; by: string }>(
        `MATCH (m:Merge) WHERE m.id IN $ids AND m.recordedBy IS NOT NULL
         RETURN m.id AS id, m.recordedBy AS by`,
        { ids },
      );
      return new Map(rows.map((r) => [r.id, r.by]));
    },

    /**
     * By `customerId|NAMESPACE:value`: who made the earliest link of that identifier to that
     * customer that names its maker (the one `Identity.since` dates, or the next).
     */
    async identitiesLinkedBy(keys: readonly string[]): Promise<Map<string, string>> {
      const pairs = keys.map((key) => {
        const bar = key.indexOf('|');
        return { key, customerId: key.slice(0, bar), identifier: key.slice(bar + 1) };
      });
      const rows = await graph.read<{ key: string; by: string }>(
        `UNWIND $pairs AS pair
         MATCH (:Customer {id: pair.customerId})-[r:IDENTIFIED_BY]->(:Identifier {key: pair.identifier})
         WHERE r.linkedBy IS NOT NULL
         WITH pair, r ORDER BY r.since
         RETURN pair.key AS key, head(collect(r.linkedBy)) AS by`,
        { pairs },
      );
      return new Map(rows.map((r) => [r.key, r.by]));
    },
  };
}

export type ProvenanceRepository = ReturnType<typeof createProvenanceRepository>;
