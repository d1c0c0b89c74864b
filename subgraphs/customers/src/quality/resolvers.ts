import type { Graph } from '@experience-graph/neo4j';
import { keyedLoader } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import { dataQuality, type ProfileFacts } from './data-quality';

/** Reads what data quality looks at, for a batch of customers. */
export function createQualityLoaders(graph: Graph) {
  return {
    factsOf: keyedLoader<string, ProfileFacts | null>(async (ids) => {
      const rows = await graph.read<ProfileFacts>(
        `MATCH (c:Customer) WHERE c.id IN $ids
         CALL (c) {
           OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint)
           RETURN max(t.occurredAt) AS lastTouch
         }
         CALL (c) {
           OPTIONAL MATCH (c)-[:GAVE]->(k:Consent)
           RETURN max(k.updatedAt) AS lastDecision, collect(k.purpose) AS decided
         }
         RETURN c.id AS id, c.displayName AS displayName,
                [(c)-[:IDENTIFIED_BY]->(i:Identifier) | i.namespace] AS identifierNamespaces,
                decided AS consentPurposesDecided,
                COUNT { (c)-[:VOLUNTEERED]->(:Preference) } AS preferencesVolunteered,
                toString(CASE WHEN lastDecision IS NULL OR lastTouch > lastDecision
                              THEN lastTouch ELSE lastDecision END) AS lastActivityAt`,
        { ids },
      );
      return new Map(rows.map((r) => [r.id, r]));
    }, null),
  };
}

export type QualityLoaders = ReturnType<typeof createQualityLoaders>;

export const qualityResolvers: Pick<Resolvers, 'Customer'> = {
  Customer: {
    async dataQuality({ id }, _args, { qualityLoaders }) {
      const facts = await qualityLoaders.factsOf.load(id);
      if (!facts) throw new Error(`Customer ${id} has no profile facts`);
      return dataQuality(facts, Date.now());
    },
  },
};
