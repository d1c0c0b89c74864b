import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundleOption,
  type WorkflowBundlePath,
} from '@temporalio/worker';
import type { Graph } from '@experience-graph/neo4j';
import { LOCAL_ERASURE_SALT, loadConfig, type ValueConfig } from '@experience-graph/config';
import { createSegmentRepository } from '@experience-graph/segments';
import { workerTracing } from '@experience-graph/tracing/temporal';
import { createActivities } from './activities';
import { createValueModelActivities } from './value-model-activities';
import { createErasureActivities } from './erasure/erasure-activities';

export interface LifecycleWorkerDependencies {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  graph: Graph;
  /** The erasure salt (ERASURE_SALT); the local default when absent, as in tests. */
  erasureSalt?: string;
  /** How customer value is reckoned, for segments over value; the configured one by default. */
  value?: ValueConfig;
  /**
   * Prebuilt workflow code (production: `{ codePath: WORKFLOW_BUNDLE_PATH }`); without it the
   * worker bundles `WORKFLOWS_PATH` as it starts, which is what development and tests want.
   */
  workflowBundle?: WorkflowBundleOption;
  /** Overrides for tests and tuning, such as `maxCachedWorkflows`. */
  options?: Partial<WorkerOptions>;
}

/** Where the compiled workflow bundle's entry point is. */
export const WORKFLOWS_PATH = require.resolve('./workflows');

/**
 * Where `npm run build -w workflows` writes the workflow bundle that production workers run, so
 * that what runs is what was built and tested, and a worker starts without webpack. Workflow
 * interceptor modules must be given to that build (`bundleWorkflowCode`), since a prebuilt
 * bundle ignores the worker's `interceptors.workflowModules`.
 */
export const WORKFLOW_BUNDLE_PATH = resolve(__dirname, '../dist/workflow-bundle.js');

/** The prebuilt workflow bundle, for `workflowBundle`; missing, an error that says how to build it. */
export function prebuiltWorkflowBundle(codePath = WORKFLOW_BUNDLE_PATH): WorkflowBundlePath {
  if (!existsSync(codePath)) {
    throw new Error(
      `No workflow bundle at ${codePath}: production workers run the one that npm run build writes`,
    );
  }
  return { codePath };
}

/** Builds the lifecycle worker; running and shutting it down is the caller's. */
export function createLifecycleWorker(deps: LifecycleWorkerDependencies): Promise<Worker> {
  const segments = createSegmentRepository(deps.graph, deps.value ?? loadConfig(process.env).value);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createActivities({ graph: deps.graph, segments }),
      ...createValueModelActivities({ graph: deps.graph, segments }),
      ...createErasureActivities({
        graph: deps.graph,
        salt: deps.erasureSalt ?? LOCAL_ERASURE_SALT,
      }),
    },
    // Temporal's OpenTelemetry interceptors and their workflow span sink; none with tracing off.
    ...workerTracing({ prebuiltBundle: deps.workflowBundle !== undefined }),
    ...deps.options,
  });
}
