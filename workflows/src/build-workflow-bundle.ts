/**
 * Build step: bundles the workflow code once, at build time, into `dist/workflow-bundle.js`,
 * which production workers load instead of running webpack as they start (see `main.ts`). Run
 * after `tsc -b`, by `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_TRACING_MODULES } from '@experience-graph/tracing/temporal';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './worker';

/** Bundles the workflow code and writes it to `path`; resolves with the bundle's size. */
export async function writeWorkflowBundle(path = WORKFLOW_BUNDLE_PATH): Promise<number> {
  // The tracing interceptors are built in (a prebuilt bundle ignores the worker's); with tracing
  // off their spans go nowhere.
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_TRACING_MODULES],
  });
  writeFileSync(path, code);
  return code.length;
}

if (require.main === module) {
  writeWorkflowBundle().then(
    (size) =>
      console.log(`Workflow bundle: ${WORKFLOW_BUNDLE_PATH} (${Math.round(size / 1024)} KiB)`),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
