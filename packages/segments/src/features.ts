import { type Graph, type KeyPage, keyPageCondition } from '@experience-graph/neo4j';
import {
  FEATURE_PARTS,
  type CustomerFeatures,
  type CustomerState,
  type FeaturePart,
} from './segment-rules';

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

/** What customer `c` spent, for a `CALL (c) { }` binding historical and orderCount. */
const ORDERS = `
  OPTIONAL MATCH (c)-[:PLACED]->(o:Order)
  RETURN coalesce(sum(o.amount), 0.0) AS historical, count(o) AS orderCount`;

/**
 * What the people down customer `c`'s referral chain spent, discounted per hop (`$discount`),
 * for a `CALL (c) { }` binding referral, peopleReferred and peopleReferredDirectly. Referrals
 * form a forest (one referrer per person, no cycles: the intake and merges refuse both), so
 * everyone down the chain is reached by exactly one path, whose length is their hop count. The
 * chain walks through erased people's anonymous placeholders.
 */
function referrals(maxHops: number): string {
  // A variable-length bound cannot be a parameter; it is a validated integer from configuration.
  const hops = String(Math.trunc(maxHops));
  return `
  OPTIONAL MATCH p = (c)-[:REFERRED*1..${hops}]->(d)
  WITH d, length(p) AS hops
  OPTIONAL MATCH (d)-[:PLACED]->(o:Order)
  WITH d, hops, coalesce(sum(o.amount), 0.0) AS spent
  RETURN coalesce(sum($discount ^ hops * spent), 0.0) AS referral, count(d) AS peopleReferred,
         count(CASE WHEN hops = 1 THEN d END) AS peopleReferredDirectly`;
}

/**
 * The value of one customer `c` (`$discount`): subqueries binding historical, orderCount,
 * referral, peopleReferred, peopleReferredDirectly and helpfulVotes.
 */
export function customerValueCalls(maxHops: number): string {
  return `
CALL (c) { ${ORDERS} }
CALL (c) { ${referrals(maxHops)} }
CALL (c) { ${HELPFUL_VOTES} }`;
}

/**
 * How each part of the features is read for customer `c`: the subquery binding what it needs
 * (if any), and the expression of its column, named after the part.
 */
function partCypher(maxHops: number): Record<FeaturePart, { call?: string; column: string }> {
  return {
    orders: { call: ORDERS, column: '{historical: historical, orderCount: orderCount}' },
    referrals: {
      call: referrals(maxHops),
      column: '{referral: referral, peopleReferred: peopleReferred}',
    },
    helpfulVotes: {
      call: HELPFUL_VOTES,
      column: '{count: helpfulVotes, worth: helpfulVotes * $helpfulVoteValue}',
    },
    predictions: { column: '{probabilityAlive: c.pAlive, expectedValue: c.expectedValue}' },
    touchpoints: {
      call: `
  OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint)
  WITH t.type AS type, count(t) AS n
  RETURN collect(CASE WHEN type IS NULL THEN null ELSE [type, n] END) AS types`,
      column: '{types: types}',
    },
    lastTouch: {
      call: `
  OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint)
  RETURN max(t.occurredAt) AS lastTouchAt`,
      column: '{at: toString(lastTouchAt)}',
    },
    sentiment: {
      call: `
  OPTIONAL MATCH (c)-[:HAD]->(t:Touchpoint) WHERE t.sentiment IS NOT NULL
  RETURN avg(t.sentiment) AS sentiment`,
      column: '{mean: sentiment}',
    },
    deviceStages: {
      column: '[(c)-[:OWNS]->(d:Device) WHERE d.stage IS NOT NULL | d.stage]',
    },
    consentsGranted: { column: '[(c)-[:GAVE]->(k:Consent) WHERE k.granted | k.purpose]' },
    identifierNamespaces: { column: '[(c)-[:IDENTIFIED_BY]->(i:Identifier) | i.namespace]' },
  };
}

/** The customers a read covers: these ids (unknown ones are left out), or a page of ids. */
export type Population = { ids: readonly string[] } | KeyPage;

/**
 * One statement reading, for every customer `c` of the population, the feature parts asked for
 * and nothing else, and which of the segments `$segmentIds` they are in now.
 */
export function featuresCypher(
  maxHops: number,
  parts: readonly FeaturePart[],
  population: Population,
): string {
  const cypher = partCypher(maxHops);
  const wanted = FEATURE_PARTS.filter((p) => parts.includes(p));
  const source =
    'ids' in population
      ? 'UNWIND $ids AS id MATCH (c:Customer {id: id})'
      : `MATCH (c:Customer) WHERE ${keyPageCondition('c', 'id', population)}`;
  const calls = wanted.flatMap((p) => {
    const { call } = cypher[p];
    return call ? [`CALL (c) { ${call} }`] : [];
  });
  const columns = wanted.map((p) => `${cypher[p].column} AS ${p}`);
  return `${source}
${calls.join('\n')}
RETURN ${['c.id AS id', ...columns].join(', ')},
       [(c)-[:IN_SEGMENT]->(s:Segment) WHERE s.id IN $segmentIds | s.id] AS memberOf`;
}

type FeatureRow = Omit<CustomerFeatures, 'touchpoints'> & {
  touchpoints?: { types: Array<[string, number]> };
  memberOf: string[];
};

/** Reads the given feature parts of a population, and its memberships in `segmentIds`. */
export async function readFeatures(
  graph: Graph,
  reckoning: ValueReckoning,
  parts: readonly FeaturePart[],
  population: Population,
  segmentIds: readonly string[],
): Promise<CustomerState[]> {
  const rows = await graph.read<FeatureRow>(
    featuresCypher(reckoning.referralMaxHops, parts, population),
    {
      ...population,
      segmentIds,
      discount: reckoning.referralDiscount,
      helpfulVoteValue: reckoning.helpfulVoteValue,
    },
  );
  return rows.map(({ memberOf, touchpoints, ...features }) => ({
    memberOf,
    features: {
      ...features,
      ...(touchpoints && {
        touchpoints: {
          byType: Object.fromEntries(touchpoints.types.map(([type, n]) => [type, Number(n)])),
        },
      }),
    },
  }));
}
