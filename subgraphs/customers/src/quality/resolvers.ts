import type { Graph } from '@experience-graph/neo4j';
import { keyedLoader } from '@experience-graph/server-kit';
import type { Resolvers } from '../__generated__/resolvers-types';
import type { CustomersContext } from '../context';
import type { ViewPart } from '../view/customer-view';
import { dataQuality, type ProfileFacts } from './data-quality';

/** What data quality looks at (ProfileFacts) of customer `c`, for a `CALL (c) { }` into `as`. */
const profileFactsOf = (as: string) => `
  CALL (c) {
    OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint)
    RETURN max(t.occurredAt) AS lastTouch
  }
  CALL (c) {
    OPTIONAL MATCH (c)-[:GAVE]->(k:Consent)
    RETURN max(k.updatedAt) AS lastDecision, collect(k.purpose) AS decided
  }
  RETURN {id: c.id, displayName: c.displayName,
          identifierNamespaces: [(c)-[:IDENTIFIED_BY]->(i:Identifier) | i.namespace],
          consentPurposesDecided: decided,
          preferencesVolunteered: COUNT { (c)-[:VOLUNTEERED]->(:Preference) },
          lastActivityAt: toString(CASE WHEN lastDecision IS NULL OR lastTouch > lastDecision
                                        THEN lastTouch ELSE lastDecision END)} AS ${as}`;

/** Reads what data quality looks at, for a batch of customers. */
export function createQualityLoaders(graph: Graph) {
  return {
    factsOf: keyedLoader<string, ProfileFacts | null>(async (ids) => {
      const rows = await graph.read<{ facts: ProfileFacts }>(
        `MATCH (c:Customer) WHERE c.id IN $ids
         CALL (c) { ${profileFactsOf('facts')} }
         RETURN facts`,
        { ids },
      );
      return new Map(rows.map(({ facts }) => [facts.id, facts]));
    }, null),
  };
}

/** Data quality's facts in the customer view's statement. */
export const qualityViewPart: ViewPart<CustomersContext> = {
  fields: ['dataQuality'],
  read: (column, _selection, { qualityLoaders }) => ({
    cypher: profileFactsOf(column),
    prime: (id, value) => qualityLoaders.factsOf.prime(id, value as ProfileFacts),
  }),
};

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
