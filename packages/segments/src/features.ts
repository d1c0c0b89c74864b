import type { Graph } from '@experience-graph/neo4j';
import type { CustomerFeatures } from './segment-rules';

/** How value is reckoned: the referral discount per hop, hops followed, a helpful vote's worth. */
export interface ValueReckoning {
  referralDiscount: number;
  referralMaxHops: number;
  helpfulVoteValue: number;
}

/** Helpful votes other customers gave a customer `c`'s community answers. */
export const HELPFUL_VOTES = `
  OPTIONAL MATCH (c)-[:HAD]->(:Touchpoint {type: 'COMMUNITY_ANSWER'})<-[v:VOTED]-(voter:Customer)
  WHERE v.helpful AND voter <> c
  RETURN count(DISTINCT v) AS helpfulVotes`;

/**
 * The value of each customer in `$ids` (`$discount`, `$helpfulVoteValue`): what they spent,
 * what the people down their referral chain spent, discounted per hop, and their helpful votes.
 * Referrals form a forest (one referrer per person, no cycles: the intake and merges refuse
 * both), so everyone down the chain is reached by exactly one path, whose length is their hop
 * count. The chain walks through erased people's anonymous placeholders.
 */
export function customerValueCypher(maxHops: number): string {
  return `
UNWIND $ids AS id
MATCH (c:Customer {id: id})
${customerValueCalls(maxHops)}
WITH c, id, historical, orderCount, referral, peopleReferred, peopleReferredDirectly, helpfulVotes,
     helpfulVotes * $helpfulVoteValue AS helpfulness`;
}

/**
 * The value of one customer `c` (`$discount`), as `customerValueCypher` reckons it: subqueries
 * binding historical, orderCount, referral, peopleReferred, peopleReferredDirectly and
 * helpfulVotes.
 */
export function customerValueCalls(maxHops: number): string {
  // A variable-length bound cannot be a parameter; it is a validated integer from configuration.
  const hops = String(Math.trunc(maxHops));
  return `
CALL (c) {
  OPTIONAL MATCH (c)-[:PLACED]->(o:Order)
  RETURN coalesce(sum(o.amount), 0.0) AS historical, count(o) AS orderCount
}
CALL (c) {
  OPTIONAL MATCH p = (c)-[:REFERRED*1..${hops}]->(d)
  WITH d, length(p) AS hops
  OPTIONAL MATCH (d)-[:PLACED]->(o:Order)
  WITH d, hops, coalesce(sum(o.amount), 0.0) AS spent
  RETURN coalesce(sum($discount ^ hops * spent), 0.0) AS referral, count(d) AS peopleReferred,
         count(CASE WHEN hops = 1 THEN d END) AS peopleReferredDirectly
}
CALL (c) { ${HELPFUL_VOTES} }`;
}

/** Everything segment conditions look at, for a batch of customers, in one query. */
function featuresCypher(maxHops: number): string {
  return `${customerValueCypher(maxHops)}
CALL (c) {
  OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint)
  WITH t.type AS type, count(t) AS n, max(t.occurredAt) AS last, avg(t.sentiment) AS sentiment
  RETURN collect(CASE WHEN type IS NULL THEN null ELSE [type, n] END) AS types,
         max(last) AS lastTouchAt
}
CALL (c) {
  OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint) WHERE t.sentiment IS NOT NULL
  RETURN avg(t.sentiment) AS sentiment
}
RETURN id, historical, referral, historical + referral + helpfulness AS total, peopleReferred,
       orderCount, helpfulVotes, c.pAlive AS probabilityAlive, c.expectedValue AS expectedValue,
       sentiment, types, toString(lastTouchAt) AS lastTouchAt,
       [(c)-[:OWNS]->(d:Device) WHERE d.stage IS NOT NULL | d.stage] AS deviceStages,
       [(c)-[:GAVE]->(k:Consent) WHERE k.granted | k.purpose] AS consentsGranted,
       [(c)-[:IDENTIFIED_BY]->(i:Identifier) | i.namespace] AS identifierNamespaces`;
}

type FeatureRow = Omit<CustomerFeatures, 'touchpointTypes'> & { types: Array<[string, number]> };

/** Reads the features of customers by id; unknown ids are left out. */
export async function readFeatures(
  graph: Graph,
  reckoning: ValueReckoning,
  ids: readonly string[],
): Promise<CustomerFeatures[]> {
  const rows = await graph.read<FeatureRow>(featuresCypher(reckoning.referralMaxHops), {
    ids,
    discount: reckoning.referralDiscount,
    helpfulVoteValue: reckoning.helpfulVoteValue,
  });
  return rows.map(({ types, ...row }) => ({
    ...row,
    touchpointTypes: Object.fromEntries(types.map(([type, n]) => [type, Number(n)])),
  }));
}
