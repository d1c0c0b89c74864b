import type { SegmentRepository } from '@experience-graph/segments';
/**
 * The lifetime-value model job's activities: read the purchase history of a population from
 * the graph page by page, summarise it in the customer-value package's conventions, fit BG/NBD
 * and gamma-gamma, and write each customer's predictions back in batches.
 */
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Graph } from '@experience-graph/neo4j';
import {
  type CustomerRfm,
  type SkippedCustomer,
  DEFAULT_EARLIEST_PURCHASE,
  fitValueModels,
  predictCustomer,
  rfmSummary,
  screenPurchases,
} from '@experience-graph/customer-value';
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

/** Pages read, and prediction batches written, at a time: Neo4j runs each statement on one core. */
export const IN_FLIGHT = 2;

// The population cut into pages of consecutive ids, from one walk of the id index (the unique
// constraint's): the first id of every page but the first. Each page is then read by its range,
// so several pages can be read at once, and each holds every purchase of its customers.
const PAGE_STARTS_QUERY = `
MATCH (c:Customer)
WHERE c.id >= $start AND ($prefix IS NULL OR c.id STARTS WITH $prefix)
WITH c.id AS id ORDER BY id
WITH collect(id) AS ids
RETURN [i IN range(toInteger($limit), size(ids) - 1, toInteger($limit)) | ids[i]] AS starts`;

// The purchases of the customers in one page's range of ids (`$from` inclusive; up to `$to`
// exclusive, or to the end), through the id index. Only purchases up to the end of the
// calibration day, and those after the moment of the run: they are implausible and make their
// customer skipped.
const purchasePageQuery = (bounded: boolean) => `
MATCH (c:Customer)
WHERE c.id >= $from ${bounded ? 'AND c.id < $to' : ''}
  AND ($prefix IS NULL OR c.id STARTS WITH $prefix)
OPTIONAL MATCH (c)-[:PLACED]->(o:Order)
WHERE (o.placedAt < datetime($endExclusive) OR o.placedAt > datetime($now))
  AND o.amount IS NOT NULL
WITH c, collect(o) AS orders ORDER BY c.id
RETURN c.id AS id,
       [x IN orders | {at: toString(x.placedAt), amount: toFloat(x.amount)}] AS purchases`;
const PURCHASE_PAGE_QUERY = purchasePageQuery(true);
const LAST_PURCHASE_PAGE_QUERY = purchasePageQuery(false);

const WRITE_PREDICTIONS = `
UNWIND $rows AS row
MATCH (c:Customer {id: row.id})
SET c.pAlive = row.pAlive, c.expectedPurchases = row.expectedPurchases,
    c.expectedValue = row.expectedValue, c.predictedAt = datetime($predictedAt),
    c.predictionHorizonDays = $horizonDays, c.valueModelFitId = $fitId`;

const START_FIT = `
MERGE (f:ValueModelFit {id: $fitId})
  ON CREATE SET f.population = $population, f.asOf = date($asOf), f.horizonDays = $horizonDays,
                f.requestedAt = datetime()
SET f.status = 'RUNNING', f.startedAt = datetime(), f.error = null`;

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

function dayAfter(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return new Date(ms + 86_400_000).toISOString();
}

interface PredictionRow {
  id: string;
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
  purchases: Array<{ at: string; amount: number }>;
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
  const summaries: CustomerRfm[] = [];
  const skipped: SkippedCustomer[] = [];
  const endExclusive = dayAfter(run.asOf);
  const earliestPurchase = run.earliestPurchase ?? DEFAULT_EARLIEST_PURCHASE;
  const prefix = run.population.idPrefix;
  // Ids of a population all sort at or after its prefix: the index walk starts there.
  const start = prefix ?? '';
  const [cut] = await graph.read<{ starts: string[] }>(PAGE_STARTS_QUERY, {
    start,
    prefix,
    limit: pageSize,
  });
  const starts = cut?.starts ?? [];
  // Page k holds the ids from its start up to the next page's; the first starts at the lowest
  // id and the last runs to the end, so a customer added meanwhile still falls in one page.
  const ranges = [start, ...starts].map((from, k) => ({ from, to: starts[k] ?? null }));
  const readPage = (range: { from: string; to: string | null }) => {
    const page = graph.read<PurchaseRow>(
      range.to === null ? LAST_PURCHASE_PAGE_QUERY : PURCHASE_PAGE_QUERY,
      { ...range, prefix, endExclusive, now: now.toISOString() },
    );
    // Awaited in turn below; should an earlier page fail first, this one's failure is not
    // left unhandled (which would end the worker process).
    page.catch(() => undefined);
    return page;
  };
  // Pages are read IN_FLIGHT at a time but summarised in id order, so the fit sees the
  // customers in the same order whatever the timing.
  const pending = ranges.slice(0, IN_FLIGHT).map(readPage);
  for (let k = 0; k < ranges.length; k++) {
    const rows = await (pending[k] as Promise<PurchaseRow[]>);
    const next = ranges[k + IN_FLIGHT];
    if (next) pending.push(readPage(next));
    const purchases = rows.flatMap((row) =>
      row.purchases.map((p) => ({ customerId: row.id, at: p.at, amount: p.amount })),
    );
    // Customers are independent in the summary, so each page is screened and summarised on
    // its own.
    const screened = screenPurchases(purchases, { earliestPurchase, now });
    for (const s of screened.skipped) skipped.push(s);
    for (const s of rfmSummary(screened.purchases, { calibrationEnd: run.asOf })) {
      summaries.push(s);
    }
    // Progress only: heartbeat details can reach the history, so no customer id goes in them.
    heartbeat({
      phase: 'reading',
      pages: k + 1,
      customers: summaries.length,
      skipped: skipped.length,
    });
  }
  return { customers: summaries, skipped };
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
      await graph.write(START_FIT, { ...run, population });
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
      const predictedAt = new Date().toISOString();
      let written = 0;
      // A batch's predictions are computed while the batches before it are written (at most
      // IN_FLIGHT writes at once); segments over predicted value follow each batch.
      const writing: Array<Promise<void>> = [];
      const write = async (rows: PredictionRow[]) => {
        await graph.write(WRITE_PREDICTIONS, {
          rows,
          predictedAt,
          horizonDays: run.horizonDays,
          fitId: run.fitId,
        });
        await deps.segments?.refreshPredictions(rows.map((r) => r.id));
        written += rows.length;
        heartbeat({ phase: 'writing', written, customers: customers.length });
      };
      for (let i = 0; i < customers.length; i += PREDICTION_BATCH) {
        const rows: PredictionRow[] = [];
        for (const c of customers.slice(i, i + PREDICTION_BATCH)) {
          const outcome = predictCustomer(c, fit, horizonWeeks);
          if (!outcome.ok) {
            skipped.push(outcome.skipped);
            continue;
          }
          const p = outcome.prediction;
          rows.push({
            id: p.customerId,
            pAlive: p.probabilityAlive,
            expectedPurchases: p.expectedPurchases,
            expectedValue: p.expectedValue,
          });
        }
        if (writing.length >= IN_FLIGHT) await writing.shift();
        const batch = write(rows);
        // Awaited in turn; should an earlier write fail first, this one's failure is handled.
        batch.catch(() => undefined);
        writing.push(batch);
      }
      // Every write is awaited, so that a failed one fails the activity (and its retry).
      for (const w of writing) await w;
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
