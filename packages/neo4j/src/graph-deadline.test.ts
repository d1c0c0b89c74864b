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
