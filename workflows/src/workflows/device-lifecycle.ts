import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities';
import {
  deviceEventSignal,
  historyQuery,
  searchAttributes,
  stageQuery,
  type DeviceLifecycleInput,
  type DeviceLifecycleResult,
} from '../contracts';
import { apply, decide, initialState, type DeviceEvent } from '../lifecycle-machine';

const { recordDeviceEvent } = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '30 seconds',
  // A graph that is down for a while only delays the lifecycle; business errors are marked
  // non-retryable by the activity itself.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Continue-as-new well before Temporal's own limits, so a device living for years stays cheap. */
export const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * The life of one device, keyed by its serial. It decides every stage change from the events it
 * receives and has an activity write the result to the graph, where GraphQL reads it.
 */
export async function deviceLifecycle(input: DeviceLifecycleInput): Promise<DeviceLifecycleResult> {
  let state = input.state ?? initialState(input.serial);
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const pending: DeviceEvent[] = [...(input.pending ?? [])];

  setHandler(deviceEventSignal, (event) => {
    pending.push(event);
  });
  setHandler(stageQuery, () => state.stage);
  setHandler(historyQuery, () => state.history);

  upsertSearchAttributes([{ key: searchAttributes.serial, value: state.serial }]);

  for (;;) {
    await condition(() => pending.length > 0);
    while (pending.length > 0) {
      const event = pending.shift() as DeviceEvent;
      const decision = decide(state, event);
      if (decision.kind === 'duplicate') continue;
      const next = apply(state, event, decision);
      if (decision.kind !== 'ignored') {
        await recordDeviceEvent({
          workflowId: workflowInfo().workflowId,
          event,
          customerId: next.customerId,
          stage: next.stage,
          sequence: next.sequence,
        });
      }
      state = next;
      upsertSearchAttributes([
        { key: searchAttributes.stage, value: state.stage },
        { key: searchAttributes.customerId, value: state.customerId },
      ]);
      if (state.stage === 'RETIRED') {
        await condition(allHandlersFinished);
        return { serial: state.serial, stage: state.stage };
      }
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > historyLimit) {
      await condition(allHandlersFinished);
      // Signals that arrived while waiting travel along instead of being lost.
      await continueAsNew<typeof deviceLifecycle>({ ...input, state, pending });
    }
  }
}
