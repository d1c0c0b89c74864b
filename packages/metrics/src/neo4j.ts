import { createHash } from 'node:crypto';
import { BoundedLabel } from './labels';
import { gauge, histogram, secondsSince, type ServiceMetrics } from './registry';

/** What the graph wrapper says about each statement it runs (see `@experience-graph/neo4j`). */
export interface ObservedStatement {
  cypher: string;
  /** A read or write in a transaction of its own, or one statement of a larger transaction. */
  mode: 'read' | 'write' | 'transaction';
}

/** Wraps each statement's run; the shape `createGraph`'s `observers` take. */
export type StatementObserver = <T>(
  statement: ObservedStatement,
  run: () => Promise<T>,
) => Promise<T>;

/** The whitespace-normalised text of a statement, by which it is named. */
const normalise = (cypher: string) => cypher.replace(/\s+/g, ' ').trim();

/**
 * The name of a statement in metrics: `cypher:` and the first 8 hex digits of the SHA-1 of its
 * normalised text. Repositories keep their Cypher in constants, so the names are as many as the
 * statements in the code, and stay the same from one release to the next while the text does.
 */
export function statementName(cypher: string): string {
  return `cypher:${createHash('sha1').update(normalise(cypher)).digest('hex').slice(0, 8)}`;
}

/**
 * Times every Neo4j statement:
 *
 * - `eg_neo4j_statement_duration_seconds{statement, mode, outcome}`: round trip, driver retries
 *   included for reads and writes, by statement name (see {@link statementName}), mode and
 *   outcome (`ok`, `error`);
 * - `eg_neo4j_statement_info{statement, text}`: 1 per statement seen, with the start of its text,
 *   so that a slow statement's name leads to its Cypher.
 *
 * Beyond `maxStatements` distinct statements (500) the rest fold into `other`.
 */
export function neo4jStatementMetrics(
  metrics: ServiceMetrics,
  options: { maxStatements?: number } = {},
): StatementObserver {
  const duration = histogram(metrics, {
    name: 'eg_neo4j_statement_duration_seconds',
    help: 'Neo4j statement round trips, by statement (cypher: and a hash of its text), mode and outcome',
    labelNames: ['statement', 'mode', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const info = gauge(metrics, {
    name: 'eg_neo4j_statement_info',
    help: 'Always 1: the start of the text of each statement name in eg_neo4j_statement_duration_seconds',
    labelNames: ['statement', 'text'] as const,
  });
  const names = new BoundedLabel(options.maxStatements ?? 500);
  // The same constant strings come back again and again: hash each once.
  const known = new Map<string, string>();
  const nameOf = (cypher: string) => {
    const cached = known.get(cypher);
    if (cached !== undefined) return cached;
    const name = names.value(statementName(cypher));
    if (name !== 'other') info.set({ statement: name, text: normalise(cypher).slice(0, 120) }, 1);
    if (known.size < 5_000) known.set(cypher, name);
    return name;
  };
  return async (statement, run) => {
    const labels = { statement: nameOf(statement.cypher), mode: statement.mode };
    const start = process.hrtime.bigint();
    try {
      const result = await run();
      duration.observe({ ...labels, outcome: 'ok' }, secondsSince(start));
      return result;
    } catch (error) {
      duration.observe({ ...labels, outcome: 'error' }, secondsSince(start));
      throw error;
    }
  };
}
