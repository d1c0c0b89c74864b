import neo4j, { type Driver, type QueryConfig } from 'neo4j-driver';
import type { Neo4jConfig } from '@experience-graph/config';
import { renewDriver, renewingDriver } from './renewing-driver';
import { traceStatement } from '@experience-graph/tracing';

/** Parameters of a Cypher statement; always passed separately, never spliced into the text. */
export type CypherParams = Record<string, unknown>;

/**
 * The one way the project talks to Neo4j: parameterised Cypher in managed transactions
 * (retried by the driver on transient errors), rows returned as plain objects.
 */
export interface Graph {
  /** Runs a read query (routed to a reader in a cluster) and returns its rows. */
  read<Row>(cypher: string, params?: CypherParams): Promise<Row[]>;
  /** Runs a write query in its own transaction and returns its rows. */
  write<Row>(cypher: string, params?: CypherParams): Promise<Row[]>;
  /**
   * Runs several statements in one write transaction, retried as a whole on transient errors:
   * for read-modify-write work, where the first statement takes the locks.
   */
  transaction<T>(work: (tx: GraphTransaction) => Promise<T>): Promise<T>;
  readonly driver: Driver;
  readonly database: string;
}

/** The statements of one transaction, as {@link Graph.transaction} hands them out. */
export interface GraphTransaction {
  /** Runs a statement and returns its rows. */
  run<Row>(cypher: string, params?: CypherParams): Promise<Row[]>;
  /**
   * Sends a statement whose rows the work does not need, without waiting for its answer. The
   * statements of a transaction are pipelined on its one connection and the server runs them in
   * the order sent, so a later statement sees what this one wrote; a batch of writes pays one
   * round trip instead of one each. The transaction waits for every statement sent before it
   * commits, and fails with the first of them that failed (a deadlock in one is retried as any).
   */
  send(cypher: string, params?: CypherParams): void;
}

/**
 * A {@link GraphTransaction} over one driver transaction's `run`, and `complete`, which waits
 * for the work and then for every statement it sent. When the work fails because a sent
 * statement did (a later statement then only sees a failed transaction), the sent statement's
 * error is the one passed on: the driver retries on it when it is transient.
 */
export function pipelinedTransaction(
  run: (cypher: string, params: CypherParams) => Promise<unknown[]>,
): { tx: GraphTransaction; complete<T>(work: Promise<T>): Promise<T> } {
  const sent: Array<Promise<unknown>> = [];
  return {
    tx: {
      run: async <Row>(cypher: string, params: CypherParams = {}) =>
        (await run(cypher, params)) as Row[],
      send(cypher, params = {}) {
        const answer = run(cypher, params);
        // Its failure is the transaction's, passed on by `complete`.
        answer.catch(() => undefined);
        sent.push(answer);
      },
    },
    async complete<T>(work: Promise<T>): Promise<T> {
      let result: T;
      try {
        result = await work;
      } catch (error) {
        const failed = (await Promise.allSettled(sent)).find(
          (s): s is PromiseRejectedResult => s.status === 'rejected',
        );
        throw failed ? failed.reason : error;
      }
      await Promise.all(sent);
      return result;
    },
  };
}

/**
 * Creates a driver that returns JavaScript numbers instead of `Integer`s: every number the
 * project stores fits in 2^53, and repositories must return plain values. Every wait on the
 * server is bounded by `config.timeouts` (see {@link Neo4jConfig}): while Neo4j is away a
 * statement fails within about `retryMs` plus one connection attempt, and the caller answers
 * UNAVAILABLE, instead of after the driver's 30 s of retries and a minute's wait for a connection.
 *
 * Its Bolt sockets send with TCP_NODELAY (the driver sets it from 6.0; 5.28 left Nagle's
 * algorithm on, and a statement larger than one 1,400-byte chunk, any batch of rows, waited up
 * to 40 ms for the server's delayed acknowledgement). `bolt-sockets.int.test.ts` keeps it so.
 */
export function createDriver(config: Neo4jConfig): Driver {
  const { connectMs, acquireMs, retryMs } = config.timeouts;
  return renewingDriver(() =>
    neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
      disableLosslessIntegers: true,
      connectionAcquisitionTimeout: acquireMs,
      connectionTimeout: connectMs,
      maxTransactionRetryTime: retryMs,
      maxConnectionPoolSize: 50,
      userAgent: 'experience-graph',
    }),
  );
}

/** What an observer is told of each statement: its text (never its parameters) and its mode. */
export interface StatementInfo {
  cypher: string;
  /** A read or a write in a transaction of its own, or one statement of a larger transaction. */
  mode: 'read' | 'write' | 'transaction';
}

/**
 * Wraps each statement's run (metrics, tracing): it must call `run` once and return or throw
 * what it does. Reads and writes are observed with the driver's retries inside.
 */
export type StatementObserver = <T>(statement: StatementInfo, run: () => Promise<T>) => Promise<T>;

export interface GraphOptions {
  /** Called around every statement, the first outermost. */
  observers?: readonly StatementObserver[];
  /**
   * The longest a read, a write or a whole transaction may take, retries and getting a
   * connection included (NEO4J_STATEMENT_TIMEOUT_MS, for the servers that answer requests): past
   * it the call fails as `ServiceUnavailable`, which clients get as UNAVAILABLE. The driver bounds
   * opening a socket but not the handshake after it, so without this a connection opened while
   * Neo4j is starting can wait for ever.
   */
  statementTimeoutMs?: number;
  /**
   * Once a call has failed because the server is away, every call first waits for one shared
   * check that it answers again (`RETURN 1` on the database, bounded by this many ms), and fails at once as
   * `ServiceUnavailable` while it does not. A server that is starting accepts connections but
   * holds their handshake until it is ready, so without this each request would wait for its
   * whole statement deadline. For the servers that answer requests.
   */
  awayProbeMs?: number;
}

/**
 * The deadlines of a server that answers requests: a statement's whole run, and the check that
 * the server answers again after it was away (opening and getting a connection).
 */
export function servingDeadlines(
  config: Pick<Neo4jConfig, 'timeouts'>,
): Pick<GraphOptions, 'statementTimeoutMs' | 'awayProbeMs'> {
  const { statementMs, connectMs, acquireMs } = config.timeouts;
  return { statementTimeoutMs: statementMs, awayProbeMs: connectMs + acquireMs };
}

/**
 * Runs `call`, failing with a `ServiceUnavailable` error (the driver's code for a server that is
 * away) once `ms` have passed; the call itself goes on, and its result is dropped.
 */
function withinDeadline<T>(
  ms: number | undefined,
  call: () => Promise<T>,
  onTimeout: () => void,
): Promise<T> {
  if (!ms) return call();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(
        Object.assign(new Error(`Neo4j did not answer within ${ms} ms`), {
          code: 'ServiceUnavailable',
        }),
      );
    }, ms);
  });
  const running = call();
  // A call that fails after its deadline has nobody to tell.
  running.catch(() => undefined);
  return Promise.race([running, deadline]).finally(() => clearTimeout(timer));
}

const isAway = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ServiceUnavailable' || code === 'SessionExpired';
};

/**
 * Whether the server is away, as the last call found it: while it is, `ready()` checks once (for
 * all callers at once) that it answers within `ms`, and fails as `ServiceUnavailable` if not. A
 * failed check is reused for a short while, so that an outage costs one connection attempt per
 * interval rather than one per request.
 */
function awayGuard(driver: Driver, database: string, ms: number | undefined) {
  let away = false;
  let check: Promise<void> | null = null;
  let failedAt = -Infinity;
  const REUSE_FAILURE_MS = 250;
  const unavailable = () =>
    Object.assign(new Error('Neo4j is unavailable'), { code: 'ServiceUnavailable' });
  return {
    failed(error: unknown) {
      if (ms && isAway(error)) away = true;
    },
    async ready(): Promise<void> {
      if (!away || !ms) return;
      if (!check) {
        if (performance.now() - failedAt < REUSE_FAILURE_MS) throw unavailable();
        check = withinDeadline(
          ms,
          async () => {
            // A statement, not only a handshake: the database must be online, not just the
            // server. Auto-commit, so the driver does not retry it: one attempt says enough.
            const session = driver.session({ database, defaultAccessMode: neo4j.session.READ });
            try {
              await session.run('RETURN 1');
            } finally {
              await session.close();
            }
          },
          () => renewDriver(driver),
        ).then(
          () => {
            away = false;
            check = null;
          },
          () => {
            failedAt = performance.now();
            check = null;
            throw unavailable();
          },
        );
      }
      return check;
    },
  };
}

const observed = (observers: readonly StatementObserver[]) =>
  observers.reduceRight<<T>(statement: StatementInfo, run: () => Promise<T>) => Promise<T>>(
    (inner, observer) => (statement, run) => observer(statement, () => inner(statement, run)),
    (_statement, run) => run(),
  );

/** Wraps a driver as a {@link Graph} on one database. */
export function createGraph(driver: Driver, database: string, options: GraphOptions = {}): Graph {
  // A statement past its deadline may wait on a connection that never answers: start afresh.
  const renew = () => renewDriver(driver);
  // Innermost: a span per statement, in whatever trace is active (none with tracing off).
  const observe = observed([
    ...(options.observers ?? []),
    (statement, run) => traceStatement(database, statement, run),
  ]);
  const guard = awayGuard(driver, database, options.awayProbeMs);
  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    await guard.ready();
    try {
      return await withinDeadline(options.statementTimeoutMs, call, renew);
    } catch (error) {
      guard.failed(error);
      throw error;
    }
  };
  const run = async <Row>(
    cypher: string,
    params: CypherParams,
    routing: QueryConfig['routing'],
  ): Promise<Row[]> => {
    const mode = routing === neo4j.routing.READ ? 'read' : 'write';
    const result = await guarded(() =>
      observe({ cypher, mode }, () => driver.executeQuery(cypher, params, { database, routing })),
    );
    return result.records.map((record) => record.toObject() as Row);
  };
  return {
    driver,
    database,
    read: (cypher, params = {}) => run(cypher, params, neo4j.routing.READ),
    write: (cypher, params = {}) => run(cypher, params, neo4j.routing.WRITE),
    async transaction(work) {
      // The session closes when its work ends, also after the deadline: closing it sooner would
      // wait for that work anyway.
      return guarded(() => {
        const session = driver.session({ database });
        return session
          .executeWrite((tx) => {
            const pipelined = pipelinedTransaction(async (cypher, params) =>
              (
                await observe({ cypher, mode: 'transaction' }, () => tx.run(cypher, params))
              ).records.map((r) => r.toObject()),
            );
            return pipelined.complete(work(pipelined.tx));
          })
          .finally(() => session.close());
      });
    },
  };
}
