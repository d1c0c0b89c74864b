import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph, type StatementInfo } from './graph';

describe('statement observers', () => {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  afterAll(() => driver.close());

  it('wrap every statement, the first outermost, with its text and mode', async () => {
    const seen: string[] = [];
    const observer =
      (name: string) =>
      async <T>(statement: StatementInfo, run: () => Promise<T>) => {
        seen.push(`${name}>${statement.mode}:${statement.cypher}`);
        try {
          return await run();
        } finally {
          seen.push(`${name}<`);
        }
      };
    const graph = createGraph(driver, config.neo4j.database, {
      observers: [observer('outer'), observer('inner')],
    });
    expect(await graph.read<{ n: number }>('RETURN $n AS n', { n: 1 })).toEqual([{ n: 1 }]);
    await graph.write('RETURN 2 AS n');
    await graph.transaction(async (tx) => {
      await tx.run('RETURN 3 AS n');
      await tx.run('RETURN 4 AS n');
    });
    expect(seen).toEqual([
      'outer>read:RETURN $n AS n',
      'inner>read:RETURN $n AS n',
      'inner<',
      'outer<',
      'outer>write:RETURN 2 AS n',
      'inner>write:RETURN 2 AS n',
      'inner<',
      'outer<',
      'outer>transaction:RETURN 3 AS n',
      'inner>transaction:RETURN 3 AS n',
      'inner<',
      'outer<',
      'outer>transaction:RETURN 4 AS n',
      'inner>transaction:RETURN 4 AS n',
      'inner<',
      'outer<',
    ]);
  });

  it('see a failing statement fail, and pass its error on', async () => {
    const outcomes: string[] = [];
    const graph = createGraph(driver, config.neo4j.database, {
      observers: [
        async (_statement, run) => {
          try {
            const result = await run();
            outcomes.push('ok');
            return result;
          } catch (error) {
            outcomes.push('error');
            throw error;
          }
        },
      ],
    });
    await expect(graph.read('RETURN nonsense(')).rejects.toThrow(/Invalid input|syntax/i);
    expect(outcomes).toEqual(['error']);
  });
});
