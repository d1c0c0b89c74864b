/**
 * What the benchmarks share: their contract with run.ts, GraphQL through the gateway, bounded
 * concurrency, clean-up by exact keys (graph nodes and Temporal workflows) and the report table.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '@experience-graph/config';
import type { Graph } from '@experience-graph/neo4j';
import { postJson } from './http-client';
import { runLoad } from './load';
import type { Benchmark, BenchOptions } from './options';
import { checkAnswer } from './scenarios';

/** What run.ts hands every benchmark. */
export interface BenchContext {
  config: Config;
  options: BenchOptions;
  /** Every key a benchmark creates starts with this, so leftovers are recognisable. */
  runId: string;
  /** Aborted on Ctrl-C: measuring stops at once, clean-up still runs. */
  signal: AbortSignal;
}

/** One line of the summary table: a figure, its same-run baseline, and their ratio. */
export interface SummaryRow {
  benchmark: Benchmark;
  metric: string;
  measured: string;
  baseline: string;
  ratio: string;
  data: string;
  /** The figure's target and whether this run met it (see {@link TargetCheck}), if it has one. */
  target?: string;
}

/**
 * A target of the design, checked against a figure of this run. A missed target is reported, not
 * failed: on a shared two-core machine the figures move with other work, and the report says
 * where the time went.
 */
export interface TargetCheck {
  benchmark: Benchmark;
  /** What is measured, e.g. "events/s gateway ÷ raw, 4 in flight". */
  what: string;
  /** The target, e.g. "≥ 0.5×" or "≤ 2 s". */
  target: string;
  /** The figure, as printed. */
  measured: string;
  met: boolean;
}

/** A check that `value` is at least `min` (a ratio), printed with `format`. */
export function atLeast(
  benchmark: Benchmark,
  what: string,
  value: number,
  min: number,
  format: (v: number) => string = times,
): TargetCheck {
  return {
    benchmark,
    what,
    target: `≥ ${format(min)}`,
    measured: format(value),
    met: value >= min,
  };
}

/** A check that `value` is at most `max`, printed with `format`. */
export function atMost(
  benchmark: Benchmark,
  what: string,
  value: number,
  max: number,
  format: (v: number) => string,
): TargetCheck {
  return {
    benchmark,
    what,
    target: `≤ ${format(max)}`,
    measured: format(value),
    met: value <= max,
  };
}

/** "≥ 0.50× met" for the summary table. */
export const verdict = (check: TargetCheck) => `${check.target} ${check.met ? 'met' : 'MISSED'}`;

/** What a benchmark reports: its lines for the summary, its details, and what failed. */
export interface BenchSection {
  name: Benchmark;
  /** Empty when the benchmark measured everything it should, without an error. */
  failures: string[];
  summary: SummaryRow[];
  /** Everything measured, for .data/bench/latest.json. */
  details: Record<string, unknown>;
  /** What the clean-up removed: nodes by label, workflows terminated. */
  cleanup: Record<string, unknown>;
  /** The design's targets this benchmark checks, met or not. */
  targets?: TargetCheck[];
  /** Prints the benchmark's own tables (after all benchmarks ran). */
  print(): void;
}

/** Refuses servers other than this machine's: the bench sends traffic to 127.0.0.1 only. */
export function assertLoopback(config: Config): void {
  const loopback = (host: string) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  const neo4jHost = new URL(config.neo4j.uri).hostname;
  const temporalHost = config.temporal.address.replace(/:\d+$/, '');
  if (!loopback(neo4jHost) || !loopback(temporalHost)) {
    throw new Error(
      `The bench only runs against local servers (NEO4J_URI ${config.neo4j.uri}, ` +
        `TEMPORAL_ADDRESS ${config.temporal.address})`,
    );
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Waits `ms`, or less if `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Nearest-rank percentile of an ascending list; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export interface Distribution {
  count: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
    minMs: sorted[0] ?? NaN,
    maxMs: sorted.at(-1) ?? NaN,
  };
}

/** Posts one GraphQL operation and returns its data; HTTP, GraphQL and parse errors throw. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  signal: AbortSignal,
): Promise<T> {
  const { status, text } = await postJson(url, JSON.stringify({ query, variables }), signal);
  let answer: Parameters<typeof checkAnswer>[0];
  try {
    answer = JSON.parse(text) as Parameters<typeof checkAnswer>[0];
  } catch {
    throw new Error(`HTTP ${status}, not JSON: ${text.slice(0, 200)}`);
  }
  return checkAnswer(answer, status) as T;
}

const RECORD_EVENTS = `
mutation Record($events: [LifecycleEventInput!]!) {
  recordEvents(events: $events) {
    accepted
    results { status outcome error { code path message } }
  }
}`;

/** What became of the accepted events of a batch: how many of each outcome. */
export type Outcomes = Partial<Record<'SIGNALLED' | 'RECORDED_ONLY' | 'LIFECYCLE_ENDED', number>>;

/** Adds the outcome counts of `more` to `into`. */
export function addOutcomes(into: Outcomes, more: Outcomes): Outcomes {
  for (const [outcome, n] of Object.entries(more) as Array<[keyof Outcomes, number]>) {
    into[outcome] = (into[outcome] ?? 0) + n;
  }
  return into;
}

/**
 * Sends one batch through the gateway's `recordEvents` and throws unless every event came back
 * ACCEPTED: a duplicate or a rejection means the benchmark did not measure what it says.
 * Resolves what became of the events (SIGNALLED, RECORDED_ONLY, LIFECYCLE_ENDED).
 */
export async function recordAccepted(
  gatewayUrl: string,
  events: ReadonlyArray<Record<string, unknown>>,
  signal: AbortSignal,
): Promise<Outcomes> {
  const data = await gql<{
    recordEvents: {
      accepted: number;
      results: Array<{
        status: string;
        outcome: keyof Outcomes | null;
        error: { code: string; path: string; message: string } | null;
      }>;
    };
  }>(gatewayUrl, RECORD_EVENTS, { events }, signal);
  const { accepted, results } = data.recordEvents;
  if (accepted !== events.length) {
    const bad = results.find((r) => r.status !== 'ACCEPTED');
    throw new Error(
      `${events.length - accepted} of ${events.length} events not accepted, e.g. ${bad?.status} ` +
        `${bad?.error ? `${bad.error.code} ${bad.error.path}: ${bad.error.message}` : ''}`,
    );
  }
  const outcomes: Outcomes = {};
  for (const r of results) if (r.outcome) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return outcomes;
}

/** An ISO time `ms` milliseconds from now (negative: in the past). */
export const isoFromNow = (ms: number) => new Date(Date.now() + ms).toISOString();

/**
 * Runs `work(i)` for i in [0, count) with at most `concurrency` at once, until `deadline`
 * (a performance.now() time). Returns how many ran and the first errors; never throws.
 */
export async function forEachBounded(
  count: number,
  concurrency: number,
  deadline: number,
  work: (index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<{ completed: number; errors: number; errorSamples: string[]; elapsedMs: number }> {
  const result = await runLoad({
    count,
    offset: 0,
    concurrency,
    deadline,
    signal: signal ?? new AbortController().signal,
    timeoutMs: 60_000,
    send: (index) => work(index),
  });
  return {
    completed: result.completed,
    errors: result.errors,
    errorSamples: result.errorSamples,
    elapsedMs: result.elapsedMs,
  };
}

/**
 * Terminates workflows by their exact ids. Ones that never started or already closed are
 * counted, not errors. Bounded in concurrency and time; it ignores Ctrl-C, being clean-up.
 */
export async function terminateWorkflows(
  client: Client,
  workflowIds: readonly string[],
  concurrency: number,
  maxMs: number,
): Promise<{ terminated: number; absentOrClosed: number; errors: number; errorSamples: string[] }> {
  let terminated = 0;
  let absentOrClosed = 0;
  const ids = [...new Set(workflowIds)];
  const run = await forEachBounded(
    ids.length,
    concurrency,
    performance.now() + maxMs,
    async (i) => {
      try {
        await client.workflow.getHandle(ids[i] as string).terminate('benchmark over');
        terminated++;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) absentOrClosed++;
        else throw error;
      }
    },
  );
  const notReached = ids.length - run.completed;
  return {
    terminated,
    absentOrClosed,
    errors: run.errors + notReached,
    errorSamples:
      notReached > 0
        ? [`${notReached} workflows not reached in ${maxMs / 1000} s`, ...run.errorSamples]
        : run.errorSamples,
  };
}

/** Nodes to delete: every node with `label` whose `key` is one of `values`. */
export interface NodeKeys {
  name: string;
  label: string;
  key: string;
  values: readonly string[];
}

/**
 * DETACH DELETEs exactly the nodes named, through their key constraints, in bounded batches.
 * Label and key come from the benchmarks' constant lists, never from input.
 */
export async function deleteNodes(
  graph: Graph,
  targets: readonly NodeKeys[],
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const { name, label, key, values } of targets) {
    deleted[name] = deleted[name] ?? 0;
    for (const keys of chunks([...new Set(values)], 5_000)) {
      const [row] = await graph.write<{ deleted: number }>(
        `UNWIND $keys AS key MATCH (n:${label} {${key}: key})
         DETACH DELETE n RETURN count(*) AS deleted`,
        { keys },
      );
      deleted[name] += row?.deleted ?? 0;
    }
  }
  return deleted;
}

/**
 * Deletes what the system made from this run's nodes but under keys the bench cannot know in
 * advance (a workflow's touchpoints, say): nodes found through a relationship of a node with
 * an exact key. `pattern` binds `a` (the anchor, matched by `key` in `$keys`) and `n` (what
 * to delete). Repeats in batches of 10,000 until nothing is left, at most `maxRounds` times.
 */
export async function deleteAnchored(
  graph: Graph,
  anchor: { label: string; key: string; values: readonly string[] },
  pattern: string,
  maxRounds = 100,
): Promise<number> {
  let total = 0;
  for (const keys of chunks([...new Set(anchor.values)], 2_000)) {
    for (let round = 0; round < maxRounds; round++) {
      const [row] = await graph.write<{ deleted: number }>(
        `UNWIND $keys AS key MATCH (a:${anchor.label} {${anchor.key}: key})
         MATCH ${pattern}
         WITH DISTINCT n LIMIT 10000
         DETACH DELETE n RETURN count(*) AS deleted`,
        { keys },
      );
      const deleted = row?.deleted ?? 0;
      total += deleted;
      if (deleted === 0) break;
    }
  }
  return total;
}

/**
 * Deletes the outbox entries of one lane (the bench's own task queue): what the intake owed there
 * and no relay delivered, and the lane's workflow queues. In batches, through the lane indexes.
 */
export async function deleteOutboxLane(
  graph: Graph,
  lane: string,
): Promise<{ owedSignals: number; signalQueues: number }> {
  const drop = async (cypher: string) => {
    let total = 0;
    for (;;) {
      const [row] = await graph.write<{ deleted: number }>(cypher, { lane });
      total += row?.deleted ?? 0;
      if (!row?.deleted) return total;
    }
  };
  return {
    owedSignals: await drop(
      `MATCH (s:OwedSignal) WHERE s.lane = $lane AND s.owedAt IS NOT NULL
       WITH s LIMIT 10000 DETACH DELETE s RETURN count(*) AS deleted`,
    ),
    signalQueues: await drop(
      `MATCH (q:SignalQueue) WHERE q.lane = $lane AND q.workflowId IS NOT NULL
       WITH q LIMIT 10000 DETACH DELETE q RETURN count(*) AS deleted`,
    ),
  };
}

/** Signals owed on the bench system's lane, through the gateway (`Query.signalBacklog`). */
export async function signalBacklog(
  gatewayUrl: string,
  signal: AbortSignal,
): Promise<{ owed: number; oldestAgeSeconds: number | null }> {
  const data = await gql<{ signalBacklog: { owed: number; oldestAgeSeconds: number | null } }>(
    gatewayUrl,
    '{ signalBacklog { owed oldestAgeSeconds } }',
    {},
    signal,
  );
  return data.signalBacklog;
}

/**
 * Prints a table. `align` has one letter per column, `l` or `r`; by default the first column
 * is left-aligned and the figures right-aligned.
 */
export function printTable(headers: string[], rows: string[][], align?: string): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const left = (i: number) => (align ? align[i] === 'l' : i === 0);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
}

/** 12345.6 → "12,346"; small numbers keep `digits` decimals. */
export function num(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
}

/** A ratio as "12.3×". */
export const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');

/** Seconds since `started` (performance.now()), for progress lines. */
export const seconds = (started: number) =>
  `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** Polls the graph until every device has `stage`; bounded by `timeoutMs`. */
export async function waitForStage(
  graph: Graph,
  serials: readonly string[],
  stage: string,
  timeoutMs: number,
  signal: AbortSignal,
  onProgress?: (reached: number) => void,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let reached = 0;
  while (!signal.aborted) {
    reached = 0;
    for (const part of chunks(serials, 10_000)) {
      const [row] = await graph.read<{ n: number }>(
        `UNWIND $serials AS s MATCH (d:Device {serial: s}) WHERE d.stage = $stage RETURN count(d) AS n`,
        { serials: part, stage },
      );
      reached += row?.n ?? 0;
    }
    onProgress?.(reached);
    if (reached === serials.length) return;
    if (performance.now() > deadline) break;
    await sleep(Math.min(2_000, 200 + serials.length / 10), signal);
  }
  if (signal.aborted) throw new Error('Interrupted');
  throw new Error(
    `Only ${reached} of ${serials.length} devices reached ${stage} within ${timeoutMs / 1000} s`,
  );
}
