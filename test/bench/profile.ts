/**
 * Where the time goes inside the bench's own servers: every Neo4j statement the subgraphs (or the
 * relay) run, timed and named, every request each server handled, and the relay's calls to
 * Temporal. Timings are taken around the calls the servers already make (a wrapped Graph, a
 * wrapped lifecycle client), so the code measured is the code that runs in production.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import neo4j, { type ResultSummary } from 'neo4j-driver';
import {
  pipelinedTransaction,
  type CypherParams,
  type Graph,
  type GraphTransaction,
} from '@experience-graph/neo4j';
import { num, printTable } from './kit';

export interface Timing {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface ProfileLine extends Timing {
  /** `graph`, `request` or `temporal`. */
  kind: string;
  label: string;
}

/** One operator of a statement's plan, with what it cost. */
export interface OperatorCost {
  operator: string;
  details: string;
  dbHits: number;
  rows: number;
}

/** A statement run under Neo4j's PROFILE: its total db hits and its costliest operators. */
export interface StatementPlan {
  label: string;
  /** Its time under PROFILE, planning included (a PROFILE statement is planned afresh). */
  ms: number;
  dbHits: number;
  operators: OperatorCost[];
}

type Plan = Exclude<ResultSummary['profile'], false>;

function operatorsOf(plan: Plan): OperatorCost[] {
  const own: OperatorCost = {
    operator: plan.operatorType.replace(/@.*$/, ''),
    details: String(plan.arguments['Details'] ?? '').slice(0, 120),
    dbHits: plan.dbHits,
    rows: plan.rows,
  };
  return [own, ...plan.children.flatMap((child) => operatorsOf(child))];
}

function planOf(label: string, ms: number, summary: ResultSummary): StatementPlan | null {
  if (!summary.profile) return null;
  const operators = operatorsOf(summary.profile);
  return {
    label,
    ms,
    dbHits: operators.reduce((n, o) => n + o.dbHits, 0),
    operators: operators.sort((a, b) => b.dbHits - a.dbHits).slice(0, 4),
  };
}

/** Durations by kind and label since the last reset. */
export class Profiler {
  private lines = new Map<string, ProfileLine>();
  /**
   * While not null, statements run under PROFILE (each still runs once, for real) and their
   * plans are kept here. PROFILE costs time of its own: timings taken meanwhile are not figures.
   */
  plans: StatementPlan[] | null = null;

  add(kind: string, label: string, ms: number): void {
    const id = `${kind}\u0000${label}`;
    let line = this.lines.get(id);
    if (!line) {
      line = { kind, label, count: 0, totalMs: 0, maxMs: 0 };
      this.lines.set(id, line);
    }
    line.count += 1;
    line.totalMs += ms;
    line.maxMs = Math.max(line.maxMs, ms);
  }

  /** Times `work` under `kind` and `label`, whether it succeeds or fails. */
  async time<T>(kind: string, label: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(kind, label, performance.now() - started);
    }
  }

  reset(): void {
    this.lines.clear();
  }

  /** Every line, heaviest first. */
  snapshot(): ProfileLine[] {
    return [...this.lines.values()].map((l) => ({ ...l })).sort((a, b) => b.totalMs - a.totalMs);
  }
}

/**
 * A short name for a statement, from what it does: the intake's writes by the touchpoint type of
 * their rows, the outbox, the facts query, telemetry, segments; anything else by its first words.
 */
export function statementLabel(cypher: string, params: CypherParams = {}): string {
  const text = cypher.replace(/\s+/g, ' ').trim();
  const rows = params['rows'];
  if (text.startsWith('UNWIND $rows AS row CALL (row)') && Array.isArray(rows)) {
    const type = (rows[0] as { type?: unknown } | undefined)?.type;
    return `intake write ${typeof type === 'string' ? type : '?'} (${rows.length} rows)`;
  }
  if (text.includes('CREATE (:OwedSignal')) return 'outbox: owe signals';
  if (
    text.includes('(:MergedCustomer {id: id})-[:MERGED_INTO*1..]') &&
    text.includes('CALL (c) {')
  ) {
    return `customers: view (${text.split('CALL (c) {').length - 1} subqueries)`;
  }
  if (text.includes('(:MergedCustomer {id: id})-[:MERGED_INTO*1..]')) {
    const ids = params['ids'];
    return `identity: canonical people${Array.isArray(ids) && ids.length === 0 ? ' (no ids)' : ''}`;
  }
  if (text.includes('UNWIND $touchpointKeys')) return 'intake facts query';
  if (text.includes('healthLock')) return 'telemetry: lock devices';
  if (text.includes('MERGE (x:TelemetryReading')) return 'telemetry: write readings';
  if (text.includes('SET d.healthState')) return 'telemetry: write health';
  if (text.includes('AS memberOf')) return 'segments: read features and memberships';
  if (text.includes('MERGE (c)-[m:IN_SEGMENT]')) return 'segments: write memberships';
  if (text.includes('IN_SEGMENT') || text.includes(':Segment')) return 'segments';
  if (text.includes('q.claiming')) return 'relay: claim (lock, re-check)';
  if (text.includes('q.dueAt <= timestamp()') && text.includes('ORDER BY q.dueAt')) {
    return 'relay: due queues';
  }
  if (text.includes('q.completing')) return 'relay: complete';
  if (text.includes('q.releasing')) return 'relay: release';
  if (text.includes('MATCH (s:OwedSignal)') && text.includes('ORDER BY s.seq')) {
    return 'relay: read owed';
  }
  return text.length > 70 ? `${text.slice(0, 70)}…` : text;
}

/**
 * The same graph, with every statement and transaction timed into `profiler`. While the
 * profiler collects plans, statements are run under PROFILE through the same driver, the same
 * way `createGraph` runs them (managed transactions, routed reads and writes).
 */
export function profiledGraph(graph: Graph, profiler: Profiler): Graph {
  const { driver, database } = graph;
  const keep = (label: string, ms: number, summary: ResultSummary) => {
    const plan = planOf(label, ms, summary);
    if (plan) profiler.plans?.push(plan);
  };
  const query = async <Row>(cypher: string, params: CypherParams | undefined, write: boolean) => {
    const label = statementLabel(cypher, params);
    if (!profiler.plans) {
      return profiler.time('graph', label, () =>
        write ? graph.write<Row>(cypher, params) : graph.read<Row>(cypher, params),
      );
    }
    const started = performance.now();
    const result = await driver.executeQuery(`PROFILE ${cypher}`, params ?? {}, {
      database,
      routing: write ? neo4j.routing.WRITE : neo4j.routing.READ,
    });
    const ms = performance.now() - started;
    profiler.add('graph', label, ms);
    keep(label, ms, result.summary);
    return result.records.map((r) => r.toObject() as Row);
  };
  return {
    driver,
    database,
    read: (cypher, params) => query(cypher, params, false),
    write: (cypher, params) => query(cypher, params, true),
    async transaction(work) {
      // Statements may be pipelined (sent before the ones ahead have answered): each one's time
      // runs from sending to its answer, waiting behind those ahead included, and the time in
      // statements is the time with at least one of them in flight.
      let inStatements = 0;
      let inFlight = 0;
      let busySince = 0;
      const started = performance.now();
      // The work's statements, run and sent, each timed; what it sends is awaited before the
      // work returns, as `createGraph` awaits it before the commit.
      const timed = <T>(
        run: (cypher: string, params: CypherParams) => Promise<unknown[]>,
        work: (tx: GraphTransaction) => Promise<T>,
      ): Promise<T> => {
        const pipelined = pipelinedTransaction(async (cypher, params) => {
          const at = performance.now();
          if (inFlight++ === 0) busySince = at;
          try {
            return await run(cypher, params);
          } finally {
            const end = performance.now();
            if (--inFlight === 0) inStatements += end - busySince;
            profiler.add('graph', statementLabel(cypher, params), end - at);
          }
        });
        return pipelined.complete(work(pipelined.tx));
      };
      // The driver runs `work` again after a transient error (a deadlock, say): count those.
      let attempts = 0;
      try {
        if (!profiler.plans) {
          return await graph.transaction((tx) => {
            attempts++;
            return timed((cypher, params) => tx.run(cypher, params), work);
          });
        }
        const session = driver.session({ database });
        try {
          return await session.executeWrite((tx) =>
            timed(async (cypher, params) => {
              const at = performance.now();
              const result = await tx.run(`PROFILE ${cypher}`, params);
              keep(statementLabel(cypher, params), performance.now() - at, result.summary);
              return result.records.map((r) => r.toObject());
            }, work),
          );
        } finally {
          await session.close();
        }
      } finally {
        for (let retry = 1; retry < attempts; retry++) {
          profiler.add('graph', 'transaction retried (transient error, e.g. a deadlock)', 0);
        }
        // What a transaction costs besides its statements: the work the caller does between
        // them (the health fold, for telemetry), session and commit, retries.
        profiler.add(
          'graph',
          'transaction: commit and work between statements',
          performance.now() - started - inStatements,
        );
      }
    },
  };
}

/** Plans of the same statement run many times (the relay's): their count and mean db hits. */
export function planSummary(
  plans: readonly StatementPlan[],
): Array<{ label: string; count: number; meanDbHits: number; heaviest: StatementPlan }> {
  const byLabel = new Map<string, StatementPlan[]>();
  for (const plan of plans) byLabel.set(plan.label, [...(byLabel.get(plan.label) ?? []), plan]);
  return [...byLabel.entries()]
    .map(([label, list]) => ({
      label,
      count: list.length,
      meanDbHits: list.reduce((n, x) => n + x.dbHits, 0) / list.length,
      heaviest: [...list].sort((a, b) => b.dbHits - a.dbHits)[0] as StatementPlan,
    }))
    .sort((a, b) => b.meanDbHits * b.count - a.meanDbHits * a.count);
}

/** Prints the plans kept, heaviest first: db hits and the costliest operators of each. */
export function printPlans(plans: readonly StatementPlan[], max = 6): void {
  const top = [...plans].sort((a, b) => b.dbHits - a.dbHits).slice(0, max);
  for (const plan of top) {
    // Its time under PROFILE is left out: a PROFILE statement is planned afresh, so it says little.
    console.log(`  ${plan.label}: ${num(plan.dbHits, 0)} db hits`);
    for (const o of plan.operators.filter((x) => x.dbHits > 0)) {
      console.log(
        `    ${o.operator} ${num(o.dbHits, 0)} db hits, ${num(o.rows, 0)} rows${o.details ? `: ${o.details}` : ''}`,
      );
    }
  }
}

/** Prints a profile per unit of work (per batch, per request): count, mean and max. */
export function printProfile(lines: readonly ProfileLine[], per: number, unit: string): void {
  const top = [
    ...lines.filter((l) => l.totalMs >= 0.5).slice(0, 16),
    ...lines.filter((l) => l.label.includes('retried')),
  ];
  printTable(
    ['where', 'calls', `ms per ${unit}`, 'mean ms', 'max ms'],
    top.map((l) => [
      `${l.kind}: ${l.label}`,
      String(l.count),
      num(l.totalMs / Math.max(1, per)),
      num(l.totalMs / Math.max(1, l.count)),
      num(l.maxMs),
    ]),
    'lrrrr',
  );
}

const ROOT = path.resolve(__dirname, '..', '..');
/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU seconds used between two readings, by whom. */
export interface CpuUse {
  wallSeconds: number;
  /** Every core's busy time on the machine (/proc/stat), whoever used it. */
  machineBusySeconds: number;
  /** This process: the gateway and subgraphs (and the relay) or the raw client. */
  benchSeconds: number;
  /** The local Neo4j and Temporal servers (from .data/run/*.pid), when this project runs them. */
  neo4jSeconds: number | null;
  temporalSeconds: number | null;
  /** Other processes named at the start (a worker process). */
  extraSeconds: Record<string, number | null>;
  /** Everything else: other work on the machine that competed for the cores. */
  otherSeconds: number;
}

function readTicks(file: string, fields: (parts: string[]) => number): number | null {
  try {
    return fields(readFileSync(file, 'utf8').trim().split(/\s+/));
  } catch {
    return null;
  }
}

const processTicks = (pid: number | null) =>
  pid === null
    ? null
    : // utime and stime: fields 14 and 15, after the command name (which has no spaces here).
      readTicks(`/proc/${pid}/stat`, (f) => Number(f[13]) + Number(f[14]));

const machineBusyTicks = () =>
  readTicks('/proc/stat', (f) => {
    const n = f.slice(1, 9).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    return n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0);
  });

const pidOf = (service: string) => {
  try {
    const pid = Number(readFileSync(path.join(ROOT, '.data', 'run', `${service}.pid`), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

/**
 * Reads how much CPU the parts of a measurement used, so that a figure on this shared two-core
 * machine says who had the cores: this process, Neo4j, Temporal, a worker, and everything else.
 */
export function startCpuMeter(extraPids: Record<string, number> = {}): () => CpuUse {
  const pids = { neo4j: pidOf('neo4j'), temporal: pidOf('temporal') };
  const at = {
    wall: performance.now(),
    machine: machineBusyTicks(),
    bench: process.cpuUsage(),
    neo4j: processTicks(pids.neo4j),
    temporal: processTicks(pids.temporal),
    extra: Object.fromEntries(Object.entries(extraPids).map(([k, pid]) => [k, processTicks(pid)])),
  };
  const delta = (before: number | null, after: number | null) =>
    before === null || after === null ? null : (after - before) / TICKS_PER_SECOND;
  return () => {
    const bench = process.cpuUsage(at.bench);
    const benchSeconds = (bench.user + bench.system) / 1e6;
    const neo4jSeconds = delta(at.neo4j, processTicks(pids.neo4j));
    const temporalSeconds = delta(at.temporal, processTicks(pids.temporal));
    const extraSeconds = Object.fromEntries(
      Object.entries(extraPids).map(([k, pid]) => [
        k,
        delta(at.extra[k] ?? null, processTicks(pid)),
      ]),
    );
    const machineBusySeconds = delta(at.machine, machineBusyTicks()) ?? NaN;
    const ours =
      benchSeconds +
      (neo4jSeconds ?? 0) +
      (temporalSeconds ?? 0) +
      Object.values(extraSeconds).reduce<number>((n, s) => n + (s ?? 0), 0);
    return {
      wallSeconds: (performance.now() - at.wall) / 1000,
      machineBusySeconds,
      benchSeconds,
      neo4jSeconds,
      temporalSeconds,
      extraSeconds,
      otherSeconds: Math.max(0, machineBusySeconds - ours),
    };
  };
}

/** Adds CPU use of several readings (rounds of one side). */
export function addCpu(a: CpuUse | undefined, b: CpuUse): CpuUse {
  if (!a) return b;
  const add = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  return {
    wallSeconds: a.wallSeconds + b.wallSeconds,
    machineBusySeconds: a.machineBusySeconds + b.machineBusySeconds,
    benchSeconds: a.benchSeconds + b.benchSeconds,
    neo4jSeconds: add(a.neo4jSeconds, b.neo4jSeconds),
    temporalSeconds: add(a.temporalSeconds, b.temporalSeconds),
    extraSeconds: Object.fromEntries(
      Object.keys(b.extraSeconds).map((k) => [
        k,
        add(a.extraSeconds[k] ?? null, b.extraSeconds[k] ?? null),
      ]),
    ),
    otherSeconds: a.otherSeconds + b.otherSeconds,
  };
}

/** "bench 3.1 s, Neo4j 5.0 s, Temporal 0.2 s, other 2.2 s CPU in 6.0 s" */
export function describeCpu(use: CpuUse | undefined): string {
  if (!use) return 'n/a';
  const s = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} s`);
  const extra = Object.entries(use.extraSeconds).map(([k, v]) => `, ${k} ${s(v)}`);
  return (
    `bench ${s(use.benchSeconds)}, Neo4j ${s(use.neo4jSeconds)}, Temporal ${s(use.temporalSeconds)}` +
    `${extra.join('')}, other ${s(use.otherSeconds)} CPU in ${s(use.wallSeconds)}`
  );
}
