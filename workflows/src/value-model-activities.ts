/**
 * The lifetime-value model job's activities: read the purchase history of a population from
 * the graph page by page, summarise it in the customer-value package's conventions, fit BG/NBD
 * and gamma-gamma, and write each customer's predictions back in batches.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  type Graph,
  type KeyPage,
  eachBounded,
  keyPageCondition,
  keyPages,
} from '@experience-graph/neo4j';
import {
  type CustomerRfm,
  type SkippedCustomer,
  fitValueModels,
  historySummariser,
  predictCustomer,
} from '@experience-graph/customer-value';
import type { SegmentRepository } from '@experience-graph/segments';
import {
  SKIPPED_EXAMPLES,
  type ValueModelRun,
  type ValueModelSummary,
} from './value-model-contracts';

/** Customers read per page; each page is summarised and dropped before the next. */
export const PURCHASE_PAGE = 5_000;
/** Customers written per UNWIND statement. */
export const PREDICTION_BATCH = 5_000;
const DAYS_PER_WEEK = 7;

/** Pages read at a time: Neo4j runs each statement on one core, and the summary needs one. */
export const PAGES_IN_FLIGHT = 2;
/**
 * Prediction batches written at a time: a write waits on its commit, which Neo4j takes one at a
 * time, so a third keeps both cores busy (a fifth less time than two, 100,000 customers).
 */
export const WRITES_IN_FLIGHT = 3;

// The purchases of the customers of one page (see keyPages), through the id index, as
// [epoch milliseconds, amount] pairs: numbers cost the server no formatting and the summary no
// parsing. Every order with an amount comes, those after the calibration end too: the summary
// ignores them, and skips a customer with one after the moment of the run (or without a time)
// as implausible. Comparing date-times here cost the server a tenth of the read's time.
const purchasePageQuery = (page: KeyPage) => `
MATCH (c:Customer)
WHERE ${keyPageCondition('c', 'id', page)}
RETURN c.id AS id, elementId(c) AS node,
       [(c)-[:PLACED]->(o:Order) WHERE o.amount IS NOT NULL
        | [o.placedAt.epochMillis, toFloat(o.amount)]] AS purchases`;

// Predictions are written to the nodes the read found, by element id: a node seek costs a
// third less than the id index's (measured on 100,000 customers). An element id may be reused
// once its node is deleted, so each node is also checked to be that customer; a batch where any
// is not is written again by customer id (the same values, so the overlap is harmless). What all
// predictions of a run share (their fit, when, over which horizon) is the fit node's: each
// customer holds the fit's number, not its id: a string as long as a fit id (29 characters)
// costs the write about a tenth of its time more (100,000 customers).
const predictionsBy = (match: string) => `
UNWIND $rows AS row
${match}
SET c.pAlive = row.pAlive, c.expectedPurchases = row.expectedPurchases,
    c.expectedValue = row.expectedValue, c.valueModelFit = toInteger($fitNumber)
RETURN count(c) AS written`;
export const WRITE_PREDICTIONS_BY_NODE = predictionsBy(
  // The label is tested through labels(c): as `c:Customer` the planner seeks the id index instead.
  "MATCH (c) WHERE elementId(c) = row.node AND c.id = row.id AND 'Customer' IN labels(c)",
);
const WRITE_PREDICTIONS_BY_ID = predictionsBy('MATCH (c:Customer {id: row.id})');

/**
 * The number by which a fit's customers refer to it: 48 bits of the SHA-256 of its id, the same
 * on every attempt. Numbers are unique (a constraint): two fits whose ids share one (about one
 * chance in five million among ten thousand fits) make the second fail to start, saying so.
 */
export function fitNumber(fitId: string): number {
  return createHash('sha256').update(fitId).digest().readUIntBE(0, 6);
}

// When the fit's predictions were made: its customers' predictions read it from here.
const START_PREDICTIONS = `
MATCH (f:ValueModelFit {id: $fitId})
SET f.predictedAt = datetime($predictedAt)`;

const START_FIT = `
MERGE (f:ValueModelFit {id: $fitId})
  ON CREATE SET f.population = $population, f.asOf = date($asOf), f.horizonDays = $horizonDays,
                f.requestedAt = datetime()
SET f.status = 'RUNNING', f.startedAt = datetime(), f.error = null, f.number = toInteger($number)`;

const FINISH_FIT = `
MATCH (f:ValueModelFit {id: $fitId})
SET f += $fields, f.status = 'SUCCEEDED', f.fittedAt = datetime()`;

const FAIL_FIT = `
MERGE (f:ValueModelFit {id: $fitId})
  ON CREATE SET f.population = $population, f.asOf = date($asOf), f.horizonDays = $horizonDays,
                f.requestedAt = datetime()
SET f.status = 'FAILED', f.error = $message, f.failedAt = datetime()`;

/** How a population is stored on its fit: `*` for everyone, else the id prefix. */
export function populationKey(idPrefix: string | null): string {
  return idPrefix === null ? '*' : `${idPrefix}*`;
}

/** One customer's prediction as {@link writePredictions} stores it. */
export interface PredictionRow {
  id: string;
  /** The customer's node as the read found it (its element id). */
  node: string | undefined;
  pAlive: number;
  expectedPurchases: number;
  expectedValue: number | null;
}

// Failure messages land in the run's Temporal history, which an erasure cannot edit: they count
// the skipped customers by reason and name none (the fit in the graph names the first few).
function describeSkipped(skipped: readonly SkippedCustomer[]): string {
  const byReason = new Map<string, number>();
  for (const s of skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  const shown = [...byReason].map(([reason, n]) => `${reason} ${n}`);
  return `${skipped.length} skipped (${shown.join(', ')})`;
}

interface PurchaseRow {
  id: string;
  node: string;
  /** [epoch milliseconds, amount] per purchase; no milliseconds for an order without a time. */
  purchases: Array<[number | null, number]>;
}

export interface ValueModelActivityDependencies {
  /** Keeps segments over predicted value current. */
  segments?: SegmentRepository;
  graph: Graph;
  /** Progress reports while the activity runs; the Temporal heartbeat in the worker. */
  heartbeat?: (details: unknown) => void;
}

/** A population's plausible RFM summaries, and the customers whose history is not plausible. */
export interface PopulationRfm {
  customers: CustomerRfm[];
  skipped: SkippedCustomer[];
  /** The element id of each customer's node when it was read, by customer id. */
  nodes: Map<string, string>;
}

/**
 * Every customer's RFM summary for a run, read page by page. A customer with an implausible
 * purchase (before the run's earliest plausible day, after `now`, a non-finite amount) is
 * skipped and reported, not summarised.
 */
export async function readRfm(
  graph: Graph,
  run: ValueModelRun,
  heartbeat: (details: unknown) => void,
  now: Date = new Date(),
  pageSize: number = PURCHASE_PAGE,
): Promise<PopulationRfm> {
  const summarise = historySummariser({
    // Absent, the summariser takes the package's default.
    earliestPurchase: run.earliestPurchase ?? undefined,
    now,
    calibrationEnd: run.asOf,
  });
  const pages = await keyPages(graph, {
    label: 'Customer',
    key: 'id',
    prefix: run.population.idPrefix ?? '',
    pageSize,
  });
  // Pages are read PAGES_IN_FLIGHT at a time, each summarised as it arrives and its rows dropped;
  // the summaries are kept in page order, so the fit sees the customers in id order whatever
  // the timing.
  const perPage: Array<Omit<PopulationRfm, 'nodes'>> = [];
  const nodes = new Map<string, string>();
  const progress = { phase: 'reading', pages: 0, customers: 0, skipped: 0 };
  await eachBounded(pages, PAGES_IN_FLIGHT, async (page, k) => {
    const rows = await graph.read<PurchaseRow>(purchasePageQuery(page), { ...page });
    rows.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    // Customers are independent in the summary: each is judged and summarised on its own.
    const summarised: CustomerRfm[] = [];
    const skipped: SkippedCustomer[] = [];
    for (const row of rows) {
      nodes.set(row.id, row.node);
      const outcome = summarise(row.id, row.purchases);
      if (outcome.skipped) skipped.push(outcome.skipped);
      else if (outcome.summary) summarised.push(outcome.summary);
    }
    perPage[k] = { customers: summarised, skipped };
    progress.pages++;
    progress.customers += summarised.length;
    progress.skipped += skipped.length;
    // Progress only: heartbeat details can reach the history, so no customer id goes in them.
    heartbeat({ ...progress });
  });
  const summaries = perPage.flatMap((p) => p.customers);
  const skipped = perPage.flatMap((p) => p.skipped);
  return { customers: summaries, skipped, nodes };
}

/**
 * Stores predictions on their customers' nodes (by the element ids the read found, checked, and
 * by customer id when any does not hold); returns how many customers were written.
 */
export async function writePredictions(
  graph: Graph,
  rows: readonly PredictionRow[],
  fitId: string,
): Promise<number> {
  const params = { fitNumber: fitNumber(fitId), rows };
  const [byNode] = await graph.write<{ written: number }>(WRITE_PREDICTIONS_BY_NODE, params);
  const written = byNode?.written ?? 0;
  if (written === rows.length) return written;
  const [byId] = await graph.write<{ written: number }>(WRITE_PREDICTIONS_BY_ID, params);
  return byId?.written ?? 0;
}

/** The activities of the value-model workflow. */
export function createValueModelActivities(deps: ValueModelActivityDependencies) {
  const { graph } = deps;
  const heartbeat =
    deps.heartbeat ??
    ((details: unknown) => {
      Context.current().heartbeat(details);
    });

  return {
    /**
     * Fits both models to a population's purchases up to `asOf` and writes every fitted
     * customer's predictions. Idempotent: a retry recomputes and overwrites the same values.
     */
    async fitCustomerValueModel(run: ValueModelRun): Promise<ValueModelSummary> {
      const started = performance.now();
      const population = populationKey(run.population.idPrefix);
      await graph.write(START_FIT, { ...run, population, number: fitNumber(run.fitId) });
      const read = await readRfm(graph, run, heartbeat);
      const readMillis = performance.now() - started;
      if (read.customers.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `No customer of population ${population} has a purchase on or before ${run.asOf}` +
            (read.skipped.length > 0
              ? ` that is plausible (${describeSkipped(read.skipped)})`
              : ''),
          'NoPurchaseHistory',
        );
      }
      heartbeat({ phase: 'fitting', customers: read.customers.length });
      const fitStarted = performance.now();
      // A customer whose likelihood is not finite is left out and the models refitted without
      // them; a failing prediction (below) leaves only that customer out.
      const fit = fitValueModels(read.customers);
      const skipped: SkippedCustomer[] = [...read.skipped, ...fit.skipped];
      const { bgNbd, gammaGamma, customers } = fit;
      if (bgNbd === null) {
        throw ApplicationFailure.nonRetryable(
          `No customer of population ${population} could be fitted: ${describeSkipped(skipped)}`,
          'NoPurchaseHistory',
        );
      }
      if (gammaGamma === null) {
        throw ApplicationFailure.nonRetryable(
          `No customer of population ${population} has a paid repeat purchase on or before ${run.asOf}: the spend model cannot be fitted`,
          'NoRepeatPurchases',
        );
      }
      const fitMillis = performance.now() - fitStarted;

      const writeStarted = performance.now();
      const horizonWeeks = run.horizonDays / DAYS_PER_WEEK;
      await graph.write(START_PREDICTIONS, {
        fitId: run.fitId,
        predictedAt: new Date().toISOString(),
      });
      let written = 0;
      // A batch's predictions are computed while the batches before it are written (at most
      // WRITES_IN_FLIGHT writes at once); segments over predicted value follow each batch. Batches
      // start in order and predict before their first await, so skips are listed in order.
      const batches: CustomerRfm[][] = [];
      for (let i = 0; i < customers.length; i += PREDICTION_BATCH) {
        batches.push(customers.slice(i, i + PREDICTION_BATCH));
      }
      await eachBounded(batches, WRITES_IN_FLIGHT, async (batch) => {
        const rows: PredictionRow[] = [];
        for (const c of batch) {
          const outcome = predictCustomer(c, fit, horizonWeeks);
          if (!outcome.ok) {
            skipped.push(outcome.skipped);
            continue;
          }
          const p = outcome.prediction;
          rows.push({
            id: p.customerId,
            node: read.nodes.get(p.customerId),
            pAlive: p.probabilityAlive,
            expectedPurchases: p.expectedPurchases,
            expectedValue: p.expectedValue,
          });
        }
        await writePredictions(graph, rows, run.fitId);
        await deps.segments?.refreshPredictions(rows.map((r) => r.id));
        written += rows.length;
        heartbeat({ phase: 'writing', written, customers: customers.length });
      });
      const examples = skipped.slice(0, SKIPPED_EXAMPLES);
      // The result is kept in the run's Temporal history: reasons only, ids on the fit node.
      const skippedExamples = examples.map((s) => ({ reason: s.reason, message: s.message }));

      const summary: ValueModelSummary = {
        fitId: run.fitId,
        status: 'SUCCEEDED',
        customers: customers.length,
        repeatCustomers: gammaGamma.customers,
        bgNbd: { ...bgNbd.params, logLikelihood: bgNbd.logLikelihood },
        gammaGamma: { ...gammaGamma.params, logLikelihood: gammaGamma.logLikelihood },
        readMillis,
        fitMillis,
        writeMillis: performance.now() - writeStarted,
        jobMillis: performance.now() - started,
        predicted: written,
        skipped: skipped.length,
        skippedExamples,
      };
      await graph.write(FINISH_FIT, {
        fitId: run.fitId,
        fields: {
          r: bgNbd.params.r,
          alpha: bgNbd.params.alpha,
          a: bgNbd.params.a,
          b: bgNbd.params.b,
          bgNbdLogLikelihood: bgNbd.logLikelihood,
          bgNbdConverged: bgNbd.converged,
          p: gammaGamma.params.p,
          q: gammaGamma.params.q,
          gamma: gammaGamma.params.gamma,
          gammaGammaLogLikelihood: gammaGamma.logLikelihood,
          gammaGammaConverged: gammaGamma.converged,
          customers: summary.customers,
          repeatCustomers: summary.repeatCustomers,
          fitMillis: summary.fitMillis,
          jobMillis: summary.jobMillis,
          // Neo4j properties hold no maps: the examples are three parallel lists.
          skippedCustomers: summary.skipped,
          skippedExampleIds: examples.map((s) => s.customerId),
          skippedExampleReasons: skippedExamples.map((s) => s.reason),
          skippedExampleMessages: skippedExamples.map((s) => s.message),
        },
      });
      return summary;
    },

    /** Marks a fit as failed, with the reason, so readers stop waiting for it. */
    async recordValueModelFailure(input: { run: ValueModelRun; message: string }): Promise<void> {
      await graph.write(FAIL_FIT, {
        ...input.run,
        population: populationKey(input.run.population.idPrefix),
        message: input.message.slice(0, 500),
      });
    },
  };
}

export type ValueModelActivities = ReturnType<typeof createValueModelActivities>;
