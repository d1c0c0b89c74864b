import type { Graph } from '@experience-graph/neo4j';

/** A tombstone as stored. */
export interface ErasureRecord {
  id: string;
  reason: string;
  requestedAt: string;
  completedAt: string | null;
}

const ERASURE_FIELDS =
  'e { .id, .reason, requestedAt: toString(e.requestedAt), completedAt: toString(e.completedAt) }';

// The tombstone, the hash of the customer's id among its erased keys, and the mark by which the
// erasure steps find the person: one transaction, so a request is recorded whole or not at all.
const RECORD = `
MATCH (c:Customer {id: $customerId})
MERGE (e:Erasure {id: $erasureId})
  ON CREATE SET e.requestedAt = datetime(), e.reason = $reason
MERGE (k:ErasedKey {hash: $erasureId})
  ON CREATE SET k.kind = 'customer'
MERGE (e)-[:ERASED]->(k)
SET c.erasureId = $erasureId
RETURN ${ERASURE_FIELDS} AS erasure`;

/** Cypher of erasure tombstones; reads batched by key. */
export function createErasureRepository(graph: Graph) {
  return {
    async erasuresById(ids: readonly string[]): Promise<Map<string, ErasureRecord>> {
      const rows = await graph.read<{ erasure: ErasureRecord }>(
        `MATCH (e:Erasure) WHERE e.id IN $ids RETURN ${ERASURE_FIELDS} AS erasure`,
        { ids },
      );
      return new Map(rows.map(({ erasure }) => [erasure.id, erasure]));
    },

    /**
     * Records the request to erase a customer: the existing tombstone if there is one (the
     * erasure was requested before), a new one if the customer exists, or null if neither.
     */
    async request(input: {
      customerId: string;
      erasureId: string;
      reason: string;
    }): Promise<{ erasure: ErasureRecord; created: boolean } | null> {
      const [existing] = await graph.read<{ erasure: ErasureRecord }>(
        `MATCH (e:Erasure {id: $erasureId}) RETURN ${ERASURE_FIELDS} AS erasure`,
        input,
      );
      if (existing) return { erasure: existing.erasure, created: false };
      const [row] = await graph.write<{ erasure: ErasureRecord }>(RECORD, input);
      return row ? { erasure: row.erasure, created: true } : null;
    },

    /** Whether a key hash is in a tombstone. */
    async isErased(hash: string): Promise<boolean> {
      const [row] = await graph.read<{ erased: boolean }>(
        'RETURN EXISTS { (:ErasedKey {hash: $hash}) } AS erased',
        { hash },
      );
      return row?.erased ?? false;
    },
  };
}

export type ErasureRepository = ReturnType<typeof createErasureRepository>;
