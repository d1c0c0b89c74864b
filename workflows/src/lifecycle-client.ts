import type { Client } from '@temporalio/client';
import {
  DEVICE_LIFECYCLE_WORKFLOW,
  deviceEventSignal,
  deviceLifecycleWorkflowId,
  searchAttributes,
  type DeviceEvent,
} from './contracts';

/** How the API hands events to lifecycles; an interface so servers can be built without I/O. */
export interface LifecycleGateway {
  /** Resolves once the event is durably in the lifecycle's history, with its workflow id. */
  sendDeviceEvent(event: DeviceEvent): Promise<{ workflowId: string }>;
}

/**
 * Sends events with signal-with-start: the lifecycle is created by the first event that needs
 * it, and later events find it by its business key.
 */
export function createLifecycleGateway(client: Client, taskQueue: string): LifecycleGateway {
  return {
    async sendDeviceEvent(event) {
      const workflowId = deviceLifecycleWorkflowId(event.serial);
      await client.workflow.signalWithStart(DEVICE_LIFECYCLE_WORKFLOW, {
        workflowId,
        taskQueue,
        args: [{ serial: event.serial }],
        signal: deviceEventSignal,
        signalArgs: [event],
        typedSearchAttributes: [{ key: searchAttributes.serial, value: event.serial }],
      });
      return { workflowId };
    },
  };
}
