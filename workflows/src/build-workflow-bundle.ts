/**
 * Build step: bundles the workflow code once, at build time, into `dist/workflow-bundle.js`,
 * which production workers load instead of running webpack as they start (see `main.ts`). Run
 * after `tsc -b`, by `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './worker';

async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
  console.log(`Workflow bundle: ${WORKFLOW_BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
