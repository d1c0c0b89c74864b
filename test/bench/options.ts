import { parseArgs } from 'node:util';

/** Everything a bench run can be told on the command line (`npm run bench -- --requests 500`). */
export interface BenchOptions {
  /** Measured requests per scenario, split evenly over `rounds`. */
  requests: number;
  /** Requests in flight at once, per scenario. */
  concurrency: number;
  /** Unmeasured requests per scenario before the first round. */
  warmup: number;
  /**
   * The scenarios take turns this many times (A B C D, B C D A, ...), so a burst of noise from
   * another process on this shared machine lands on all of them rather than on one.
   */
  rounds: number;
  customers: number;
  devicesPerCustomer: number;
  models: number;
  campaignsPerModel: number;
  /** A request slower than this is an error. */
  timeoutMs: number;
  /** Hard limit on the whole load phase; hitting it fails the run. */
  maxSeconds: number;
  /** How the baseline replays the gateway's subgraph fetches: stage by stage, or one by one. */
  replay: 'staged' | 'sequential';
}

const INTEGER_OPTIONS = {
  requests: { default: 2_000, min: 1, max: 1_000_000 },
  concurrency: { default: 8, min: 1, max: 256 },
  warmup: { default: 200, min: 0, max: 100_000 },
  rounds: { default: 4, min: 1, max: 100 },
  customers: { default: 200, min: 1, max: 100_000 },
  'devices-per-customer': { default: 2, min: 1, max: 50 },
  models: { default: 5, min: 1, max: 10_000 },
  'campaigns-per-model': { default: 3, min: 1, max: 50 },
  'timeout-ms': { default: 10_000, min: 100, max: 120_000 },
  'max-seconds': { default: 900, min: 1, max: 3_600 },
} as const;

export const USAGE = `Usage: npm run bench -- [options]

  --requests N              measured requests per scenario (default 2000)
  --concurrency N           requests in flight at once (default 8)
  --warmup N                unmeasured requests per scenario first (default 200)
  --rounds N                scenarios take turns N times (default 4)
  --customers N             customers to seed (default 200)
  --devices-per-customer N  devices each customer owns (default 2)
  --models N                product models the devices are spread over (default 5)
  --campaigns-per-model N   campaigns promoting each model (default 3)
  --timeout-ms N            a slower request is an error (default 10000)
  --max-seconds N           limit on the whole load phase (default 900)
  --replay staged|sequential  how the baseline replays the gateway's fetches (default staged)`;

/** Parses and checks the arguments; a bad one throws a message naming it. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values: parsed } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...Object.fromEntries(
        Object.keys(INTEGER_OPTIONS).map((name) => [name, { type: 'string' as const }]),
      ),
      replay: { type: 'string', default: 'staged' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  // Built from a list above, so TypeScript cannot see the integer options' names; all are strings.
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values['help']) return 'help';

  const integer = (name: keyof typeof INTEGER_OPTIONS): number => {
    const { default: fallback, min, max } = INTEGER_OPTIONS[name];
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (typeof raw !== 'string' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`--${name} must be an integer from ${min} to ${max} (got ${String(raw)})`);
    }
    return value;
  };
  const replay = values['replay'];
  if (replay !== 'staged' && replay !== 'sequential') {
    throw new Error(`--replay must be staged or sequential (got ${String(replay)})`);
  }
  const options: BenchOptions = {
    requests: integer('requests'),
    concurrency: integer('concurrency'),
    warmup: integer('warmup'),
    rounds: integer('rounds'),
    customers: integer('customers'),
    devicesPerCustomer: integer('devices-per-customer'),
    models: integer('models'),
    campaignsPerModel: integer('campaigns-per-model'),
    timeoutMs: integer('timeout-ms'),
    maxSeconds: integer('max-seconds'),
    replay,
  };
  if (options.rounds > options.requests) {
    throw new Error(`--rounds (${options.rounds}) cannot exceed --requests (${options.requests})`);
  }
  return options;
}
