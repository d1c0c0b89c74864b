/**
 * The single customer view on a large graph (issue 4): the `CustomerView` operation through
 * the gateway (one fetch per subgraph) against the customers subgraph's own part of the same
 * view sent to it directly, on a generated graph of `--view-customers` people with
 * `--view-touchpoints` touchpoints each; and the referral value of deep chains and a wide tree
 * against a customer who referred no one. The graph is generated inside Neo4j (UNWIND over
 * ranges, batched) under the run's prefix, and removed afterwards.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Graph } from '@experience-graph/neo4j';
import {
  atMost,
  gql,
  num,
  printTable,
  times,
  verdict,
  type BenchContext,
  type BenchSection,
} from './kit';
import type { StatementPlan } from './profile';
import { runLoad, summarize, type Summary } from './load';
import { startBenchSystem } from './system';

const VIEW = readFileSync(
  path.join(__dirname, '..', '..', 'schema', 'operations', 'customer-view.graphql'),
  'utf8',
);
/** The view without the fields other subgraphs resolve: what the customers subgraph answers. */
const CUSTOMERS_PART = VIEW.replace(/\n {4}devices \{[\s\S]*?\n {4}\}/, '')
  .replace(/\n {4}campaignsTouched \{[\s\S]*?\n {4}\}/, '')
  .replace(/\n {4}coupons \{[\s\S]*?\n {4}\}/, '');
const VALUE = `query ($id: ID!) { customer(id: $id) { value { referral peopleReferred } } }`;

const CAMPAIGNS = 20;
const MODELS = 5;
const BATCH = 2_000;
const CHAIN_DEPTHS = [1, 10, 50] as const;
const WIDE_TREE = 1_000;
const TYPES = ['AD_IMPRESSION', 'AD_CLICK', 'STORE_PROXIMITY', 'REVIEW', 'SUPPORT_REQUEST'];

/** Generates the graph in Neo4j (also used by neo4j-settings); returns how long it took, in s. */
export async function generate(
  graph: Graph,
  prefix: string,
  customers: number,
  touchpoints: number,
) {
  const started = performance.now();
  await graph.write(
    `UNWIND range(0, $models - 1) AS m
     CREATE (:ProductModel {sku: $prefix + '-m' + m, name: 'Model ' + m})
     WITH m
     UNWIND range(0, $perModel - 1) AS k
     MATCH (model:ProductModel {sku: $prefix + '-m' + m})
     CREATE (c:Campaign {id: $prefix + '-camp' + toInteger(m * $perModel + k), name: 'Campaign ' + k,
                         channel: 'SOCIAL_AD', journeyStage: 'INTERESTED', productSku: model.sku})
     CREATE (c)-[:PROMOTES]->(model)`,
    { prefix, models: MODELS, perModel: CAMPAIGNS / MODELS },
  );
  for (let from = 0; from < customers; from += BATCH) {
    const to = Math.min(customers, from + BATCH) - 1;
    await graph.write(
      `UNWIND range($from, $to) AS i
       CREATE (c:Customer {id: $prefix + '-c' + i, displayName: 'Customer ' + i,
                           createdAt: datetime() - duration({days: 400})})
       CREATE (c)-[:IDENTIFIED_BY {since: datetime()}]->(:Identifier {
                key: 'EMAIL:' + $prefix + '-c' + i + '@example.com', namespace: 'EMAIL',
                value: $prefix + '-c' + i + '@example.com', shared: false})
       CREATE (c)-[:GAVE]->(:Consent {customerId: c.id, purpose: 'MARKETING_CONTACT',
                granted: i % 2 = 0, channels: ['EMAIL'], updatedAt: datetime()})
       WITH c, i
       UNWIND range(1, $touchpoints) AS k
       MATCH (camp:Campaign {id: $prefix + '-camp' + toInteger((i + k) % $campaigns)})
       MATCH (camp)-[:PROMOTES]->(m:ProductModel)
       CREATE (c)-[:HAD]->(t:Touchpoint {eventId: $prefix + '-t' + i + '-' + k,
                type: $types[toInteger(k % size($types))], channel: 'SOCIAL_AD', delivery: 'delivered',
                occurredAt: datetime() - duration({days: k}), recordedAt: datetime()})
       CREATE (t)-[:VIA]->(camp)
       CREATE (t)-[:ABOUT]->(m)
       FOREACH (_ IN CASE WHEN t.type = 'STORE_PROXIMITY' THEN [1] ELSE [] END | SET t:StoreProximity)`,
      {
        prefix,
        from,
        to,
        touchpoints,
        campaigns: CAMPAIGNS,
        types: TYPES,
      },
    );
    // Every fifth customer owns a device in support, bought in an order; every third after the
    // first was referred by an earlier one (a forest).
    await graph.write(
      `UNWIND range($from, $to) AS i
       WITH i WHERE i % 5 = 0
       MATCH (c:Customer {id: $prefix + '-c' + i}), (m:ProductModel {sku: $prefix + '-m' + toInteger(i % $models)})
       CREATE (d:Device {serial: $prefix + '-d' + i, sku: m.sku, stage: 'SUPPORT',
                         registeredAt: datetime(), stageChangedAt: datetime()})
       CREATE (c)-[:OWNS {since: datetime()}]->(d)
       CREATE (c)-[:PLACED]->(o:Order {id: $prefix + '-o' + i, amount: 199.0, currency: 'USD',
                placedAt: datetime() - duration({days: 30})})-[:CONTAINS]->(d)`,
      { prefix, from, to, models: MODELS },
    );
    await graph.write(
      `UNWIND range($from, $to) AS i
       WITH i WHERE i % 3 = 1 AND i > 1
       MATCH (c:Customer {id: $prefix + '-c' + i}), (r:Customer {id: $prefix + '-c' + toInteger(i / 3)})
       CREATE (r)-[:REFERRED {at: datetime() - duration({days: 60}), sku: $prefix + '-m0'}]->(c)`,
      { prefix, from, to },
    );
  }
  return (performance.now() - started) / 1000;
}

/** Referral chains of each depth, and one wide tree; everyone in them spent 10. */
async function generateChains(graph: Graph, prefix: string) {
  for (const depth of CHAIN_DEPTHS) {
    await graph.write(
      `UNWIND range(0, $depth) AS i
       CREATE (c:Customer {id: $prefix + '-chain' + $depth + '-' + i, displayName: 'Chain',
                           createdAt: datetime()})
       CREATE (c)-[:PLACED]->(:Order {id: $prefix + '-chain' + $depth + '-o' + i, amount: 10.0,
                                      currency: 'USD', placedAt: datetime()})
       WITH collect(c) AS people
       UNWIND range(0, size(people) - 2) AS i
       WITH people[i] AS a, people[i + 1] AS b
       CREATE (a)-[:REFERRED {at: datetime()}]->(b)`,
      { prefix, depth },
    );
  }
  await graph.write(
    `CREATE (root:Customer {id: $prefix + '-wide', displayName: 'Wide', createdAt: datetime()})
     WITH root
     UNWIND range(1, $width) AS i
     CREATE (root)-[:REFERRED {at: datetime()}]->(c:Customer {id: $prefix + '-wide-' + i,
             displayName: 'Leaf', createdAt: datetime()})
     CREATE (c)-[:PLACED]->(:Order {id: $prefix + '-wide-o' + i, amount: 10.0, currency: 'USD',
                                    placedAt: datetime()})`,
    { prefix, width: WIDE_TREE },
  );
}

/** Removes every node of the run, label by label, in batches. */
export async function remove(graph: Graph, prefix: string): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  const targets: Array<[string, string, string]> = [
    ['Touchpoint', 'eventId', prefix],
    ['Consent', 'customerId', prefix],
    ['Identifier', 'key', `EMAIL:${prefix}`],
    ['Order', 'id', prefix],
    ['Device', 'serial', prefix],
    ['Customer', 'id', prefix],
    ['Campaign', 'id', prefix],
    ['ProductModel', 'sku', prefix],
  ];
  for (const [label, key, start] of targets) {
    deleted[label] = 0;
    for (;;) {
      const [row] = await graph.write<{ n: number }>(
        `MATCH (x:${label}) WHERE x.${key} STARTS WITH $start
         WITH x LIMIT 10000 DETACH DELETE x RETURN count(*) AS n`,
        { start },
      );
      deleted[label] += row?.n ?? 0;
      if (!row?.n) break;
    }
  }
  return deleted;
}

async function measure(
  url: string,
  query: string,
  ids: (i: number) => string,
  count: number,
  concurrency: number,
  signal: AbortSignal,
  timeoutMs: number,
) {
  return runLoad({
    count,
    offset: 0,
    concurrency,
    deadline: performance.now() + 600_000,
    signal,
    timeoutMs,
    send: async (i, s) => {
      await gql(url, query, { id: ids(i) }, s);
    },
  });
}

export async function runCustomerView(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, signal, runId } = ctx;
  const prefix = `${runId}-v`;
  const customers = options.viewCustomers;
  const perCustomer = options.viewTouchpoints;
  const system = await startBenchSystem(config);
  let failure: { error: unknown } | undefined;
  let result:
    | {
        generationSeconds: number;
        gateway: Summary;
        subgraph: Summary;
        chains: Record<string, Summary>;
        statements: { perView: number; byLabel: Record<string, number>; cpuMsPerView: number };
        plans: StatementPlan[];
      }
    | undefined;
  try {
    console.log(
      `[customer-view] generating ${customers} customers and ${customers * perCustomer} touchpoints...`,
    );
    const generationSeconds = await generate(system.graph, prefix, customers, perCustomer);
    await generateChains(system.graph, prefix);
    console.log(`[customer-view] generated in ${generationSeconds.toFixed(0)} s.`);
    // Random customers, the same sequence for both sides.
    let seed = 42;
    const picks = Array.from({ length: options.viewRequests + options.warmup }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return `${prefix}-c${seed % customers}`;
    });
    const pick = (i: number) => picks[i % picks.length] as string;
    const customersUrl = system.subgraphUrls.customers;
    const run = (url: string, query: string, ids: (i: number) => string, n: number) =>
      measure(url, query, ids, n, options.concurrency, signal, options.timeoutMs);
    await run(system.gatewayUrl, VIEW, pick, options.warmup);
    await run(customersUrl, CUSTOMERS_PART, pick, options.warmup);
    // Alternating halves, so noise lands on both sides.
    const half = Math.ceil(options.viewRequests / 2);
    const gatewayRounds = [];
    const subgraphRounds = [];
    for (let round = 0; round < 2; round++) {
      const ids = (i: number) => pick(options.warmup + round * half + i);
      gatewayRounds.push(await run(system.gatewayUrl, VIEW, ids, half));
      subgraphRounds.push(await run(customersUrl, CUSTOMERS_PART, ids, half));
    }
    // Statements per view and the in-process CPU per view (gateway and the three subgraphs
    // share this process), over views of their own after the measured rounds; then the
    // statements of a few views under PROFILE.
    const counted = Math.min(200, options.viewRequests);
    system.profiles.servers.reset();
    const cpuBefore = process.cpuUsage();
    await run(system.gatewayUrl, VIEW, (i) => pick(i + 7), counted);
    const cpu = process.cpuUsage(cpuBefore);
    const byLabel: Record<string, number> = {};
    for (const line of system.profiles.servers.snapshot()) {
      if (line.kind === 'graph') byLabel[line.label] = line.count / counted;
    }
    system.profiles.servers.plans = [];
    await run(system.gatewayUrl, VIEW, (i) => pick(i + 11), 3);
    const plans = system.profiles.servers.plans;
    system.profiles.servers.plans = null;
    const statements = {
      perView: Object.values(byLabel).reduce((a, b) => a + b, 0),
      byLabel,
      cpuMsPerView: (cpu.user + cpu.system) / 1000 / counted,
    };
    const chainIds: Record<string, string> = {
      'no referrals': `${prefix}-chain1-1`,
      ...Object.fromEntries(CHAIN_DEPTHS.map((d) => [`chain depth ${d}`, `${prefix}-chain${d}-0`])),
      [`tree of ${WIDE_TREE}`]: `${prefix}-wide`,
    };
    const chains: Record<string, Summary> = {};
    for (const [name, id] of Object.entries(chainIds)) {
      await run(customersUrl, VALUE, () => id, 20);
      chains[name] = summarize(200, options.concurrency, [
        await run(customersUrl, VALUE, () => id, 200),
      ]);
    }
    result = {
      generationSeconds,
      gateway: summarize(half * 2, options.concurrency, gatewayRounds),
      subgraph: summarize(half * 2, options.concurrency, subgraphRounds),
      chains,
      statements,
      plans,
    };
  } catch (error) {
    failure = { error };
  }
  let deleted: Record<string, number> = {};
  try {
    await system.drain(30_000);
    deleted = await remove(system.graph, prefix);
    console.log(`[customer-view] removed the bench data: ${JSON.stringify(deleted)}.`);
  } catch (error) {
    console.error(`[customer-view] could not remove the data; its keys all start with ${prefix}.`);
    failure ??= { error };
  }
  await system.stop().catch((error: unknown) => {
    failure ??= { error };
  });
  if (failure || !result) throw failure?.error ?? new Error('Nothing was measured');

  const { gateway, subgraph, chains, generationSeconds, statements, plans } = result;
  const p99Target = atMost(
    'customer-view',
    `CustomerView p99, ${options.concurrency} in flight`,
    gateway.p99Ms,
    50,
    (v) => `${num(v)} ms`,
  );
  const baseline = chains['no referrals'] as Summary;
  const size = `${customers} customers, ${customers * perCustomer} touchpoints`;
  const failures = [gateway, subgraph, ...Object.values(chains)]
    .filter((s) => s.errors > 0)
    .map((s) => `${s.errors} errors, e.g. ${s.errorSamples[0]}`);
  return {
    name: 'customer-view',
    failures,
    summary: [
      {
        benchmark: 'customer-view',
        metric: 'CustomerView p50 / p99 ms, gateway',
        measured: `${num(gateway.p50Ms)} / ${num(gateway.p99Ms)}`,
        baseline: `${num(subgraph.p50Ms)} / ${num(subgraph.p99Ms)} customers subgraph`,
        ratio: `${times(gateway.p50Ms / subgraph.p50Ms)} p50, ${times(gateway.p99Ms / subgraph.p99Ms)} p99`,
        data: `${size}, ${options.concurrency} in flight`,
        target: verdict(p99Target),
      },
      {
        benchmark: 'customer-view',
        metric: 'CustomerView req/s, gateway',
        measured: num(gateway.throughputPerSecond),
        baseline: `${num(subgraph.throughputPerSecond)} customers subgraph`,
        ratio: times(gateway.throughputPerSecond / subgraph.throughputPerSecond),
        data: `${size}, ${options.concurrency} in flight`,
      },
      {
        benchmark: 'customer-view',
        metric: 'Neo4j statements / in-process CPU ms per view',
        measured: `${num(statements.perView)} / ${num(statements.cpuMsPerView)}`,
        baseline: 'one view, 3 subgraph fetches',
        ratio: '',
        data: `${Object.keys(statements.byLabel).length} kinds of statement`,
      },
      ...Object.entries(chains)
        .filter(([name]) => name !== 'no referrals')
        .map(([name, s]) => ({
          benchmark: 'customer-view' as const,
          metric: `referral value p50 ms, ${name}`,
          measured: num(s.p50Ms),
          baseline: `${num(baseline.p50Ms)} no referrals`,
          ratio: times(s.p50Ms / baseline.p50Ms),
          data: `max hops ${config.value.referralMaxHops}`,
        })),
    ],
    details: {
      data: { customers, touchpoints: customers * perCustomer, generationSeconds },
      baseline:
        'The customers subgraph alone answers its own part of the view (everything but devices, campaigns touched and coupons), sent to it directly for the same customers.',
      gateway,
      subgraph,
      chains,
      statements,
      plans,
    },
    cleanup: { deleted },
    print: () => {
      printTable(
        ['statement per view', 'count'],
        Object.entries(statements.byLabel).map(([label, n]) => [label, num(n)]),
      );
      printTable(
        ['statement under PROFILE', 'db hits', 'costliest operator'],
        plans.map((p) => [
          p.label,
          num(p.dbHits),
          p.operators[0] ? `${p.operators[0].operator} ${num(p.operators[0].dbHits)}` : '',
        ]),
      );
      printTable(
        ['scenario', 'req/s', 'p50 ms', 'p99 ms'],
        [
          ['CustomerView, gateway', gateway, 'x'] as const,
          ['customers subgraph part', subgraph, 'x'] as const,
          ...Object.entries(chains).map(([n, s]) => [`value, ${n}`, s, 'x'] as const),
        ].map(([name, s]) => [name, num(s.throughputPerSecond), num(s.p50Ms), num(s.p99Ms)]),
      );
    },
  };
}
