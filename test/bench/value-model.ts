/**
 * Lifetime-value fit time: the background job (the `customerValueModel` workflow on a worker,
 * reading purchases from the graph page by page, fitting BG/NBD and gamma-gamma, writing every
 * customer's prediction) against the in-memory fit of the same purchases (RFM summary and both
 * fits, no I/O), measured in the same run:
 *
 * - CDNOW: the 2,357 customers and 6,919 purchases of ../shared/data/cdnow, calibration end
 *   1997-09-30 (the published conventions);
 * - generated: `--value-customers` customers (default 100,000) whose purchases are drawn from
 *   BG/NBD and gamma-gamma with CDNOW-like parameters (seeded, so every run has the same data),
 *   about three orders per customer.
 *
 * The data is written straight into Neo4j with batched UNWIND statements (the intake's cost is
 * the intake benchmark's subject, and the CDNOW e2e test covers that path) under this run's
 * prefix, and removed afterwards. A worker runs in this process on a task queue of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import {
  type Purchase,
  fitBgNbd,
  fitGammaGamma,
  parseCdnowSample,
  rfmSummary,
} from '@experience-graph/customer-value';
import { createDriver, createGraph, type Graph } from '@experience-graph/neo4j';
import {
  createValueModelJobs,
  type ValueModelSummary,
  valueModelWorkflowId,
} from '@experience-graph/workflows';
import { createLifecycleWorker } from '@experience-graph/workflows/worker';
import { chunks, num, printTable, times, type BenchContext, type BenchSection } from './kit';

const DAY_MS = 86_400_000;

interface Dataset {
  name: string;
  prefix: string;
  asOf: string;
  /** Purchases per customer id (the graph id, prefixed). */
  purchases: Purchase[];
}

interface Measured {
  dataset: string;
  customers: number;
  orders: number;
  seedSeconds: number;
  /** Start of the workflow to its result, through Temporal. */
  jobMs: number;
  job: ValueModelSummary;
  /** RFM summary and both fits in memory. */
  memoryMs: number;
  memoryFitMs: number;
  memory: { bgNbdLogLikelihood: number; gammaGammaLogLikelihood: number };
  agree: boolean;
}

/** ../shared/data/cdnow beside the repository (or above a nested worktree). */
function cdnowFile(): string {
  let dir = path.resolve(__dirname, '..', '..');
  for (let up = 0; up < 3; up++) {
    dir = path.dirname(dir);
    const candidate = path.join(dir, 'shared', 'data', 'cdnow', 'CDNOW_sample.txt');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('CDNOW_sample.txt not found in ../shared/data/cdnow beside the repository');
}

/** mulberry32: a small seeded generator, so the generated graph is the same in every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, scale) by Marsaglia and Tsang (boosted for shape < 1). */
function gamma(rand: () => number, shape: number, scale: number): number {
  if (shape < 1) return gamma(rand, shape + 1, scale) * Math.pow(rand(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // Standard normal by Box-Muller.
      x = Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (Math.log(u || 1e-300) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
  }
}

/**
 * Customers born in the first 12 weeks of 2020, buying by BG/NBD (purchase rate ~ gamma(r, α),
 * drop-out after each repeat purchase with p ~ beta(a, b)) until 2020-12-31, each purchase worth
 * gamma-gamma spend. Parameters chosen for about three orders per customer.
 */
function generated(prefix: string, customers: number): Dataset {
  const rand = random(20_260_405);
  const start = Date.parse('2020-01-01T00:00:00Z');
  const end = Date.parse('2020-12-31T00:00:00Z');
  const model = { r: 0.5, alpha: 4, a: 0.8, b: 2.4, p: 6.25, q: 3.74, gamma: 15.44 };
  const purchases: Purchase[] = [];
  for (let i = 0; i < customers; i++) {
    const customerId = `${prefix}${i.toString().padStart(6, '0')}`;
    const rate = gamma(rand, model.r, 1 / model.alpha); // purchases per week
    const ga = gamma(rand, model.a, 1);
    const dropProbability = ga / (ga + gamma(rand, model.b, 1));
    const spendScale = gamma(rand, model.q, 1 / model.gamma);
    const spend = () => Math.round(gamma(rand, model.p, 1 / spendScale) * 100) / 100;
    let at = start + Math.floor(rand() * 84) * DAY_MS;
    purchases.push({ customerId, at: new Date(at).toISOString(), amount: spend() });
    for (;;) {
      at += (-Math.log(rand() || 1e-300) / rate) * 7 * DAY_MS;
      if (at > end) break;
      purchases.push({
        customerId,
        at: new Date(Math.floor(at / DAY_MS) * DAY_MS).toISOString(),
        amount: spend(),
      });
      if (rand() < dropProbability) break;
    }
  }
  return { name: 'generated', prefix, asOf: '2020-12-31', purchases };
}

function cdnow(prefix: string): Dataset {
  const purchases = parseCdnowSample(readFileSync(cdnowFile(), 'utf8')).map((p) => ({
    ...p,
    customerId: `${prefix}${p.customerId}`,
  }));
  return { name: 'CDNOW', prefix, asOf: '1997-09-30', purchases };
}

const SEED = `
UNWIND $customers AS row
CREATE (c:Customer {id: row.id, displayName: row.id, createdAt: datetime()})
WITH c, row
UNWIND row.orders AS o
CREATE (c)-[:PLACED]->(:Order {id: o.id, placedAt: datetime(o.at), amount: o.amount,
                                currency: 'USD', quantity: 1})`;

async function seed(graph: Graph, dataset: Dataset): Promise<number> {
  const started = performance.now();
  const byCustomer = new Map<string, Array<{ id: string; at: string; amount: number }>>();
  dataset.purchases.forEach((p, i) => {
    const at = typeof p.at === 'string' ? p.at : new Date(p.at).toISOString();
    const order = {
      id: `${dataset.prefix}o${i}`,
      at: at.length === 10 ? `${at}T00:00:00Z` : at,
      amount: p.amount,
    };
    const list = byCustomer.get(p.customerId);
    if (list) list.push(order);
    else byCustomer.set(p.customerId, [order]);
  });
  const rows = [...byCustomer].map(([id, orders]) => ({ id, orders }));
  for (const batch of chunks(rows, 5_000)) await graph.write(SEED, { customers: batch });
  return (performance.now() - started) / 1000;
}

async function removeDataset(graph: Graph, prefix: string): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await graph.write<{ deleted: number }>(
      `MATCH (c:Customer) WHERE c.id STARTS WITH $prefix
       WITH c LIMIT 5000
       OPTIONAL MATCH (c)-[:PLACED]->(o:Order)
       WITH c, collect(o) AS orders
       FOREACH (o IN orders | DETACH DELETE o)
       DETACH DELETE c
       RETURN count(*) AS deleted`,
      { prefix },
    );
    const deleted = row?.deleted ?? 0;
    total += deleted;
    if (deleted === 0) return total;
  }
}

export async function runValueModel(ctx: BenchContext): Promise<BenchSection> {
  const { config, options, runId } = ctx;
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const taskQueue = `${runId}-value-model`;
  const worker = await createLifecycleWorker({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    graph,
  });
  const workerRun = worker.run();
  const jobs = createValueModelJobs(client, taskQueue);
  const results: Measured[] = [];
  const failures: string[] = [];
  const fitIds: string[] = [];
  const cleanup: Record<string, unknown> = {};
  const datasets = [
    () => cdnow(`${runId}-cdnow-`),
    () => generated(`${runId}-gen-`, options.valueCustomers),
  ];
  try {
    for (const make of datasets) {
      if (ctx.signal.aborted) throw new Error('Interrupted');
      const dataset = make();
      console.log(`[value-model] ${dataset.name}: seeding ${dataset.purchases.length} orders...`);
      try {
        const seedSeconds = await seed(graph, dataset);
        const fitId = `${dataset.prefix}fit`;
        fitIds.push(fitId);
        const jobStarted = performance.now();
        await jobs.start({
          fitId,
          asOf: dataset.asOf,
          horizonDays: config.valueModel.horizonDays,
          population: { idPrefix: dataset.prefix },
        });
        const job = await jobs.result(fitId);
        const jobMs = performance.now() - jobStarted;

        // The baseline: the same purchases, summarised and fitted with no I/O.
        const memoryStarted = performance.now();
        const summaries = rfmSummary(dataset.purchases, { calibrationEnd: dataset.asOf });
        const fitStarted = performance.now();
        const bg = fitBgNbd(summaries);
        const gg = fitGammaGamma(summaries.filter((s) => s.x > 0 && s.monetaryValue > 0));
        const memoryFitMs = performance.now() - fitStarted;
        const memoryMs = performance.now() - memoryStarted;
        const close = (x: number, y: number) => Math.abs(x - y) <= 1e-6 * Math.abs(y);
        const agree =
          close(job.bgNbd.logLikelihood, bg.logLikelihood) &&
          close(job.gammaGamma.logLikelihood, gg.logLikelihood) &&
          job.customers === summaries.length;
        if (!agree) {
          failures.push(
            `${dataset.name}: the graph job's fit differs from the in-memory fit of the same data`,
          );
        }
        const customers = new Set(dataset.purchases.map((p) => p.customerId)).size;
        results.push({
          dataset: dataset.name,
          customers,
          orders: dataset.purchases.length,
          seedSeconds,
          jobMs,
          job,
          memoryMs,
          memoryFitMs,
          memory: {
            bgNbdLogLikelihood: bg.logLikelihood,
            gammaGammaLogLikelihood: gg.logLikelihood,
          },
          agree,
        });
        console.log(
          `[value-model] ${dataset.name}: job ${num(jobMs / 1000, 2)} s (read ${num(job.readMillis / 1000, 2)} s, fit ${num(job.fitMillis / 1000, 2)} s, write ${num(job.writeMillis / 1000, 2)} s); in memory ${num(memoryMs / 1000, 2)} s`,
        );
      } finally {
        cleanup[`${dataset.name}Customers`] = await removeDataset(graph, dataset.prefix);
      }
    }
  } finally {
    const [row] = await graph.write<{ deleted: number }>(
      'MATCH (f:ValueModelFit) WHERE f.id IN $fitIds DETACH DELETE f RETURN count(*) AS deleted',
      { fitIds },
    );
    cleanup['fits'] = row?.deleted ?? 0;
    for (const fitId of fitIds) {
      await client.workflow
        .getHandle(valueModelWorkflowId(fitId))
        .terminate('bench over')
        .catch(() => undefined);
    }
    worker.shutdown();
    await workerRun;
    await nativeConnection.close();
    await connection.close();
    await driver.close();
  }

  const data = (m: Measured) =>
    `${m.customers} customers, ${m.orders} orders, ${m.job.repeatCustomers} repeat buyers`;
  return {
    name: 'value-model',
    failures,
    summary: results.flatMap((m) => [
      {
        benchmark: 'value-model' as const,
        metric: `${m.dataset}: fit job through the graph, s`,
        measured: num(m.jobMs / 1000, 2),
        baseline: `${num(m.memoryMs / 1000, 2)} in memory`,
        ratio: times(m.jobMs / m.memoryMs),
        data: data(m),
      },
    ]),
    details: { results },
    cleanup,
    print() {
      console.log(
        '\nvalue-model: the customerValueModel job (read, fit, write) vs the in-memory fit of the same purchases',
      );
      printTable(
        [
          'data',
          'customers',
          'orders',
          'job s',
          'read s',
          'fit s',
          'write s',
          'memory s',
          'memory fit s',
          'job ÷ memory',
          'fit ÷ memory fit',
          'r',
          'alpha',
          'a',
          'b',
          'p',
          'q',
          'gamma',
          'same fit',
        ],
        results.map((m) => [
          m.dataset,
          String(m.customers),
          String(m.orders),
          num(m.jobMs / 1000, 2),
          num(m.job.readMillis / 1000, 2),
          num(m.job.fitMillis / 1000, 2),
          num(m.job.writeMillis / 1000, 2),
          num(m.memoryMs / 1000, 2),
          num(m.memoryFitMs / 1000, 2),
          times(m.jobMs / m.memoryMs),
          times(m.job.fitMillis / m.memoryFitMs),
          num(m.job.bgNbd.r, 3),
          num(m.job.bgNbd.alpha, 3),
          num(m.job.bgNbd.a, 3),
          num(m.job.bgNbd.b, 3),
          num(m.job.gammaGamma.p, 2),
          num(m.job.gammaGamma.q, 2),
          num(m.job.gammaGamma.gamma, 2),
          m.agree ? 'yes' : 'NO',
        ]),
      );
    },
  };
}
