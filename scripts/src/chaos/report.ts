/**
 * The chaos report: per fault what was killed, how long it was down, what clients got (codes
 * and their counts), the longest answer while it was down and how long until clients were
 * served again; the soak's memory of every process over time; the invariants. Pure: the run
 * passes in what it recorded.
 */
import type { Observation } from './client';
import type { FaultRecord } from './faults';
import type { InvariantResult } from './invariants';

export interface FaultSummary {
  fault: string;
  process: string;
  pid: number;
  /** Killed until started again and ready (s). */
  downS: number | null;
  /** Outcome code → how many events or requests got it, from the kill until served again. */
  outcomes: Record<string, number>;
  requests: number;
  /** The longest any client waited for an answer sent while it was down (ms). */
  maxLatencyDownMs: number;
  /** The longest any client waited for an answer sent from the kill until served again (ms). */
  maxLatencyMs: number;
  /** The longest any client waited to be told UNAVAILABLE (ms), from the kill until served again. */
  maxUnavailableMs: number;
  /** Answers over the bound, or none at all, sent from the kill until served again. */
  overBound: number;
  /** 503 answers, and how many of them said when to retry. */
  unavailable503: number;
  withRetryAfter: number;
  /** Started again until clients were served in full (s); from the kill (s). */
  recoverS: number | null;
  recoverFromKillS: number | null;
  /** The three slowest answers sent from the kill until served again, to tell where time went. */
  slowest: Array<{
    kind: Observation['kind'];
    sentAfterKillS: number;
    latencyMs: number;
    codes: string[];
  }>;
  lost: string[];
  error: string | null;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/** What clients met during each fault. */
export function summarizeFaults(
  faults: FaultRecord[],
  observations: Observation[],
  maxAnswerMs: number,
): FaultSummary[] {
  return faults.map((f) => {
    const end = f.recoveredAt ?? f.restoredAt ?? Number.POSITIVE_INFINITY;
    const during = observations.filter((o) => o.sentAt >= f.killedAt && o.sentAt <= end);
    const down = observations.filter(
      (o) => o.sentAt >= f.killedAt && o.sentAt <= (f.restoredAt ?? Number.POSITIVE_INFINITY),
    );
    const outcomes: Record<string, number> = {};
    for (const o of during) {
      for (const code of o.codes)
        outcomes[`${o.kind === 'read' ? 'read ' : ''}${code}`] =
          (outcomes[`${o.kind === 'read' ? 'read ' : ''}${code}`] ?? 0) + 1;
    }
    const unavailable = during.filter((o) => o.status === 503);
    return {
      fault: `${f.fault} #${f.round}`,
      process: f.process,
      pid: f.pid,
      downS: f.restoredAt === null ? null : seconds(f.restoredAt - f.killedAt),
      outcomes,
      requests: during.length,
      maxLatencyDownMs: Math.round(Math.max(0, ...down.map((o) => o.latencyMs))),
      maxLatencyMs: Math.round(Math.max(0, ...during.map((o) => o.latencyMs))),
      maxUnavailableMs: Math.round(
        Math.max(
          0,
          ...during
            .filter((o) => o.codes.some((c) => c.startsWith('UNAVAILABLE')))
            .map((o) => o.latencyMs),
        ),
      ),
      overBound: during.filter((o) => o.latencyMs > maxAnswerMs || o.codes.includes('NO_ANSWER'))
        .length,
      unavailable503: unavailable.length,
      withRetryAfter: unavailable.filter((o) => o.retryAfter !== null).length,
      recoverS:
        f.recoveredAt === null || f.restoredAt === null
          ? null
          : seconds(f.recoveredAt - f.restoredAt),
      recoverFromKillS: f.recoveredAt === null ? null : seconds(f.recoveredAt - f.killedAt),
      slowest: [...during]
        .sort((a, b) => b.latencyMs - a.latencyMs)
        .slice(0, 3)
        .map((o) => ({
          kind: o.kind,
          sentAfterKillS: seconds(o.sentAt - f.killedAt) ?? 0,
          latencyMs: Math.round(o.latencyMs),
          codes: o.codes,
        })),
      lost: f.lost,
      error: f.error,
    };
  });
}

/** The invariants the faults themselves must keep: bounded answers, recovery without help. */
export function faultInvariants(
  summaries: FaultSummary[],
  maxAnswerMs: number,
  observations: Observation[] = [],
): InvariantResult[] {
  const over = summaries.filter((s) => s.overBound > 0);
  const lost = summaries.filter((s) => s.lost.length > 0);
  const failed = summaries.filter((s) => s.error !== null || s.recoverS === null);
  const leaks = observations.filter((o) => o.leak !== null);
  return [
    {
      name: 'no answer named an internal address',
      ok: leaks.length === 0,
      detail:
        leaks.length === 0
          ? 'none'
          : `${leaks.length} answers, such as: ${leaks[0]?.leak?.slice(0, 160) ?? ''}`,
    },
    {
      name: `every client answered within ${maxAnswerMs} ms during faults`,
      ok: over.length === 0,
      detail:
        over.length === 0
          ? `max ${Math.max(0, ...summaries.map((s) => s.maxLatencyDownMs))} ms`
          : over
              .map(
                (s) =>
                  `${s.fault}: ${s.overBound} answers over the bound (max ${s.maxLatencyMs} ms)`,
              )
              .join('; '),
    },
    {
      name: 'recovered without a manual restart',
      ok: lost.length === 0 && failed.length === 0,
      detail:
        lost.length === 0 && failed.length === 0
          ? 'only the killed process was restarted; clients were served again after each fault'
          : [
              ...lost.map((s) => `${s.fault}: ${s.lost.join(', ')} died and had to be restarted`),
              ...failed.map((s) => `${s.fault}: ${s.error ?? 'not served again'}`),
            ].join('; '),
    },
  ];
}

/** Memory of one process at one time (MB of resident set). */
export interface MemorySample {
  atS: number;
  rssMb: Record<string, number | null>;
}

export interface MemorySummary {
  process: string;
  firstWarmMb: number | null;
  lastMb: number | null;
  minWarmMb: number | null;
  maxWarmMb: number | null;
  /** The largest move from the first warm sample, in per cent. */
  maxDeviationPct: number | null;
}

/** Per process: the first warm sample, the extremes after it and the largest move from it. */
export function summarizeMemory(samples: MemorySample[], warmS: number): MemorySummary[] {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.rssMb)))];
  return names.map((process) => {
    const warm = samples
      .filter((s) => s.atS >= warmS)
      .map((s) => s.rssMb[process])
      .filter((v): v is number => typeof v === 'number');
    const first = warm[0] ?? null;
    const deviation =
      first === null ? null : Math.max(...warm.map((v) => Math.abs(v / first - 1) * 100));
    return {
      process,
      firstWarmMb: first,
      lastMb: warm.at(-1) ?? null,
      minWarmMb: warm.length ? Math.min(...warm) : null,
      maxWarmMb: warm.length ? Math.max(...warm) : null,
      maxDeviationPct: deviation === null ? null : Math.round(deviation * 10) / 10,
    };
  });
}

/** Requests and the share of them that did not get what they asked for. */
export function errorRate(observations: Observation[]): {
  requests: number;
  failed: number;
  ratePct: number;
} {
  const failed = observations.filter((o) => !o.ok).length;
  return {
    requests: observations.length,
    failed,
    ratePct: observations.length ? Math.round((failed / observations.length) * 10_000) / 100 : 0,
  };
}

/** A plain-text table. */
export function table(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '—' : String(c))));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The faults as tables, one per fault, with its outcomes by code. */
export function formatFaults(summaries: FaultSummary[]): string {
  return summaries
    .map((s) => {
      const head = `${s.fault}: killed ${s.process} (pid ${s.pid}), down ${s.downS ?? '—'} s, served again ${s.recoverS ?? '—'} s after the restart (${s.recoverFromKillS ?? '—'} s after the kill); longest answer while down ${s.maxLatencyDownMs} ms, until served again ${s.maxLatencyMs} ms, longest wait for UNAVAILABLE ${s.maxUnavailableMs} ms; ${s.requests} requests${s.unavailable503 ? `, ${s.unavailable503} × 503 (${s.withRetryAfter} with Retry-After)` : ''}${s.lost.length ? `; also had to restart ${s.lost.join(', ')}` : ''}${s.error ? `; ERROR ${s.error}` : ''}`;
      const rows = Object.entries(s.outcomes)
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => [code, n]);
      const slowest = s.slowest
        .map(
          (o) =>
            `${o.kind} sent ${o.sentAfterKillS} s after the kill: ${o.latencyMs} ms, ${o.codes.join(' ') || 'no code'}`,
        )
        .join('; ');
      return `${head}\n${slowest ? `slowest: ${slowest}\n` : ''}${table(['outcome (events; reads)', 'count'], rows)}`;
    })
    .join('\n\n');
}

export function formatInvariants(results: InvariantResult[]): string {
  return table(
    ['invariant', 'held', 'detail'],
    results.map((r) => [r.name, r.ok ? 'yes' : 'NO', r.detail]),
  );
}

/** Outcome code → count over a set of requests (reads prefixed), most frequent first. */
export function outcomeCounts(observations: Observation[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const o of observations) {
    for (const code of o.codes) {
      const key = `${o.kind === 'read' ? 'read ' : ''}${code}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}
