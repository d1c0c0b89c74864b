import type { Graph } from '@experience-graph/neo4j';
import type { ProductModelRecord } from '../devices/device-repository';

/** A product model's perception, as the API shows it. */
export interface PerceptionRecord {
  target: number | null;
  expressed: number | null;
  gap: number | null;
  mentions: number;
}

// The score a touchpoint expresses, 0 to 100 (see perception.graphql for the mapping).
const EXPRESSED = `
CASE
  WHEN t.rating IS NOT NULL AND t.sentiment IS NOT NULL
    THEN ((t.rating - 1) / 4.0 * 100 + (t.sentiment + 1) / 2.0 * 100) / 2
  WHEN t.rating IS NOT NULL THEN (t.rating - 1) / 4.0 * 100
  ELSE (t.sentiment + 1) / 2.0 * 100
END`;

const PERCEPTIONS = `
UNWIND $skus AS sku
MATCH (m:ProductModel {sku: sku})
CALL (m) {
  OPTIONAL MATCH (t:Touchpoint)-[:ABOUT]->(m)
  WHERE t.rating IS NOT NULL OR t.sentiment IS NOT NULL
  RETURN avg(${EXPRESSED}) AS expressed, count(t) AS mentions
}
RETURN sku, toFloat(m.experienceTarget) AS target, expressed, mentions`;

/** The gap between target and expressed scores; null unless both are known. */
export function perceptionOf(
  target: number | null,
  expressed: number | null,
  mentions: number,
): PerceptionRecord {
  return {
    target,
    expressed,
    gap: target === null || expressed === null ? null : target - expressed,
    mentions,
  };
}

/** Cypher of the experience perception gap; reads batched by sku. */
export function createPerceptionRepository(graph: Graph) {
  return {
    async perceptionsBySku(skus: readonly string[]): Promise<Map<string, PerceptionRecord>> {
      const rows = await graph.read<{
        sku: string;
        target: number | null;
        expressed: number | null;
        mentions: number;
      }>(PERCEPTIONS, { skus });
      return new Map(rows.map((r) => [r.sku, perceptionOf(r.target, r.expressed, r.mentions)]));
    },

    /** Sets a model's target score; null when the model does not exist. */
    async setTarget(sku: string, score: number): Promise<ProductModelRecord | null> {
      const [row] = await graph.write<{ model: ProductModelRecord }>(
        `MATCH (m:ProductModel {sku: $sku})
         SET m.experienceTarget = $score, m.experienceTargetSetAt = datetime()
         RETURN m { .sku, .name, .category } AS model`,
        { sku, score },
      );
      return row?.model ?? null;
    },
  };
}

export type PerceptionRepository = ReturnType<typeof createPerceptionRepository>;
