import type { Graph } from '@experience-graph/neo4j';
import type { ValueConfig } from '@experience-graph/config';

export interface CustomerValueRecord {
  historical: number;
  referral: number;
  total: number;
  peopleReferred: number;
}

// Referrals form a forest (one referrer per person, no cycles: the intake refuses both), so
// every person down the chain is reached by exactly one path, whose length is their hop count.
const VALUES = `
UNWIND $ids AS id
MATCH (c:Customer {id: id})
CALL (c) {
  OPTIONAL MATCH (c)-[:PLACED]->(o:Order)
  RETURN coalesce(sum(o.amount), 0.0) AS historical
}
CALL (c) {
  // Not only customers: an erased person with a referrer stays in the chain as an anonymous
  // :ErasedPerson with their orders, so the value upstream does not change with the erasure.
  OPTIONAL MATCH p = (c)-[:REFERRED*1..MAX_HOPS]->(d)
  WITH d, length(p) AS hops
  OPTIONAL MATCH (d)-[:PLACED]->(o:Order)
  WITH d, hops, coalesce(sum(o.amount), 0.0) AS spent
  RETURN coalesce(sum($discount ^ hops * spent), 0.0) AS referral, count(d) AS peopleReferred
}
RETURN id, historical, referral, historical + referral AS total, peopleReferred`;

/** Cypher for customer value and referrals; batched by customer. */
export function createValueRepository(graph: Graph, config: ValueConfig) {
  // A variable-length bound cannot be a parameter; it is a validated integer from configuration.
  const values = VALUES.replace('MAX_HOPS', String(Math.trunc(config.referralMaxHops)));
  return {
    async valuesById(ids: readonly string[]): Promise<Map<string, CustomerValueRecord>> {
      const rows = await graph.read<CustomerValueRecord & { id: string }>(values, {
        ids,
        discount: config.referralDiscount,
      });
      return new Map(rows.map(({ id, ...value }) => [id, value]));
    },

    async referrerOf(ids: readonly string[]): Promise<Map<string, string>> {
      const rows = await graph.read<{ id: string; referrerId: string }>(
        `MATCH (r:Customer)-[:REFERRED]->(c:Customer) WHERE c.id IN $ids
         RETURN c.id AS id, r.id AS referrerId`,
        { ids },
      );
      return new Map(rows.map((r) => [r.id, r.referrerId]));
    },

    async referralsOf(ids: readonly string[]): Promise<Map<string, string[]>> {
      const rows = await graph.read<{ id: string; referred: string[] }>(
        `MATCH (c:Customer)-[r:REFERRED]->(x:Customer) WHERE c.id IN $ids
         WITH c, x ORDER BY r.at, x.id
         RETURN c.id AS id, collect(x.id) AS referred`,
        { ids },
      );
      return new Map(rows.map((r) => [r.id, r.referred]));
    },
  };
}

export type ValueRepository = ReturnType<typeof createValueRepository>;
