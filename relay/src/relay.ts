import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Graph } from '@experience-graph/neo4j';
import { continueStoredTraces } from '@experience-graph/tracing';
import {
  createOutboxRepository,
  type ClaimedQueue,
  type CompleteInput,
  type CompleteResult,
  type OutboxRepository,
  type OwedEntry,
} from '@experience-graph/outbox';
import {
  deviceLifecycleWorkflowId,
  journeyWorkflowId,
  type DeviceEvent,
  type JourneyEvent,
  type LifecycleGateway,
} from '@experience-graph/workflows';
import { DeliveryStats, type DeliveryObserver, type RelayStats } from './delivery-stats';

/** The part of the lifecycle client a relay delivers through. */
export type RelayLifecycle = Pick<LifecycleGateway, 'deliverDeviceEvents' | 'deliverJourneyEvents'>;

export interface RelayDependencies {
  graph: Graph;
  /** Delivers to the workflows of `lane`: a client on that task queue. */
  lifecycle: RelayLifecycle;
  /** The task queue whose owed signals this relay delivers. */
  lane: string;
  logger: Logger;
  /**
   * Workflows delivered to at the same time (calls to Temporal in flight). A quarter more queues
   * are held claimed, so the next delivery starts as soon as one ends.
   */
  concurrency?: number;
  /** How long an idle relay waits before looking again. */
  pollMs?: number;
  /** How long a claim holds a workflow's queue; a delivery may take half of it. */
  leaseMs?: number;
  /** Events per signal at most. */
  batchSize?: number;
  /** After a failed delivery, the first retry waits this long, doubling up to `retryMaxMs`. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Names this relay in leases and logs; by default host, pid and a random suffix. */
  name?: string;
  /**
   * How long {@link Relay.stop} waits for a claim or deliveries under way. Past it (the graph or
   * Temporal not answering) it gives up on them: their leases run out, and nothing is lost.
   */
  stopGraceMs?: number;
  /** Told of every delivery, drop and failure as the statistics count them (the metrics). */
  observer?: DeliveryObserver;
}

/** A running relay. */
export interface Relay {
  readonly name: string;
  /** Starts polling the lane; calling it again does nothing. */
  start(): void;
  /**
   * Stops: claims nothing more, lets deliveries under way finish and hands their queues back, so
   * another relay can go on at once. Resolves when all of that is done.
   */
  stop(): Promise<void>;
  stats(): RelayStats;
  resetStats(): void;
}

/**
 * How long a delivered queue's completion waits for others to share its statement: short
 * beside a delivery (a signalWithStart takes tens of milliseconds or more).
 */
const COMPLETION_LINGER_MS = 25;

/** The defaults of `.env.example` (RELAY_*). */
export const RELAY_DEFAULTS = {
  concurrency: 32,
  pollMs: 100,
  leaseMs: 30_000,
  batchSize: 100,
  retryMinMs: 500,
  retryMaxMs: 30_000,
  stopGraceMs: 8_000,
} as const;

/** The events of one queue do not belong to the workflow it is keyed by: never delivered. */
class MisaddressedSignals extends Error {
  override name = 'MisaddressedSignals';
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Builds a relay that delivers the signals owed on `lane` to their workflows: it claims due
 * workflow queues (a lease each, so no other relay interleaves them), delivers each queue's
 * signals in the order owed, up to `batchSize` per signal and `concurrency` workflows at once,
 * and deletes exactly what was delivered. A failed delivery (Temporal or Neo4j away) hands the
 * queue back with a growing back-off and is retried for as long as it takes; nothing owed is
 * lost. No I/O until {@link Relay.start}.
 */
export function createRelay(deps: RelayDependencies): Relay {
  const { lane, lifecycle, logger: baseLogger } = deps;
  const concurrency = deps.concurrency ?? RELAY_DEFAULTS.concurrency;
  const pollMs = deps.pollMs ?? RELAY_DEFAULTS.pollMs;
  const leaseMs = deps.leaseMs ?? RELAY_DEFAULTS.leaseMs;
  const batchSize = deps.batchSize ?? RELAY_DEFAULTS.batchSize;
  const retryMinMs = deps.retryMinMs ?? RELAY_DEFAULTS.retryMinMs;
  const retryMaxMs = deps.retryMaxMs ?? RELAY_DEFAULTS.retryMaxMs;
  const stopGraceMs = deps.stopGraceMs ?? RELAY_DEFAULTS.stopGraceMs;
  const name = deps.name ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = baseLogger.child({ relay: name, lane });
  const outbox: OutboxRepository = createOutboxRepository(deps.graph);
  const stats = new DeliveryStats(undefined, deps.observer);

  const inFlight = new Set<Promise<void>>();
  let running: Promise<void> | null = null;
  let stopping = false;
  // Wakes the poll loop early: a slot freed, or the relay is stopping.
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      wake = done;
    });

  /** Exponential, with jitter so that many queues handed back together do not return together. */
  const backoff = (failures: number) =>
    Math.round(
      Math.min(retryMaxMs, retryMinMs * 2 ** Math.max(0, failures - 1)) *
        (0.8 + Math.random() * 0.4),
    );
  // Failed deliveries in a row across the relay: while Temporal is away, stop claiming for a while
  // instead of claiming every queue only to hand it back.
  let failuresInRow = 0;
  let pausedUntil = 0;
  let graphFailures = 0;

  function deliver(queue: ClaimedQueue, entries: readonly OwedEntry[]) {
    const deadline = new Date(Date.now() + leaseMs / 2);
    if (queue.workflowType === 'deviceLifecycle') {
      const events = entries.map((e) => e.event as unknown as DeviceEvent);
      const serial = events[0]?.serial ?? '';
      if (events.some((e) => deviceLifecycleWorkflowId(e.serial) !== queue.workflowId)) {
        throw new MisaddressedSignals(`Events owed to ${queue.workflowId} name another device`);
      }
      return lifecycle.deliverDeviceEvents(serial, events, { deadline });
    }
    const events = entries.map((e) => e.event as unknown as JourneyEvent);
    const first = events[0];
    if (!first || events.some((e) => journeyWorkflowId(e.customerId, e.sku) !== queue.workflowId)) {
      throw new MisaddressedSignals(`Events owed to ${queue.workflowId} name another journey`);
    }
    return lifecycle.deliverJourneyEvents(first.customerId, first.sku, events, { deadline });
  }

  async function handBack(queue: ClaimedQueue, retryInMs: number, error?: string) {
    try {
      await outbox.release({
        lane,
        workflowId: queue.workflowId,
        lease: queue.lease,
        retryInMs,
        ...(error === undefined ? {} : { error }),
      });
    } catch (releaseError) {
      // The lease runs out by itself; then another claim takes the queue.
      logger.warn(
        { err: releaseError, workflowId: queue.workflowId },
        'could not hand the queue back; it is taken again when its lease ends',
      );
    }
  }

  // Completions share statements, as in a group commit: each statement waits
  // COMPLETION_LINGER_MS for more completions to join it, unless as many as there are calls in
  // flight already wait. Deliveries end one by one, a few milliseconds apart, so without the
  // wait nearly every completion was a transaction of its own (561 statements for 600 workflows
  // in the relay benchmark).
  const completions: Array<{
    input: CompleteInput;
    resolve: (result: CompleteResult) => void;
    reject: (error: unknown) => void;
  }> = [];
  let completing = false;
  function complete(input: CompleteInput): Promise<CompleteResult> {
    return new Promise((resolve, reject) => {
      completions.push({ input, resolve, reject });
      if (!completing) void flushCompletions();
    });
  }
  async function flushCompletions() {
    completing = true;
    try {
      while (completions.length > 0) {
        if (completions.length < concurrency) await delay(COMPLETION_LINGER_MS);
        const batch = completions.splice(0);
        try {
          const results = await outbox.completeMany(batch.map((c) => c.input));
          batch.forEach((c, i) => c.resolve(results[i] ?? { held: false, more: false }));
        } catch (error) {
          for (const c of batch) c.reject(error);
        }
      }
    } finally {
      completing = false;
    }
  }

  /** Delivers one claimed queue until it is empty, the lease is lost, or the relay stops. */
  async function drain(queue: ClaimedQueue): Promise<void> {
    let failures = queue.failures;
    // When the lease was taken or last renewed (by a completion that found more owed).
    let leasedAt = Date.now();
    // Read with the claim, then with each completion: a delivery reads nothing on its own.
    let next: OwedEntry[] | undefined = queue.owed;
    for (;;) {
      let entries: OwedEntry[];
      try {
        entries = next ?? (await outbox.owed(lane, queue.workflowId, batchSize));
      } catch (error) {
        logger.warn({ err: error, workflowId: queue.workflowId }, 'could not read owed signals');
        return handBack(queue, backoff(++failures), message(error));
      }
      next = undefined;
      if (entries.length > 0) {
        let delivery: { ended: boolean } | 'stale';
        try {
          delivery = await calls<[], { ended: boolean } | 'stale'>(() =>
            // Waited for a call so long that the lease may end during it: back for a fresh claim.
            Date.now() - leasedAt > leaseMs / 4
              ? Promise.resolve('stale')
              : // Continues the traces of the requests that owed these signals, into the workflow.
                continueStoredTraces(
                  `deliver ${queue.workflowType}`,
                  entries.map((e) => e.traceparent),
                  {
                    'messaging.operation.type': 'process',
                    'messaging.batch.message_count': entries.length,
                    temporalWorkflowId: queue.workflowId,
                  },
                  () => deliver(queue, entries),
                ),
          );
        } catch (error) {
          failures += 1;
          failuresInRow += 1;
          stats.failed();
          const retryInMs = backoff(failures);
          pausedUntil = Math.max(pausedUntil, Date.now() + backoff(failuresInRow));
          logger.warn(
            {
              err: error,
              workflowId: queue.workflowId,
              events: entries.length,
              failures,
              retryInMs,
            },
            'delivery failed; the signals stay owed and are retried',
          );
          return handBack(queue, retryInMs, message(error));
        }
        if (delivery === 'stale') return handBack(queue, 0);
        const { ended } = delivery;
        failuresInRow = 0;
        const deliveredAt = Date.now();
        if (ended) {
          stats.dropped(entries.length);
          logger.warn(
            {
              workflowId: queue.workflowId,
              eventIds: entries.map((e) => e.eventId),
            },
            'the lifecycle has ended and is not started again; its signals are dropped',
          );
        } else {
          stats.delivered(entries.map((e) => deliveredAt - e.owedAtMs));
          logger.debug(
            { workflowId: queue.workflowId, events: entries.length },
            'delivered owed signals',
          );
        }
      }
      let settled: CompleteResult;
      try {
        settled = await complete({
          lane,
          workflowId: queue.workflowId,
          lease: queue.lease,
          seqs: entries.map((e) => e.seq),
          leaseMs,
          next: stopping ? 0 : batchSize,
        });
      } catch (error) {
        // Delivered but still owed: delivered again after the lease, and dropped as repeats.
        logger.warn(
          { err: error, workflowId: queue.workflowId },
          'could not record the delivery; the signals are delivered again after the lease',
        );
        return;
      }
      if (!settled.held) {
        logger.warn(
          { workflowId: queue.workflowId },
          'the lease ran out during the delivery; another relay goes on with the queue',
        );
        return;
      }
      if (!settled.more) return;
      leasedAt = Date.now();
      failures = 0;
      if (stopping) return handBack(queue, 0);
      next = settled.owed;
    }
  }

  // Deliveries hold one of `concurrency` calls to Temporal, and up to a quarter more queues are
  // held claimed: when a call ends, the next claimed queue's call starts at once while the first
  // queue's completion is written, and under load one claim transaction takes several queues.
  const calls = pLimit(concurrency);
  const claimAhead = Math.max(1, Math.ceil(concurrency / 4));
  const maxClaimed = concurrency + claimAhead;

  async function poll(): Promise<void> {
    while (!stopping) {
      const free = maxClaimed - inFlight.size;
      const waitMs = pausedUntil - Date.now();
      // Claims wait for a batch of free places while deliveries are under way.
      if (free < (inFlight.size > 0 ? claimAhead : 1) || waitMs > 0) {
        await pause(waitMs > 0 ? waitMs : pollMs * 10);
        continue;
      }
      let claimed: ClaimedQueue[];
      let contended: number;
      try {
        ({ claimed, contended } = await outbox.claim({
          lane,
          max: free,
          leaseMs,
          owner: name,
          entries: batchSize,
        }));
        if (graphFailures > 0) logger.info({ after: graphFailures }, 'the graph answers again');
        graphFailures = 0;
      } catch (error) {
        graphFailures += 1;
        // One line per outage, then one now and then, not one per poll.
        if (graphFailures === 1 || graphFailures % 20 === 0) {
          logger.warn({ err: error, attempts: graphFailures }, 'could not claim owed signals');
        }
        await pause(backoff(graphFailures));
        continue;
      }
      if (stopping) {
        // Stopped while claiming: hand the queues straight back for another relay.
        await Promise.all(claimed.map((queue) => handBack(queue, 0)));
        break;
      }
      for (const queue of claimed) {
        const work: Promise<void> = drain(queue)
          .catch((error: unknown) => {
            logger.error({ err: error, workflowId: queue.workflowId }, 'delivery loop failed');
          })
          .finally(() => {
            inFlight.delete(work);
            nudge();
          });
        inFlight.add(work);
      }
      // Found work (or lost a race for it): look again at once; idle: wait a little.
      if (claimed.length === 0 && contended === 0) await pause(pollMs);
    }
  }

  return {
    name,
    start() {
      if (running) return;
      stopping = false;
      logger.info({ concurrency, pollMs, leaseMs, batchSize }, 'relay started');
      running = poll();
    },
    async stop() {
      stopping = true;
      nudge();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), stopGraceMs);
      });
      const settled = async () => {
        await running;
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      };
      const outcome = await Promise.race([settled(), grace]);
      clearTimeout(timer);
      running = null;
      if (outcome === 'late') {
        logger.warn(
          { inFlight: inFlight.size, stopGraceMs },
          'stopped without waiting longer for the graph or Temporal; unfinished leases run out by themselves',
        );
      }
      logger.info(stats.snapshot(calls.activeCount), 'relay stopped');
    },
    stats: () => stats.snapshot(calls.activeCount),
    resetStats: () => stats.reset(),
  };
}
