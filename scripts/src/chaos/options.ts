/**
 * The flags of `npm run chaos`: the fault matrix (which faults, how often, how long each
 * dependency stays down), the load that runs through it, the bounds clients are held to, and the
 * soak mode. Parsed once, here; every problem is named with its flag.
 */

/** The faults the matrix knows, in their default order. */
export const FAULTS = ['worker', 'intake', 'temporal', 'neo4j'] as const;
export type FaultName = (typeof FAULTS)[number];

export interface ChaosOptions {
  mode: 'faults' | 'soak';
  /** The faults to inject, in order. */
  faults: FaultName[];
  /** How often the worker is killed, and how long it stays dead before it is started again. */
  workerKills: number;
  workerDownS: number;
  /** How often the intake (the products subgraph's process) is killed, and for how long. */
  intakeKills: number;
  intakeDownS: number;
  /** How long Temporal and Neo4j stay down. */
  temporalDownS: number;
  neo4jDownS: number;
  /** Devices going through their lifecycles at the same time. */
  devices: number;
  /** Event requests per second (each one event); device reads come at half that rate. */
  rate: number;
  /** Steady load before the first fault and after each recovery. */
  settleS: number;
  /** While a dependency is down, every client must be answered within this (ms). */
  maxAnswerMs: number;
  /** A client gives up after this (ms): an answer this late is a hang. */
  clientTimeoutMs: number;
  /** How long the system may take to serve clients again after a restart (s). */
  recoverTimeoutS: number;
  /** How long the system may take to be quiet after the load stops (s). */
  quietTimeoutS: number;
  /** Soak: how long the load runs, how often memory is sampled, from when it counts as warm. */
  durationMin: number;
  sampleS: number;
  warmupMin: number;
  /** Soak: how far (%) a process's memory may move from its first warm sample. */
  memoryTolerancePct: number;
  /** Keep the stack's Neo4j and Temporal stores after the run (logs and report always stay). */
  keepData: boolean;
}

export const DEFAULT_OPTIONS: ChaosOptions = {
  mode: 'faults',
  faults: [...FAULTS],
  workerKills: 3,
  workerDownS: 3,
  intakeKills: 1,
  intakeDownS: 5,
  temporalDownS: 20,
  neo4jDownS: 30,
  devices: 4,
  rate: 3,
  settleS: 15,
  maxAnswerMs: 30_000,
  clientTimeoutMs: 60_000,
  recoverTimeoutS: 120,
  quietTimeoutS: 240,
  durationMin: 30,
  sampleS: 30,
  warmupMin: 5,
  memoryTolerancePct: 10,
  keepData: false,
};

export const USAGE = `Usage: npm run chaos -- [flags]

Runs its own stack (Neo4j, Temporal, subgraphs, gateway, worker, relay, console on free ports,
data in .data/chaos/<run>), drives devices through their lifecycles, injects faults by pid and
checks the invariants once the system is quiet. Report: .data/chaos/<run>/report.json (and
.data/chaos/latest.json); the exit code is non-zero when an invariant fails.

Fault matrix (default):
  --faults LIST              faults in order, from ${FAULTS.join(',')} (default: all, in that order)
  --worker-kills N           times the worker is killed (default ${DEFAULT_OPTIONS.workerKills})
  --worker-down-s S          seconds it stays dead each time (default ${DEFAULT_OPTIONS.workerDownS})
  --intake-kills N           times the intake (products subgraph) is killed (default ${DEFAULT_OPTIONS.intakeKills})
  --intake-down-s S          seconds it stays dead each time (default ${DEFAULT_OPTIONS.intakeDownS})
  --temporal-down-s S        seconds Temporal stays down (default ${DEFAULT_OPTIONS.temporalDownS})
  --neo4j-down-s S           seconds Neo4j stays down (default ${DEFAULT_OPTIONS.neo4jDownS})
  --settle-s S               steady load before the first fault and after each recovery (default ${DEFAULT_OPTIONS.settleS})

Soak:
  --soak                     no faults: steady load, memory of every process sampled over time
  --duration-min M           how long (default ${DEFAULT_OPTIONS.durationMin})
  --sample-s S               seconds between memory samples (default ${DEFAULT_OPTIONS.sampleS})
  --warmup-min M             minutes before memory counts as warm (default ${DEFAULT_OPTIONS.warmupMin})
  --memory-tolerance-pct P   how far memory may move once warm (default ${DEFAULT_OPTIONS.memoryTolerancePct})

Both:
  --devices N                devices in their lifecycles at once (default ${DEFAULT_OPTIONS.devices})
  --rate R                   event requests per second (default ${DEFAULT_OPTIONS.rate})
  --max-answer-ms MS         bound on every answer while a dependency is down (default ${DEFAULT_OPTIONS.maxAnswerMs})
  --client-timeout-ms MS     when a client gives up: a hang (default ${DEFAULT_OPTIONS.clientTimeoutMs})
  --recover-timeout-s S      time allowed to serve again after a restart (default ${DEFAULT_OPTIONS.recoverTimeoutS})
  --quiet-timeout-s S        time allowed to become quiet after the load (default ${DEFAULT_OPTIONS.quietTimeoutS})
  --keep-data                keep the stack's Neo4j and Temporal stores
  --help`;

type NumberKey = {
  [K in keyof ChaosOptions]: ChaosOptions[K] extends number ? K : never;
}[keyof ChaosOptions];

/** Each numeric flag: its option, smallest and largest value, and whether it must be whole. */
const NUMBERS: Record<string, [NumberKey, number, number, boolean]> = {
  '--worker-kills': ['workerKills', 0, 100, true],
  '--worker-down-s': ['workerDownS', 0, 3600, false],
  '--intake-kills': ['intakeKills', 0, 100, true],
  '--intake-down-s': ['intakeDownS', 0, 3600, false],
  '--temporal-down-s': ['temporalDownS', 0, 3600, false],
  '--neo4j-down-s': ['neo4jDownS', 0, 3600, false],
  '--devices': ['devices', 1, 200, true],
  '--rate': ['rate', 0.1, 100, false],
  '--settle-s': ['settleS', 0, 3600, false],
  '--max-answer-ms': ['maxAnswerMs', 100, 600_000, true],
  '--client-timeout-ms': ['clientTimeoutMs', 1000, 600_000, true],
  '--recover-timeout-s': ['recoverTimeoutS', 1, 3600, false],
  '--quiet-timeout-s': ['quietTimeoutS', 1, 3600, false],
  '--duration-min': ['durationMin', 0.5, 24 * 60, false],
  '--sample-s': ['sampleS', 1, 3600, false],
  '--warmup-min': ['warmupMin', 0, 24 * 60, false],
  '--memory-tolerance-pct': ['memoryTolerancePct', 0.1, 1000, false],
};

/** Thrown for a flag the command cannot use; its message names the flag. */
export class ChaosUsageError extends Error {
  override name = 'ChaosUsageError';
}

/** Parses the flags (`--flag value` or `--flag=value`); 'help' for --help. */
export function parseChaosOptions(argv: string[]): ChaosOptions | 'help' {
  const options: ChaosOptions = { ...DEFAULT_OPTIONS, faults: [...DEFAULT_OPTIONS.faults] };
  const args = argv.flatMap((a) =>
    a.startsWith('--') && a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a],
  );
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] as string;
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--soak') {
      options.mode = 'soak';
      continue;
    }
    if (flag === '--keep-data') {
      options.keepData = true;
      continue;
    }
    const value = args[i + 1];
    const numeric = NUMBERS[flag];
    if (flag !== '--faults' && numeric === undefined) {
      throw new ChaosUsageError(`Unknown flag ${flag}`);
    }
    if (value === undefined || value.startsWith('--')) {
      throw new ChaosUsageError(`${flag} needs a value`);
    }
    i++;
    if (flag === '--faults') {
      const names = value
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length > 0);
      const unknown = names.filter((n) => !(FAULTS as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length > 0) {
        throw new ChaosUsageError(
          `--faults: ${unknown.length > 0 ? `unknown ${unknown.join(', ')}` : 'names none'}; choose from ${FAULTS.join(', ')}`,
        );
      }
      options.faults = names as FaultName[];
      continue;
    }
    const [key, min, max, whole] = numeric as [NumberKey, number, number, boolean];
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (whole && !Number.isInteger(n))) {
      throw new ChaosUsageError(
        `${flag}: ${JSON.stringify(value)} is not ${whole ? 'a whole number' : 'a number'}`,
      );
    }
    if (n < min || n > max)
      throw new ChaosUsageError(`${flag}: must be from ${min} to ${max} (got ${n})`);
    options[key] = n;
  }
  if (options.clientTimeoutMs <= options.maxAnswerMs) {
    throw new ChaosUsageError(
      `--client-timeout-ms (${options.clientTimeoutMs}) must be above --max-answer-ms (${options.maxAnswerMs}): a client must wait longer than the bound to see a hang`,
    );
  }
  if (options.mode === 'soak' && options.warmupMin >= options.durationMin) {
    throw new ChaosUsageError(
      `--warmup-min (${options.warmupMin}) must be less than --duration-min (${options.durationMin})`,
    );
  }
  return options;
}
