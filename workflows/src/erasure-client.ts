import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ERASURE_WORKFLOW, erasureWorkflowId, type ErasureInput } from './contracts';

/** How the API starts erasures; an interface so servers can be built without I/O. */
export interface ErasureStarter {
  /**
   * Starts the erasure workflow, or finds it running: the workflow id is the erasure's, so a
   * repeated request never runs two. Resolves with the workflow id.
   */
  start(erasureId: string): Promise<{ workflowId: string }>;
}

export function createErasureStarter(client: Client, taskQueue: string): ErasureStarter {
  return {
    async start(erasureId) {
      const workflowId = erasureWorkflowId(erasureId);
      const input: ErasureInput = { erasureId };
      try {
        // No memo, no search attributes: the id is a salted hash and names nobody.
        await client.workflow.start(ERASURE_WORKFLOW, { workflowId, taskQueue, args: [input] });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { workflowId };
    },
  };
}
