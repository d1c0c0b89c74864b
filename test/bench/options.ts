import { parseArgs } from 'node:util';
import {
  MAX_BATCH,
  MAX_READINGS_PER_BATCH,
  MAX_READINGS_PER_EVENT,
} from '@experience-graph/config';

/** Every benchmark `npm run bench` runs, in the order it runs them. */
export const BENCHMARKS = [
  'federation',
  'hive',
  'intake',
  'relay',
  'telemetry',
  'intervention',
  'memory',
  'value-model',
  'customer-view',
  'funnel',
  'neo4j-settings',
  'segments',
] as const;
export type Benchmark = (typeof BENCHMARKS)[number];

/** Everything a bench run can be told on the command line (`npm run bench -- --requests 500`). */
export interface BenchOptions {
  /** The benchmarks to run; all of them unless `--only` names some. */
  only: Benchmark[];

  // federation: the gateway against the subgraphs it calls
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
  /** Hard limit on each benchmark's measuring phase; hitting it fails the run. */
  maxSeconds: number;
  /** How the baseline replays the gateway's subgraph fetches: stage by stage, or one by one. */
  replay: 'staged' | 'sequential';

  // hive: our gateway against Hive Gateway on the same supergraph (also uses concurrency,
  // warmup, rounds, devices-per-customer, models and campaigns-per-model)
  /** Customers to seed; CustomerView request i asks for customer i mod this. */
  hiveCustomers: number;
  /** Measured CustomerView requests per gateway, split evenly over `rounds`. */
  hiveRequests: number;

  // intake, relay and telemetry: alternating rounds of the gateway and the raw baseline
  /** Intake, relay and telemetry alternate the measured side and the baseline this many times. */
  lifecycleRounds: number;
  /** Events sent through `recordEvents` (and as many written raw) at each concurrency. */
  intakeEvents: number;
  /** Events per `recordEvents` batch, and per raw UNWIND statement. */
  intakeBatch: number;
  /** Batches in flight at once, on both sides: each level is measured in turn. */
  intakeConcurrency: number[];
  /** Customers the ad events and purchases are spread over. */
  intakeCustomers: number;
  /** Events of the one-customer batch (at most a full batch, 500). */
  customerEvents: number;
  /** One-customer batches measured per side (each a new customer), after one warm-up. */
  customerBatches: number;

  // relay: delivery of owed signals, and the lag behind acknowledgement under load
  /** Workflows owed to (half journeys, half device lifecycles) per side of the throughput test. */
  relayWorkflows: number;
  /** Events per second sent through the gateway while the lag is measured. */
  lagRate: number;
  /** How long the steady load runs. */
  lagSeconds: number;
  /** Events per batch of the steady load. */
  lagBatch: number;

  /** Telemetry readings sent through the gateway (and as many written raw). */
  telemetryReadings: number;
  /** Readings per telemetry event (one event per request), and per raw statement. */
  telemetryBatch: number;
  /** Devices the readings are spread over. */
  telemetryDevices: number;
  /** Telemetry requests (or raw statements) in flight at once. */
  telemetryConcurrency: number;
  /** Readings of the fleet backfill: one request, at most 50,000 (MAX_READINGS_PER_BATCH). */
  backfillReadings: number;
  /** Devices the backfill's readings are spread over (at most 1,000 readings each). */
  backfillDevices: number;
  /** Backfill requests per side (and as many raw writes), after a small warm-up each. */
  backfillRequests: number;

  // intervention: telemetry-to-intervention latency
  /** Devices measured per condition (without and with background load). */
  latencyDevices: number;
  /** Devices the healthy background telemetry is spread over. */
  backgroundDevices: number;
  /** Background telemetry, readings per second (an upper bound: a closed loop of 2 senders). */
  backgroundRate: number;
  /** Readings per background telemetry event. */
  backgroundBatch: number;

  // memory: the worker's RSS with live lifecycles
  /** Device lifecycles started for the memory measurement. */
  lifecycles: number;
  /** signalWithStart and terminate calls in flight at once. */
  startConcurrency: number;

  // value-model: the lifetime-value job against the in-memory fit
  /** Customers of the generated purchase history (about three orders each). */
  valueCustomers: number;

  // customer-view: the single customer view on a large generated graph, and deep referral chains
  /** Customers of the generated graph. */
  viewCustomers: number;
  /** Touchpoints per customer of the generated graph. */
  viewTouchpoints: number;
  /** Measured requests per side (gateway view, customers subgraph alone). */
  viewRequests: number;

  // neo4j-settings: the launcher's profiles, each on a Neo4j of the benchmark's own
  // funnel: a campaign's funnel and attribution on a campaign reaching many people
  /** People the campaign reached. */
  funnelPeople: number;
  /** Measured requests per query, one at a time, after one warm-up. */
  funnelRounds: number;

  /** Customers of the graph every profile serves (10 touchpoints each). */
  settingsCustomers: number;
  /** CustomerView requests measured per profile and round, after the warm-up. */
  settingsRequests: number;
  /** CustomerView requests in flight. */
  settingsConcurrency: number;
  /** Every profile is started and measured this many times, in turns. */
  settingsRounds: number;

  // segments: defining a segment on a large generated population
  /** Customers of the generated population. */
  segmentCustomers: number;
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
  'hive-customers': { default: 200, min: 1, max: 100_000 },
  'hive-requests': { default: 2_000, min: 1, max: 1_000_000 },
  'lifecycle-rounds': { default: 3, min: 1, max: 20 },
  'intake-events': { default: 1_000, min: 4, max: 200_000 },
  'intake-batch': { default: 100, min: 4, max: 500 },
  'intake-customers': { default: 300, min: 1, max: 100_000 },
  'customer-events': { default: MAX_BATCH, min: 50, max: MAX_BATCH },
  'customer-batches': { default: 3, min: 1, max: 50 },
  'relay-workflows': { default: 600, min: 2, max: 100_000 },
  'lag-rate': { default: 12, min: 1, max: 10_000 },
  'lag-seconds': { default: 20, min: 1, max: 3_600 },
  'lag-batch': { default: 20, min: 4, max: 500 },
  'telemetry-readings': { default: 30_000, min: 1, max: 5_000_000 },
  'telemetry-batch': { default: 500, min: 1, max: 1_000 },
  'telemetry-devices': { default: 100, min: 1, max: 100_000 },
  'telemetry-concurrency': { default: 4, min: 1, max: 64 },
  'backfill-readings': { default: MAX_READINGS_PER_BATCH, min: 1, max: MAX_READINGS_PER_BATCH },
  'backfill-devices': { default: 50, min: 1, max: 50_000 },
  'backfill-requests': { default: 2, min: 1, max: 20 },
  'latency-devices': { default: 20, min: 1, max: 1_000 },
  'background-devices': { default: 50, min: 1, max: 10_000 },
  'background-rate': { default: 1_000, min: 1, max: 1_000_000 },
  'background-batch': { default: 200, min: 1, max: 1_000 },
  lifecycles: { default: 10_000, min: 1, max: 200_000 },
  'start-concurrency': { default: 32, min: 1, max: 256 },
  'value-customers': { default: 100_000, min: 100, max: 1_000_000 },
  'view-customers': { default: 100_000, min: 100, max: 1_000_000 },
  'view-touchpoints': { default: 10, min: 1, max: 100 },
  'view-requests': { default: 2_000, min: 10, max: 100_000 },
  'funnel-people': { default: 10_000, min: 10, max: 1_000_000 },
  'funnel-rounds': { default: 20, min: 1, max: 1_000 },
  'settings-customers': { default: 20_000, min: 100, max: 1_000_000 },
  'settings-requests': { default: 1_500, min: 10, max: 100_000 },
  'settings-concurrency': { default: 50, min: 1, max: 256 },
  'settings-rounds': { default: 2, min: 1, max: 10 },
  'segment-customers': { default: 100_000, min: 100, max: 1_000_000 },
} as const;

export const USAGE = `Usage: npm run bench -- [options]

  --only NAME[,NAME]        run only these benchmarks: ${BENCHMARKS.join(', ')}
                            (default: all, in that order; may be repeated)
  --max-seconds N           limit on each benchmark's measuring phase (default 900)
  --timeout-ms N            a slower request is an error (default 10000)

 federation: the gateway against the subgraphs it calls
  --requests N              measured requests per scenario (default 2000)
  --concurrency N           requests in flight at once (default 8)
  --warmup N                unmeasured requests per scenario first (default 200)
  --rounds N                scenarios take turns N times (default 4)
  --customers N             customers to seed (default 200)
  --devices-per-customer N  devices each customer owns (default 2)
  --models N                product models the devices are spread over (default 5)
  --campaigns-per-model N   campaigns promoting each model (default 3)
  --replay staged|sequential  how the baseline replays the gateway's fetches (default staged)

 hive: our gateway against Hive Gateway (installed into .data/bench/hive) on the same
 supergraph, CustomerView at --concurrency in flight, after --warmup, in --rounds
  --hive-customers N        customers to seed (default 200)
  --hive-requests N         measured requests per gateway (default 2000)

 intake, relay and telemetry: the gateway (or the relay) against a raw baseline of the same data
  --lifecycle-rounds N      measured side and baseline take turns N times (default 3)
  --intake-events N         events through recordEvents, and as many raw, per level (default 1000)
  --intake-batch N          events per batch and per raw statement (default 100)
  --intake-concurrency N[,N]  batches in flight, each level measured in turn (default 1,4)
  --intake-customers N      customers the events are spread over (default 300)
  --customer-events N       events of the one-customer batch (default 500, at most 500)
  --customer-batches N      one-customer batches per side, after a warm-up (default 3)
  --relay-workflows N       workflows owed to per side of the relay's throughput (default 600)
  --lag-rate N              events/s through the gateway while the lag is measured (default 12)
  --lag-seconds N           how long that steady load runs (default 20)
  --lag-batch N             events per batch of the steady load (default 20)
  --telemetry-readings N    readings through the gateway, and as many raw (default 30000)
  --telemetry-batch N       readings per telemetry event and per raw statement (default 500)
  --telemetry-devices N     devices the readings are spread over (default 100)
  --telemetry-concurrency N requests (or statements) in flight (default 4)
  --backfill-readings N     readings of the fleet backfill, one request (default 50000, at most)
  --backfill-devices N      devices of the backfill, at most 1000 readings each (default 50)
  --backfill-requests N     backfill requests per side, after a small warm-up, the sides in turn first (default 2)

 intervention: degrading telemetry until the intervention shows through the gateway
  --latency-devices N       devices measured per condition, unloaded and loaded (default 20)
  --background-devices N    devices of the healthy background telemetry (default 50)
  --background-rate N       background readings per second, at most (default 1000)
  --background-batch N      readings per background telemetry event (default 200)

 memory: the worker's RSS (child process) with live device lifecycles
  --lifecycles N            lifecycles to start (default 10000)
  --start-concurrency N     signalWithStart / terminate calls in flight (default 32)

 value-model: the lifetime-value fit job (graph) against the in-memory fit, CDNOW and generated
  --value-customers N       customers of the generated purchase history (default 100000)

 customer-view: the single customer view through the gateway against the customers subgraph
 alone, on a generated graph; referral value of deep chains
  --view-customers N        customers of the generated graph (default 100000)
  --view-touchpoints N      touchpoints per customer (default 10: 1,000,000 in all)
  --view-requests N         measured requests per side (default 2000)

 funnel: Campaign.funnel and attribution on the campaigns subgraph for a campaign reaching many
 people, against one raw statement counting them
  --funnel-people N         people the campaign reached (default 10000)
  --funnel-rounds N         measured requests per query (default 20)

 neo4j-settings: each profile of services/neo4j-launcher/profiles.json on a Neo4j of its own
 (start-up time; CustomerView and recordEvents through the gateway) against the baseline profile
  --settings-customers N    customers of the graph each profile serves (default 20000)
  --settings-requests N     CustomerView requests per profile and round (default 1500)
  --settings-concurrency N  CustomerView requests in flight (default 50)
  --settings-rounds N       profiles take turns N times (default 2)

 segments: defining a segment (every customer evaluated) against one raw count statement, on a
 generated population; refreshing a few customers with the segments defined
  --segment-customers N     customers of the generated population (default 100000)`;

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
      'intake-concurrency': { type: 'string', default: '1,4' },
      only: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  // Built from a list above, so TypeScript cannot see the integer options' names; all are strings.
  const values = parsed as Record<string, string | string[] | boolean | undefined>;
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
  const levels = String(values['intake-concurrency'])
    .split(',')
    .map((v) => v.trim());
  const intakeConcurrency = levels.map(Number);
  if (
    levels.length === 0 ||
    intakeConcurrency.some((n) => !Number.isInteger(n) || n < 1 || n > 64) ||
    new Set(intakeConcurrency).size !== intakeConcurrency.length
  ) {
    throw new Error(
      `--intake-concurrency must list distinct integers from 1 to 64, such as 1,4 (got ${String(values['intake-concurrency'])})`,
    );
  }
  const named = ((values['only'] as string[] | undefined) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const name of named) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) {
      throw new Error(`--only: unknown benchmark "${name}"; choose from ${BENCHMARKS.join(', ')}`);
    }
  }
  const options: BenchOptions = {
    only: named.length ? BENCHMARKS.filter((b) => named.includes(b)) : [...BENCHMARKS],
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
    hiveCustomers: integer('hive-customers'),
    hiveRequests: integer('hive-requests'),
    lifecycleRounds: integer('lifecycle-rounds'),
    intakeEvents: integer('intake-events'),
    intakeBatch: integer('intake-batch'),
    intakeConcurrency,
    intakeCustomers: integer('intake-customers'),
    customerEvents: integer('customer-events'),
    customerBatches: integer('customer-batches'),
    relayWorkflows: integer('relay-workflows'),
    lagRate: integer('lag-rate'),
    lagSeconds: integer('lag-seconds'),
    lagBatch: integer('lag-batch'),
    telemetryReadings: integer('telemetry-readings'),
    telemetryBatch: integer('telemetry-batch'),
    telemetryDevices: integer('telemetry-devices'),
    telemetryConcurrency: integer('telemetry-concurrency'),
    backfillReadings: integer('backfill-readings'),
    backfillDevices: integer('backfill-devices'),
    backfillRequests: integer('backfill-requests'),
    latencyDevices: integer('latency-devices'),
    backgroundDevices: integer('background-devices'),
    backgroundRate: integer('background-rate'),
    backgroundBatch: integer('background-batch'),
    lifecycles: integer('lifecycles'),
    startConcurrency: integer('start-concurrency'),
    valueCustomers: integer('value-customers'),
    viewCustomers: integer('view-customers'),
    viewTouchpoints: integer('view-touchpoints'),
    viewRequests: integer('view-requests'),
    funnelPeople: integer('funnel-people'),
    funnelRounds: integer('funnel-rounds'),
    settingsCustomers: integer('settings-customers'),
    settingsRequests: integer('settings-requests'),
    settingsConcurrency: integer('settings-concurrency'),
    settingsRounds: integer('settings-rounds'),
    segmentCustomers: integer('segment-customers'),
  };
  if (Math.ceil(options.backfillReadings / options.backfillDevices) > MAX_READINGS_PER_EVENT) {
    throw new Error(
      `--backfill-devices (${options.backfillDevices}) must be at least --backfill-readings ÷ ` +
        `${MAX_READINGS_PER_EVENT} (${Math.ceil(options.backfillReadings / MAX_READINGS_PER_EVENT)}): ` +
        `a telemetry event holds at most ${MAX_READINGS_PER_EVENT} readings`,
    );
  }
  if (options.backfillDevices > MAX_BATCH) {
    throw new Error(
      `--backfill-devices must be at most ${MAX_BATCH}: one event per device, one batch`,
    );
  }
  if (options.rounds > options.requests) {
    throw new Error(`--rounds (${options.rounds}) cannot exceed --requests (${options.requests})`);
  }
  if (options.only.includes('hive') && options.rounds > options.hiveRequests) {
    throw new Error(
      `--rounds (${options.rounds}) cannot exceed --hive-requests (${options.hiveRequests})`,
    );
  }
  return options;
}
