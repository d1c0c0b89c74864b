/** What one batch of requests did. Latencies are of successful requests only, in ms. */
export interface LoadResult {
  latencies: number[];
  completed: number;
  errors: number;
  errorSamples: string[];
  /** Wall time from the first request sent to the last answered. */
  elapsedMs: number;
}

/** A scenario, as far as sending its requests goes (see scenarios.ts). */
interface Sender {
  send(index: number, signal: AbortSignal): Promise<void>;
}

/**
 * Loads of scenarios at one concurrency and request timeout, all ending by one `deadline`: the
 * returned function sends `count` requests of a scenario, indices from `offset`.
 */
export function scenarioLoad(
  settings: { concurrency: number; timeoutMs: number },
  deadline: number,
  signal: AbortSignal,
) {
  return (scenario: Sender, count: number, offset: number) =>
    runLoad({
      count,
      offset,
      concurrency: settings.concurrency,
      deadline,
      signal,
      timeoutMs: settings.timeoutMs,
      send: (index, requestSignal) => scenario.send(index, requestSignal),
    });
}

export interface LoadPlan {
  /** How many requests to send; request i gets index `offset + i`. */
  count: number;
  offset: number;
  concurrency: number;
  /** No request starts after this `performance.now()` time. */
  deadline: number;
  /** Aborts the batch (Ctrl-C); in-flight requests see it through their own signal. */
  signal: AbortSignal;
  /** One request; it throws on any error, including a wrong answer. */
  send(index: number, signal: AbortSignal): Promise<void>;
  timeoutMs: number;
}

/**
 * Sends `count` requests with at most `concurrency` in flight: each of `concurrency` workers
 * takes the next index as soon as its previous request is answered (a closed loop, so the
 * servers are never offered more than they can take and latency stays meaningful).
 */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const result: LoadResult = {
    latencies: [],
    completed: 0,
    errors: 0,
    errorSamples: [],
    elapsedMs: 0,
  };
  let next = 0;
  const worker = async () => {
    for (;;) {
      if (plan.signal.aborted || performance.now() > plan.deadline) return;
      const i = next++;
      if (i >= plan.count) return;
      const signal = AbortSignal.any([plan.signal, AbortSignal.timeout(plan.timeoutMs)]);
      const started = performance.now();
      try {
        await plan.send(plan.offset + i, signal);
        result.latencies.push(performance.now() - started);
      } catch (error) {
        result.errors++;
        if (result.errorSamples.length < 5) result.errorSamples.push(describe(error));
      }
      result.completed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.count) }, worker));
  result.elapsedMs = performance.now() - started;
  return result;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}${cause}`;
  }
  return String(error);
}

export interface Summary {
  requests: number;
  completed: number;
  concurrency: number;
  throughputPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  errors: number;
  errorSamples: string[];
  /** Throughput of each round: how much the machine's noise moved it. */
  roundsPerSecond: number[];
}

/**
 * Merges the rounds of one scenario. Throughput is requests answered per second of the time
 * the scenario was running; percentiles are nearest-rank over every latency (sorting a few
 * thousand numbers needs no histogram library).
 */
export function summarize(planned: number, concurrency: number, rounds: LoadResult[]): Summary {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const completed = rounds.reduce((n, r) => n + r.completed, 0);
  const elapsedMs = rounds.reduce((n, r) => n + r.elapsedMs, 0);
  const percentile = (p: number) =>
    latencies.length ? (latencies[Math.ceil((p / 100) * latencies.length) - 1] ?? NaN) : NaN;
  return {
    requests: planned,
    completed,
    concurrency,
    throughputPerSecond: elapsedMs > 0 ? (completed / elapsedMs) * 1000 : 0,
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1),
    minMs: latencies[0] ?? NaN,
    maxMs: latencies.at(-1) ?? NaN,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    errorSamples: rounds.flatMap((r) => r.errorSamples).slice(0, 5),
    roundsPerSecond: rounds.map((r) => (r.elapsedMs > 0 ? (r.completed / r.elapsedMs) * 1000 : 0)),
  };
}
