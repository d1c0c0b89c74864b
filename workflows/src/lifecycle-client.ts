import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import {
  DEVICE_LIFECYCLE_WORKFLOW,
  deviceEventSignal,
  deviceEventsSignal,
  deviceLifecycleWorkflowId,
  expertResolvedSignal,
  fixConfirmedSignal,
  JOURNEY_WORKFLOW,
  journeyEventSignal,
  journeyEventsSignal,
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
  /**
   * Resolves once the event is durably in the device lifecycle's history, or, for a lifecycle
   * that has closed (which is never started again), once it is known to be dropped.
   */
  sendDeviceEvent(event: DeviceEvent): Promise<{ workflowId: string }>;
  /** Resolves once the event is durably in the journey's history. */
  sendJourneyEvent(event: JourneyEvent): Promise<{ workflowId: string }>;
  /**
   * Delivers a device's events, in order, in one signal: resolves once they are durably in the
   * lifecycle's history, starting the lifecycle if it never ran. A lifecycle that has ended
   * (opted out, retired, stopped) is never started again: then nothing is delivered and
   * `ended` is true.
   */
  deliverDeviceEvents(
    serial: string,
    events: readonly DeviceEvent[],
    options?: DeliveryOptions,
  ): Promise<Delivery>;
  /**
   * Delivers a journey's events, in order, in one signal. A journey that ended (a purchase, an
   * opt-out, a lapse) is started afresh, so `ended` is always false.
   */
  deliverJourneyEvents(
    customerId: string,
    sku: string,
    events: readonly JourneyEvent[],
    options?: DeliveryOptions,
  ): Promise<Delivery>;
  /** Tells an open intervention that the customer confirmed the fix, or an expert resolved it. */
  signalIntervention(
    workflowId: string,
    signal: { kind: 'fix-confirmed' } | { kind: 'expert-resolved'; note: string | null },
  ): Promise<void>;
}

/** How long a delivery may take: past the deadline it fails, and may or may not have arrived. */
export interface DeliveryOptions {
  deadline?: Date;
}

/** What became of a delivery. */
export interface Delivery {
  workflowId: string;
  /** The workflow had ended and was not started again: the events were not delivered. */
  ended: boolean;
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
  const withDeadline = <T>({ deadline }: DeliveryOptions, call: () => Promise<T>) =>
    deadline ? client.withDeadline(deadline, call) : call();
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
      try {
        await client.workflow.signalWithStart(DEVICE_LIFECYCLE_WORKFLOW, {
          workflowId,
          taskQueue,
          args: [input],
          signal: deviceEventSignal,
          signalArgs: [event],
          // As for batches: a lifecycle that has closed is never started again.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [{ key: searchAttributes.serial, value: event.serial }],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { workflowId };
    },
    async deliverDeviceEvents(serial, events, options = {}) {
      const workflowId = deviceLifecycleWorkflowId(serial);
      const input: DeviceLifecycleInput = { serial, ...(timers ? { timers } : {}) };
      try {
        await withDeadline(options, () =>
          client.workflow.signalWithStart(DEVICE_LIFECYCLE_WORKFLOW, {
            workflowId,
            taskQueue,
            args: [input],
            signal: deviceEventsSignal,
            signalArgs: [[...events]],
            // Signals a running lifecycle, starts one that never ran, and refuses to start
            // again one that has closed, whatever closed it.
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            typedSearchAttributes: [{ key: searchAttributes.serial, value: serial }],
          }),
        );
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError)
          return { workflowId, ended: true };
        throw error;
      }
      return { workflowId, ended: false };
    },
    async deliverJourneyEvents(customerId, sku, events, options = {}) {
      const workflowId = journeyWorkflowId(customerId, sku);
      const input: JourneyInput = { customerId, sku, ...(timers ? { timers } : {}) };
      await withDeadline(options, () =>
        client.workflow.signalWithStart(JOURNEY_WORKFLOW, {
          workflowId,
          taskQueue,
          args: [input],
          signal: journeyEventsSignal,
          signalArgs: [[...events]],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          typedSearchAttributes: [{ key: searchAttributes.customerId, value: customerId }],
        }),
      );
      return { workflowId, ended: false };
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
