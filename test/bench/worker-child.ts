/**
 * A lifecycle worker in a process of its own, for the benchmarks: the production worker
 * (createLifecycleWorker, SDK defaults), configured from the environment like
 * workflows/src/main.ts, plus an IPC channel over which the bench asks for its memory and
 * cache figures and tells it to stop. Started by worker-process.ts with `fork`; not a command.
 */
import v8 from 'node:v8';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { createLifecycleWorker } from '@experience-graph/workflows/worker';

/** What the bench sends. */
export type ToWorker = { type: 'sample'; id: number } | { type: 'stop' };

/** What the worker process sends back. */
export type FromWorker =
  | {
      type: 'ready';
      pid: number;
      taskQueue: string;
      /** The SDK's settings that bound the worker's memory, as it computed them. */
      settings: {
        maxCachedWorkflows: number;
        reuseV8Context: boolean;
        workflowThreadPoolSize: number;
        heapSizeLimitMB: number;
      };
    }
  | {
      type: 'sample';
      id: number;
      memory: NodeJS.MemoryUsage;
      cachedWorkflows: number;
      inFlightActivations: number;
      inFlightActivities: number;
    };

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('worker-child needs an IPC channel: start it with fork()');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createLifecycleWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      graph: createGraph(driver, config.neo4j.database),
    });
    const running = worker.run();
    const stop = () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    };
    // Node runs with --expose-gc here: a sample is taken after a full collection, so garbage
    // that happens to be around does not count as what the lifecycles hold.
    const gc = (globalThis as { gc?: () => void }).gc;
    process.on('message', (message: ToWorker) => {
      if (message.type === 'stop') return stop();
      gc?.();
      const status = worker.getStatus();
      const reply: FromWorker = {
        type: 'sample',
        id: message.id,
        memory: process.memoryUsage(),
        cachedWorkflows: status.numCachedWorkflows,
        inFlightActivations: status.numInFlightWorkflowActivations,
        inFlightActivities: status.numInFlightActivities,
      };
      send(reply);
    });
    // The bench went away (crashed, or killed): stop rather than poll forever.
    process.on('disconnect', stop);
    const ready: FromWorker = {
      type: 'ready',
      pid: process.pid,
      taskQueue: config.temporal.taskQueue,
      settings: {
        maxCachedWorkflows: worker.options.maxCachedWorkflows,
        reuseV8Context: worker.options.reuseV8Context ?? true,
        workflowThreadPoolSize: worker.options.workflowThreadPoolSize,
        heapSizeLimitMB: v8.getHeapStatistics().heap_size_limit / 1048576,
      },
    };
    send(ready);
    await running;
  } finally {
    await connection.close();
    await driver.close();
  }
}

main()
  .catch((error: unknown) => {
    console.error('[worker]', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => {
    if (process.connected) process.disconnect();
  });
