import type { Driver } from 'neo4j-driver';
import { createGraph } from './graph';
import { renewingDriver } from './renewing-driver';

/** A driver whose every call waits for ever, as one does on a connection that never answers. */
function silentDriver(): { driver: Driver; closed: () => number } {
  let closed = 0;
  const never = () => new Promise<never>(() => undefined);
  const driver = {
    executeQuery: never,
    session: () => ({
      executeWrite: never,
      close: async () => {
        closed++;
      },
    }),
  } as unknown as Driver;
  return { driver, closed: () => closed };
}

describe('statement deadlines', () => {
  it('fail a read, a write and a transaction that get no answer, as the server being away', async () => {
    const { driver } = silentDriver();
    const graph = createGraph(driver, 'neo4j', { statementTimeoutMs: 200 });
    const away = { code: 'ServiceUnavailable', message: 'Neo4j did not answer within 200 ms' };
    const started = Date.now();
    await expect(graph.read('RETURN 1')).rejects.toMatchObject(away);
    await expect(graph.write('CREATE ()')).rejects.toMatchObject(away);
    await expect(graph.transaction((tx) => tx.run('RETURN 1'))).rejects.toMatchObject(away);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('leave an answer in time alone', async () => {
    const records = [{ toObject: () => ({ n: 1 }) }];
    const driver = { executeQuery: async () => ({ records }) } as unknown as Driver;
    const graph = createGraph(driver, 'neo4j', { statementTimeoutMs: 1_000 });
    await expect(graph.read('RETURN 1 AS n')).resolves.toEqual([{ n: 1 }]);
  });
});

describe('a driver renewed after a deadline', () => {
  it('serves the next statement from a fresh driver once one got no answer', async () => {
    const records = [{ toObject: () => ({ n: 1 }) }];
    const created: Array<{ closed: boolean }> = [];
    const driver = renewingDriver(() => {
      const first = created.length === 0;
      const state = { closed: false };
      created.push(state);
      return {
        // The first driver's connections never answer; the next one's do.
        executeQuery: first ? () => new Promise<never>(() => undefined) : async () => ({ records }),
        close: async () => {
          state.closed = true;
        },
      } as unknown as Driver;
    });
    const graph = createGraph(driver, 'neo4j', { statementTimeoutMs: 100 });
    await expect(graph.read('RETURN 1 AS n')).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    await expect(graph.read('RETURN 1 AS n')).resolves.toEqual([{ n: 1 }]);
    expect(created).toEqual([{ closed: true }, { closed: false }]);
  });
});

describe('a server found away', () => {
  const records = [{ toObject: () => ({ n: 1 }) }];
  const refused = () =>
    Promise.reject(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ServiceUnavailable' }),
    );

  /** A driver whose server is away, starting (handshakes held) or up, as the test says. */
  function switchableDriver() {
    const state = { server: 'away' as 'away' | 'starting' | 'up', queries: 0, checks: 0 };
    const answer = () =>
      state.server === 'up'
        ? Promise.resolve()
        : state.server === 'starting'
          ? new Promise<never>(() => undefined)
          : refused();
    const driver = {
      executeQuery: async () => {
        state.queries++;
        await answer();
        return { records };
      },
      session: () => ({
        run: async () => {
          state.checks++;
          await answer();
          return { records };
        },
        executeWrite: async (work: (tx: unknown) => Promise<unknown>) => {
          state.queries++;
          await answer();
          return work({ run: async () => ({ records }) });
        },
        close: async () => undefined,
      }),
    } as unknown as Driver;
    return { driver, state };
  }

  it('answers later calls unavailable at once while its handshake is held, not after the statement deadline', async () => {
    const { driver, state } = switchableDriver();
    const graph = createGraph(driver, 'neo4j', { statementTimeoutMs: 60_000, awayProbeMs: 200 });
    await expect(graph.read('RETURN 1 AS n')).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    state.server = 'starting';
    const started = Date.now();
    // Five calls at once share one check, which gives up after 200 ms; none reaches the server.
    const calls = await Promise.allSettled(
      Array.from({ length: 5 }, () => graph.read('RETURN 1 AS n')),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls.map((c) => c.status)).toEqual(Array(5).fill('rejected'));
    expect(calls[0]).toMatchObject({ reason: { code: 'ServiceUnavailable' } });
    expect(state.checks).toBe(1);
    expect(state.queries).toBe(1);
  });

  it('serves again once the check passes, reads and transactions alike', async () => {
    const { driver, state } = switchableDriver();
    const graph = createGraph(driver, 'neo4j', { statementTimeoutMs: 60_000, awayProbeMs: 200 });
    await expect(graph.write('CREATE ()')).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    state.server = 'up';
    await expect(graph.read('RETURN 1 AS n')).resolves.toEqual([{ n: 1 }]);
    await expect(graph.transaction((tx) => tx.run('RETURN 1 AS n'))).resolves.toEqual([{ n: 1 }]);
    // Back to normal: no more checks before each call.
    expect(state.checks).toBe(1);
  });

  it('checks nothing without a probe deadline, nor after an error of the query itself', async () => {
    const { driver, state } = switchableDriver();
    const plain = createGraph(driver, 'neo4j', { statementTimeoutMs: 60_000 });
    await expect(plain.read('RETURN 1 AS n')).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    state.server = 'up';
    await expect(plain.read('RETURN 1 AS n')).resolves.toEqual([{ n: 1 }]);
    expect(state.checks).toBe(0);

    const guarded = createGraph(driver, 'neo4j', { awayProbeMs: 200 });
    const syntax = Object.assign(new Error('Invalid input'), {
      code: 'Neo.ClientError.Statement.SyntaxError',
    });
    await expect(guarded.transaction(() => Promise.reject(syntax))).rejects.toBe(syntax);
    await expect(guarded.read('RETURN 1 AS n')).resolves.toEqual([{ n: 1 }]);
    expect(state.checks).toBe(0);
  });
});
