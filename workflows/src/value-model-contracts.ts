/**
 * Everything a client of the lifetime-value model job needs: its workflow type, ids, input and
 * result. Only summaries cross Temporal: the purchases and the per-customer predictions stay in
 * the graph, so the payloads are small whatever the population.
 */

/** The workflow type, as registered with the worker. */
export const VALUE_MODEL_WORKFLOW = 'customerValueModel';

/** The id of the nightly schedule, one per namespace and task queue. */
export function valueModelScheduleId(taskQueue: string): string {
  return `value-model-nightly:${taskQueue}`;
}

/** A fit is its own workflow: its id is the fit's id, so starting it twice is harmless. */
export function valueModelWorkflowId(fitId: string): string {
  return `value-model:${fitId}`;
}

/** Who a fit is about. */
export interface ValueModelPopulation {
  /**
   * Only customers whose id starts with this prefix, such as one imported data set while the
   * graph holds others; null for every customer.
   */
  idPrefix: string | null;
}

/** What to fit. Null fields take the run's defaults (the schedule's runs leave them all null). */
export interface ValueModelInput {
  /** The fit's id; null: derived from the workflow id (schedules give each run its own). */
  fitId: string | null;
  /**
   * The calibration end, a UTC calendar day YYYY-MM-DD, inclusive: purchases after it are not
   * used, and predictions look ahead from it. Null: the day the workflow starts.
   */
  asOf: string | null;
  /** How far ahead predictions look, in days. */
  horizonDays: number;
  population: ValueModelPopulation;
  /**
   * Purchases before this UTC day (YYYY-MM-DD) are implausible (a zero date such as
   * 0001-01-01): their customer is skipped and reported. Left out or null: 1990-01-01.
   */
  earliestPurchase?: string | null;
}

/** What the fit activity is given: every default resolved. */
export interface ValueModelRun {
  fitId: string;
  asOf: string;
  horizonDays: number;
  population: ValueModelPopulation;
  /** See {@link ValueModelInput.earliestPurchase}; absent in runs started before it existed. */
  earliestPurchase?: string | null;
}

/** How many skipped customers a fit names as examples. */
export const SKIPPED_EXAMPLES = 5;

/**
 * A customer a fit left out, and why (see `SkipReason` in the customer-value package). Without
 * their id: the workflow's result stays in its Temporal history, which an erasure cannot edit;
 * the fit's node in the graph names them (`skippedExampleIds`), and an erasure removes the id.
 */
export interface SkippedCustomerExample {
  reason: string;
  message: string;
}

/** The outcome of a fit, as stored on its `ValueModelFit` node and returned by the workflow. */
export interface ValueModelSummary {
  fitId: string;
  status: 'SUCCEEDED';
  /** Customers with a plausible purchase on or before `asOf`: the ones the models were fitted to. */
  customers: number;
  /** Of those, customers with at least one repeat purchase day: the spend model's data. */
  repeatCustomers: number;
  bgNbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number };
  gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number };
  /** Time spent reading and summarising the purchases, in milliseconds. */
  readMillis: number;
  /** Time spent writing the predictions, in milliseconds. */
  writeMillis: number;
  /** Time spent fitting both models, in milliseconds. */
  fitMillis: number;
  /** Time of the whole job: reading purchases, fitting, writing predictions. */
  jobMillis: number;
  /** Customers whose predictions were written. */
  predicted: number;
  /**
   * Customers left out: an implausible history (a purchase before the earliest plausible day,
   * in the future, a non-finite amount), or one whose likelihood or prediction could not be
   * computed. Their earlier predictions, if any, stay as they were.
   */
  skipped: number;
  /** The first few of them ({@link SKIPPED_EXAMPLES}), with the reason. */
  skippedExamples: SkippedCustomerExample[];
}
