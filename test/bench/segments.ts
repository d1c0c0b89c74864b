/**
 * Defining a segment on a large population: `define` of the segment repository (the code the
 * `defineSegment` mutation runs: every customer evaluated, memberships written) for a value
 * threshold, a touchpoint count and a membership definition, each against one raw Cypher
 * statement counting the same members in the same run; and a `refresh` of a few customers with
 * those segments defined. The population is `--segment-customers` people generated inside Neo4j
 * (UNWIND over ranges, batched) under the run's prefix, with orders, touchpoints, referral
 * chains, helpful votes, consents, identifiers and devices, and removed afterwards.
 *
 * `define` evaluates every customer in the database, so customers of other work sharing it are
 * evaluated too; the raw statements count over the same population, and the members among the
 * generated customers are checked against the raw count of them.
 */
import type { Graph } from '@experience-graph/neo4j';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import {
  createSegmentRepository,
  customerValueCalls,
  type SegmentDefinition,
} from '@experience-graph/segments';
import { remove } from './customer-view';
import {
  atMost,
  chunks,
  num,
  printTable,
  times,
  verdict,
  type BenchContext,
  type BenchSection,
} from './kit';
import { printPlans, profiledGraph, Profiler, type StatementPlan } from './profile';

const BATCH = 5_000;
const TYPES = ['AD_IMPRESSION', 'AD_CLICK', 'STORE_PROXIMITY', 'REVIEW', 'SUPPORT_REQUEST'];
/** Customers of each refresh, and how many refreshes are timed per size. */
const REFRESH_SIZES = [1, 100] as const;
const REFRESH_ROUNDS = 5;
const TARGET_SECONDS = 10;
const TARGET_CUSTOMERS = 100_000;

/**
 * Customer i: i % 4 orders of varied amounts; i % 7 touchpoints of rotating types, reviews with a
 * sentiment; consent to marketing for even i; an e-mail identifier, a phone for every third; a
 * device in support for every fifth; referred by customer ⌊i / 4⌋ when i % 4 = 1 (chains, a
 * forest); every fiftieth answered in the community and got two helpful votes.
 */
async function generate(graph: Graph, prefix: string, customers: number): Promise<number> {
  const started = performance.now();
  for (let from = 0; from < customers; from += BATCH) {
    const to = Math.min(customers, from + BATCH) - 1;
    const params = { prefix, from, to, types: TYPES };
    await graph.write(
      `UNWIND range($from, $to) AS i
       CREATE (c:Customer {id: $prefix + '-c' + i, displayName: 'Customer ' + i,
                           createdAt: datetime() - duration({days: 400})})
       CREATE (c)-[:IDENTIFIED_BY {since: datetime()}]->(:Identifier {
                key: 'EMAIL:' + $prefix + '-c' + i + '@example.com', namespace: 'EMAIL',
                value: $prefix + '-c' + i + '@example.com', shared: false})
       CREATE (c)-[:GAVE]->(:Consent {customerId: c.id, purpose: 'MARKETING_CONTACT',
                granted: i % 2 = 0, channels: ['EMAIL'], updatedAt: datetime()})
       FOREACH (_ IN CASE WHEN i % 3 = 0 THEN [1] ELSE [] END |
         CREATE (c)-[:IDENTIFIED_BY {since: datetime()}]->(:Identifier {
                  key: 'PHONE:' + $prefix + '-c' + i, namespace: 'PHONE',
                  value: '+1555' + i, shared: false}))
       FOREACH (k IN range(1, i % 4) |
         CREATE (c)-[:PLACED]->(:Order {id: $prefix + '-o' + i + '-' + k,
                  amount: toFloat(20 + (i * 37 + k * 11) % 180), currency: 'USD', quantity: 1,
                  placedAt: datetime() - duration({days: (i + k * 13) % 300})}))
       FOREACH (k IN range(1, i % 7) |
         CREATE (c)-[:HAD]->(t:Touchpoint {eventId: $prefix + '-t' + i + '-' + k,
                  type: $types[(i + k) % size($types)], channel: 'SOCIAL_AD', delivery: 'delivered',
                  sentiment: CASE WHEN $types[(i + k) % size($types)] = 'REVIEW'
                                  THEN ((i * 7 + k) % 21 - 10) / 10.0 END,
                  occurredAt: datetime() - duration({days: (i + k * 5) % 90}),
                  recordedAt: datetime()})
         FOREACH (_ IN CASE WHEN $types[(i + k) % size($types)] = 'STORE_PROXIMITY' THEN [1] ELSE [] END |
           SET t:StoreProximity))
       FOREACH (_ IN CASE WHEN i % 5 = 0 THEN [1] ELSE [] END |
         CREATE (c)-[:OWNS {since: datetime()}]->(:Device {serial: $prefix + '-d' + i,
                  stage: 'SUPPORT', registeredAt: datetime(), stageChangedAt: datetime()}))`,
      params,
    );
    await graph.write(
      `UNWIND range($from, $to) AS i
       WITH i WHERE i % 4 = 1 AND i > 1
       MATCH (c:Customer {id: $prefix + '-c' + i}), (r:Customer {id: $prefix + '-c' + (i / 4)})
       CREATE (r)-[:REFERRED {at: datetime() - duration({days: 60})}]->(c)`,
      params,
    );
    await graph.write(
      `UNWIND range($from, $to) AS i
       WITH i WHERE i % 50 = 0 AND i + 2 <= $to
       MATCH (c:Customer {id: $prefix + '-c' + i})
       CREATE (c)-[:HAD]->(a:Touchpoint {eventId: $prefix + '-t' + i + '-answer',
                type: 'COMMUNITY_ANSWER', channel: 'COMMUNITY', occurredAt: datetime(),
                recordedAt: datetime()})
       WITH i, a
       UNWIND [1, 2] AS k
       MATCH (voter:Customer {id: $prefix + '-c' + (i + k)})
       CREATE (voter)-[:VOTED {helpful: true, at: datetime()}]->(a)`,
      params,
    );
  }
  return (performance.now() - started) / 1000;
}

/**
 * Runs a statement over every customer again when other work sharing the database deleted a
 * node it was reading (Neo4j reads committed data: a scan can meet a node deleted meanwhile).
 */
async function retryDeleted<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3 || !/Unable to load NODE/.test(String(error))) throw error;
    }
  }
}

interface Case {
  name: string;
  conditions: SegmentDefinition['conditions'];
  /** Binds `c` and keeps the customers the definition holds for. */
  raw: (maxHops: number) => string;
}

const CASES: Case[] = [
  {
    name: 'value: TOTAL_VALUE ≥ 250',
    conditions: [{ field: 'TOTAL_VALUE', atLeast: 250, atMost: null, value: null }],
    raw: (maxHops) => `MATCH (c:Customer)
      ${customerValueCalls(maxHops)}
      WITH c WHERE historical + referral + helpfulVotes * $helpfulVoteValue >= 250`,
  },
  {
    name: 'touchpoints: TOUCHPOINTS ≥ 5',
    conditions: [{ field: 'TOUCHPOINTS', atLeast: 5, atMost: null, value: null }],
    raw: () => `MATCH (c:Customer) WHERE COUNT { (c)-[:HAD]->(:Touchpoint) } >= 5`,
  },
  {
    name: 'membership: consent and device in support',
    conditions: [
      { field: 'CONSENT_GRANTED', atLeast: null, atMost: null, value: 'MARKETING_CONTACT' },
      { field: 'OWNS_DEVICE_IN_STAGE', atLeast: null, atMost: null, value: 'SUPPORT' },
    ],
    // Per customer, through their relationships: an EXISTS on the consent's purpose is planned
    // as a seek of every consent with that purpose for each customer.
    raw: () => `MATCH (c:Customer)
      WHERE 'MARKETING_CONTACT' IN [(c)-[:GAVE]->(k:Consent) WHERE k.granted | k.purpose]
        AND 'SUPPORT' IN [(c)-[:OWNS]->(d:Device) | d.stage]`,
  },
];

interface Measured {
  name: string;
  segmentId: string;
  defineMs: number;
  rawMs: number;
  /** Members in all, by define and by the raw statement. */
  members: number;
  rawMembers: number;
  /** Members among the generated customers, by define and by the raw statement. */
  ours: number;
  rawOurs: number;
  /**
   * Customers in the database (define evaluates everyone) before and after define: other work
   * sharing it may add or remove customers meanwhile. The target is checked on the smaller.
   */
  population: number;
  populationAfter: number;
}

export async function runSegments(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, runId, signal } = ctx;
  const prefix = `${runId}-s`;
  const customers = options.segmentCustomers;
  const driver = createDriver(config.neo4j);
  const profiler = new Profiler();
  const graph = profiledGraph(createGraph(driver, config.neo4j.database), profiler);
  const repository = createSegmentRepository(graph, config.value);
  const segmentIds = CASES.map((_, i) => `${prefix}-seg${i}`);
  const results: Measured[] = [];
  const refreshes: Array<{ customers: number; meanMs: number; maxMs: number }> = [];
  let statements: ReturnType<Profiler['snapshot']> = [];
  let plans: StatementPlan[] = [];
  let generationSeconds = 0;
  let failure: { error: unknown } | undefined;
  const failures: string[] = [];
  try {
    console.log(`[segments] generating ${customers} customers...`);
    generationSeconds = await generate(graph, prefix, customers);
    console.log(`[segments] generated in ${generationSeconds.toFixed(0)} s.`);
    const maxHops = config.value.referralMaxHops;
    for (const [i, c] of CASES.entries()) {
      if (signal.aborted) throw new Error('Interrupted');
      const segmentId = segmentIds[i] as string;
      // The baseline first, so define does not gain from a cache it warmed.
      let rawStarted = performance.now();
      const [raw] = await retryDeleted(() => {
        rawStarted = performance.now();
        return graph.read<{ members: number; ours: number; population: number }>(
          `CALL () { MATCH (c:Customer) RETURN count(c) AS population }
         CALL () { ${c.raw(maxHops)}
           RETURN count(c) AS members, count(CASE WHEN c.id STARTS WITH $prefix THEN 1 END) AS ours }
         RETURN population, members, ours`,
          {
            prefix: `${prefix}-`,
            discount: config.value.referralDiscount,
            helpfulVoteValue: config.value.helpfulVoteValue,
          },
        );
      });
      const rawMs = performance.now() - rawStarted;
      profiler.reset();
      const defineStarted = performance.now();
      await repository.define({
        id: segmentId,
        name: c.name,
        description: 'bench',
        match: 'ALL',
        conditions: c.conditions,
      });
      const defineMs = performance.now() - defineStarted;
      if (i === 0) statements = profiler.snapshot();
      const [defined] = await graph.read<{ members: number; ours: number; population: number }>(
        `CALL () { MATCH (c:Customer) RETURN count(c) AS population }
         OPTIONAL MATCH (s:Segment {id: $segmentId})<-[:IN_SEGMENT]-(c:Customer)
         RETURN count(c) AS members, count(CASE WHEN c.id STARTS WITH $prefix THEN 1 END) AS ours,
                population`,
        { segmentId, prefix: `${prefix}-` },
      );
      const m: Measured = {
        name: c.name,
        segmentId,
        defineMs,
        rawMs,
        members: defined?.members ?? 0,
        rawMembers: raw?.members ?? 0,
        ours: defined?.ours ?? 0,
        rawOurs: raw?.ours ?? 0,
        population: raw?.population ?? 0,
        populationAfter: defined?.population ?? 0,
      };
      results.push(m);
      if (m.ours !== m.rawOurs) {
        failures.push(
          `${c.name}: define made ${m.ours} members of ours, the raw count ${m.rawOurs}`,
        );
      }
      console.log(
        `[segments] ${c.name}: define ${num(defineMs / 1000, 2)} s, raw ${num(rawMs / 1000, 2)} s, ${m.members} members of ${m.population}`,
      );
    }

    // Refresh: what an event costs once these segments exist (every definition evaluated for the
    // customers touched and everyone up their referral chains).
    let offset = 1;
    for (const size of REFRESH_SIZES) {
      const took: number[] = [];
      for (let round = 0; round < REFRESH_ROUNDS; round++) {
        const ids = Array.from(
          { length: size },
          () => `${prefix}-c${(offset++ * 7919) % customers}`,
        );
        const started = performance.now();
        await repository.refresh(ids);
        took.push(performance.now() - started);
      }
      refreshes.push({
        customers: size,
        meanMs: took.reduce((a, b) => a + b, 0) / took.length,
        maxMs: Math.max(...took),
      });
    }

    // The statements of one define under PROFILE: redefining the first segment unchanged.
    const first = CASES[0] as Case;
    profiler.plans = [];
    await repository.define({
      id: segmentIds[0] as string,
      name: first.name,
      description: 'bench',
      match: 'ALL',
      conditions: first.conditions,
    });
    plans = profiler.plans;
    profiler.plans = null;
  } catch (error) {
    failure = { error };
  }
  let deleted: Record<string, number> = {};
  try {
    for (const ids of chunks(segmentIds, 100)) {
      await graph.write(`MATCH (s:Segment) WHERE s.id IN $ids DETACH DELETE s`, { ids });
    }
    const phones = await graph.write<{ n: number }>(
      `MATCH (x:Identifier) WHERE x.key STARTS WITH $start DETACH DELETE x RETURN count(*) AS n`,
      { start: `PHONE:${prefix}` },
    );
    deleted = { ...(await remove(graph, prefix)), phones: phones[0]?.n ?? 0 };
    console.log(`[segments] removed the bench data: ${JSON.stringify(deleted)}.`);
  } catch (error) {
    console.error(`[segments] could not remove the data; its keys all start with ${prefix}.`);
    failure ??= { error };
  }
  await driver.close();
  if (failure) throw failure.error;

  const size = (m: Measured) =>
    `${num(m.population, 0)}${m.populationAfter === m.population ? '' : ` to ${num(m.populationAfter, 0)}`} customers (${num(customers, 0)} generated), ${num(m.members, 0)} members`;
  const targets = results.map((m) =>
    atMost(
      'segments',
      `define ${m.name}, s per ${num(TARGET_CUSTOMERS, 0)} customers`,
      (m.defineMs / 1000) * (TARGET_CUSTOMERS / Math.min(m.population, m.populationAfter)),
      TARGET_SECONDS,
      (v) => `${num(v, 2)} s`,
    ),
  );
  const heaviest = [...plans].sort((a, b) => b.dbHits - a.dbHits)[0];
  return {
    name: 'segments',
    failures,
    targets,
    summary: [
      ...results.map((m, i) => ({
        benchmark: 'segments' as const,
        metric: `define ${m.name}, s`,
        measured: num(m.defineMs / 1000, 2),
        baseline: `${num(m.rawMs / 1000, 2)} raw count`,
        ratio: times(m.defineMs / m.rawMs),
        data: size(m),
        target: verdict(targets[i] as (typeof targets)[number]),
      })),
      ...refreshes.map((r) => ({
        benchmark: 'segments' as const,
        metric: `refresh of ${r.customers} customers, mean ms`,
        measured: num(r.meanMs),
        baseline: '',
        ratio: '',
        data: `${CASES.length} segments defined, max ${num(r.maxMs)} ms`,
      })),
      ...(heaviest
        ? [
            {
              benchmark: 'segments' as const,
              metric: 'db hits of the heaviest define statement',
              measured: num(heaviest.dbHits, 0),
              baseline: '',
              ratio: '',
              data: `${heaviest.label}, redefining "${CASES[0]?.name}" unchanged`,
            },
          ]
        : []),
    ],
    details: { data: { customers, generationSeconds }, results, refreshes, statements, plans },
    cleanup: { deleted },
    print() {
      console.log('\nsegments: define (every customer evaluated) vs one raw count statement');
      printTable(
        ['definition', 'define s', 'raw s', 'define ÷ raw', 'members', 'raw members', 'customers'],
        results.map((m) => [
          m.name,
          num(m.defineMs / 1000, 2),
          num(m.rawMs / 1000, 2),
          times(m.defineMs / m.rawMs),
          String(m.members),
          String(m.rawMembers),
          String(m.population),
        ]),
      );
      printTable(
        ['statements of the first define', 'count', 'total ms', 'max ms'],
        statements.map((s) => [s.label, String(s.count), num(s.totalMs), num(s.maxMs)]),
      );
      console.log('\nThe statements of one define under PROFILE, heaviest first:');
      printPlans(plans, 4);
    },
  };
}
