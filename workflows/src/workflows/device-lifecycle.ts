import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DEFAULT_TIMERS,
  deviceEventSignal,
  historyQuery,
  searchAttributes,
  stageQuery,
  type DeviceLifecycleInput,
  type DeviceLifecycleResult,
} from '../contracts';
import {
  apply,
  decide,
  FINAL_STAGES,
  initialState,
  installHelpDueAt,
  type DeviceEvent,
} from '../lifecycle-machine';
import { activities, DEFAULT_HISTORY_LIMIT, nextWake } from './activity-options';

/**
 * The life of one device after its sale, keyed by its serial. It decides every stage change
 * from the events it receives, acts on silence (a delivered device not installed in time gets
 * help), and has activities write the results to the graph, where GraphQL reads them.
 */
export async function deviceLifecycle(input: DeviceLifecycleInput): Promise<DeviceLifecycleResult> {
  let state = input.state ?? initialState(input.serial);
  const timers = { ...DEFAULT_TIMERS, ...input.timers };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const pending: DeviceEvent[] = [...(input.pending ?? [])];

  setHandler(deviceEventSignal, (event) => {
    pending.push(event);
  });
  setHandler(stageQuery, () => state.stage);
  setHandler(historyQuery, () => state.history);

  const publish = () =>
    upsertSearchAttributes([
      { key: searchAttributes.serial, value: state.serial },
      { key: searchAttributes.stage, value: state.stage },
      { key: searchAttributes.customerId, value: state.customerId },
    ]);
  publish();

  for (;;) {
    const dueAt = installHelpDueAt(state, timers.installHelpAfterMs);
    if (!(await nextWake(() => pending.length > 0, dueAt, condition))) {
      // Delivered, still not installed: help before the customer has to ask.
      if (state.customerId !== null) {
        const sku = await activities.deviceModel({ serial: state.serial });
        await activities.offerInstallationHelp({
          customerId: state.customerId,
          sku,
          serial: state.serial,
          now: new Date().toISOString(),
        });
      }
      state = { ...state, installHelpOffered: true };
      continue;
    }
    while (pending.length > 0) {
      const event = pending.shift() as DeviceEvent;
      const decision = decide(state, event);
      if (decision.kind === 'duplicate') continue;
      const next = apply(state, event, decision);
      if (
        decision.kind === 'advanced' &&
        decision.stage === 'OPTED_OUT' &&
        event.type === 'OPT_OUT'
      ) {
        const sku = await activities.deviceModel({ serial: state.serial });
        await activities.wipeCustomerProduct({ customerId: event.customerId, sku });
      }
      if (decision.kind !== 'ignored') {
        await activities.recordDeviceState({
          workflowId: workflowInfo().workflowId,
          serial: state.serial,
          eventId: event.eventId,
          occurredAt: event.occurredAt,
          customerId: next.customerId,
          stage: next.stage,
          sequence: next.sequence,
        });
      }
      state = next;
      publish();
      if (state.stage !== null && FINAL_STAGES.includes(state.stage)) {
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
