import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { uniqueKey } from '@experience-graph/test-kit';
import { writeWorkflowBundle } from './build-workflow-bundle';
import { JOURNEY_WORKFLOW, journeyWorkflowId, type JourneyInput } from './contracts';
import { createLifecycleWorker, prebuiltWorkflowBundle } from './worker';

/** Production workers run the bundle the build writes, not webpack at start-up. */
describe('the prebuilt workflow bundle', () => {
  const config = loadConfig(process.env);
  const dir = mkdtempSync(join(tmpdir(), 'eg-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused with how to build it when missing', () => {
    expect(() => prebuiltWorkflowBundle(join(dir, 'missing.js'))).toThrow(
      /No workflow bundle at .*missing\.js: .*npm run build/,
    );
  });

  it('runs workflows on a worker given it', async () => {
    const path = join(dir, 'workflow-bundle.js');
    expect(await writeWorkflowBundle(path)).toBeGreaterThan(100_000);
    const driver = createDriver(config.neo4j);
    const connection = await Connection.connect({ address: config.temporal.address });
    const native = await NativeConnection.connect({ address: config.temporal.address });
    try {
      const taskQueue = uniqueKey('bundle');
      const worker = await createLifecycleWorker({
        connection: native,
        namespace: config.temporal.namespace,
        taskQueue,
        graph: createGraph(driver, config.neo4j.database),
        workflowBundle: prebuiltWorkflowBundle(path),
      });
      const client = new Client({ connection, namespace: config.temporal.namespace });
      const customerId = uniqueKey('bundle-cust');
      // A journey without a touch lapses on its timer: workflow code and a timer, no graph.
      const input: JourneyInput = {
        customerId,
        sku: 'no-model',
        timers: { journeyLapsesAfterMs: 500 },
      };
      const result = await worker.runUntil(
        client.workflow.execute(JOURNEY_WORKFLOW, {
          workflowId: journeyWorkflowId(customerId, 'no-model'),
          taskQueue,
          args: [input],
        }),
      );
      expect(result).toEqual({ stage: null, serial: null });
    } finally {
      await native.close();
      await connection.close();
      await driver.close();
    }
  }, 120_000);
});
