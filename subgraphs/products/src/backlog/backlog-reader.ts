import type { Graph } from '@experience-graph/neo4j';
import { createOutboxRepository } from '@experience-graph/outbox';

/** The backlog as the API answers it: the outbox's, with the oldest signal's age. */
export interface SignalBacklogView {
  owed: number;
  oldestOwedAt: string | null;
  oldestAgeSeconds: number | null;
}

export interface BacklogReader {
  read(): Promise<SignalBacklogView>;
}

/**
 * Reads the signal backlog of one lane (the task queue this subgraph's intake owes signals on),
 * or of every lane when none is given.
 */
export function createBacklogReader(
  graph: Graph,
  lane: string | undefined,
  now: () => number = Date.now,
): BacklogReader {
  const outbox = createOutboxRepository(graph);
  return {
    async read() {
      const backlog = await outbox.signalBacklog(lane);
      const oldest = backlog.oldestOwedAt === null ? null : Date.parse(backlog.oldestOwedAt);
      return {
        ...backlog,
        // The graph's clock stamped the signal; a slightly fast one must not show a negative age.
        oldestAgeSeconds: oldest === null ? null : Math.max(0, (now() - oldest) / 1000),
      };
    },
  };
}
