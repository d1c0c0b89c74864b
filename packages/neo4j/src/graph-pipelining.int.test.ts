import { loadConfig } from '@experience-graph/config';
import { uniqueKey } from '@experience-graph/test-kit';
import { createDriver, createGraph } from './graph';

describe('statements sent in a transaction without waiting', () => {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const run = uniqueKey('pipelining');

  afterAll(async () => {
    await graph.write('MATCH (p:PipelineProbe {run: $run}) DETACH DELETE p', { run });
    await driver.close();
  });

  const probe = async (name: string) =>
    (
      await graph.read<{ steps: number[] }>(
        'MATCH (p:PipelineProbe {run: $run, name: $name}) RETURN p.steps AS steps',
        { run, name },
      )
    ).map((r) => r.steps);

  it('run in the order sent, each seeing what the ones before wrote, before the commit', async () => {
    const name = 'ordered';
    const seen = await graph.transaction(async (tx) => {
      tx.send('CREATE (:PipelineProbe {run: $run, name: $name, steps: []})', { run, name });
      for (let step = 0; step < 30; step++) {
        tx.send(
          `MATCH (p:PipelineProbe {run: $run, name: $name})
           SET p.steps = p.steps + $step`,
          { run, name, step },
        );
      }
      return tx.run<{ steps: number[] }>(
        'MATCH (p:PipelineProbe {run: $run, name: $name}) RETURN p.steps AS steps',
        { run, name },
      );
    });
    const steps = Array.from({ length: 30 }, (_, i) => i);
    expect(seen).toEqual([{ steps }]);
    expect(await probe(name)).toEqual([steps]);
  });

  it('fail the transaction with the error of the first that failed, and write nothing', async () => {
    const name = 'failed';
    const attempt = graph.transaction(async (tx) => {
      tx.send('CREATE (:PipelineProbe {run: $run, name: $name, steps: [0]})', { run, name });
      tx.send('UNWIND [1, 0] AS d RETURN 1 / d AS q');
      tx.send('CREATE (:PipelineProbe {run: $run, name: $name, steps: [2]})', { run, name });
      // A statement the work waits on sees the transaction failed; the cause is the one above.
      await tx.run('RETURN 3 AS n');
      return 'committed';
    });
    await expect(attempt).rejects.toThrow(/by zero/i);
    expect(await probe(name)).toEqual([]);
  });

  it('fail the transaction when one fails after the work has ended', async () => {
    const name = 'failed-late';
    const attempt = graph.transaction(async (tx) => {
      tx.send('CREATE (:PipelineProbe {run: $run, name: $name, steps: [0]})', { run, name });
      tx.send('UNWIND [1, 0] AS d RETURN 1 / d AS q');
      return 'committed';
    });
    await expect(attempt).rejects.toThrow(/by zero/i);
    expect(await probe(name)).toEqual([]);
  });
});
