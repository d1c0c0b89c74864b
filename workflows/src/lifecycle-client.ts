import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import {
  DEVICE_LIFECYCLE_WORKFLOW,
  deviceEventSignal,
  deviceLifecycleWorkflowId,
  expertResolvedSignal,
  fixConfirmedSignal,
  JOURNEY_WORKFLOW,
  journeyEventSignal,
  journeyWorkflowId,
  searchAttributes,
  type DeviceEvent,
  type DeviceLifecycleInput,
  type JourneyEvent,
  type JourneyInput,
  type LifecycleTimers,
} from './contracts';

/** How the API hands events to lifecycles; an interface so servers can be built without I/O. */
export interface LifecycleGateway {
  /** Resolves once the event is durably in the device lifecycle's history. */
  sendDeviceEvent(event: DeviceEvent): Promise<{ workflowId: string }>;
  /** Resolves once the event is durably in the journey's history. */
  sendJourneyEvent(event: JourneyEvent): Promise<{ workflowId: string }>;
  /** Tells an open intervention that the customer confirmed the fix, or an expert resolved it. */
  signalIntervention(
    workflowId: string,
    signal: { kind: 'fix-confirmed' } | { kind: 'expert-resolved'; note: string | null },
  ): Promise<void>;
}

/**
 * Sends events with signal-with-start: a lifecycle is created by the first event that needs
 * it, and later events find it by its business key. A journey that ended (a purchase, an
 * opt-out, a lapse) is started afresh by the next touch.
 */
export function createLifecycleGateway(
  client: Client,
  taskQueue: string,
  timers?: Partial<LifecycleTimers>,
): LifecycleGateway {
  return {
    async signalIntervention(workflowId, signal) {
      const handle = client.workflow.getHandle(workflowId);
      if (signal.kind === 'fix-confirmed')
        await handle.signal(fixConfirmedSignal, { source: 'CUSTOMER' });
      else await handle.signal(expertResolvedSignal, { note: signal.note });
    },
    async sendDeviceEvent(event) {
      const workflowId = deviceLifecycleWorkflowId(event.serial);
      const input: DeviceLifecycleInput = { serial: event.serial, ...(timers ? { timers } : {}) };
      await client.workflow.signalWithStart(DEVICE_LIFECYCLE_WORKFLOW, {
        workflowId,
        taskQueue,
        args: [input],
        signal: deviceEventSignal,
        signalArgs: [event],
        typedSearchAttributes: [{ key: searchAttributes.serial, value: event.serial }],
      });
      return { workflowId };
    },
    async sendJourneyEvent(event) {
      const workflowId = journeyWorkflowId(event.customerId, event.sku);
      const input: JourneyInput = {
        customerId: event.customerId,
        sku: event.sku,
        ...(timers ? { timers } : {}),
      };
      await client.workflow.signalWithStart(JOURNEY_WORKFLOW, {
        workflowId,
        taskQueue,
        args: [input],
        signal: journeyEventSignal,
        signalArgs: [event],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [{ key: searchAttributes.customerId, value: event.customerId }],
      });
      return { workflowId };
    },
  };
}
