import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DEFAULT_TIMERS,
  deviceEventSignal,
  deviceEventsSignal,
  escalateSignal,
  fixConfirmedSignal,
  historyQuery,
  INTERVENTION_WORKFLOW,
  interventionClosedSignal,
  interventionWorkflowId,
  searchAttributes,
  stageQuery,
  type DeviceLifecycleInput,
  type DeviceLifecycleResult,
  type InterventionInput,
} from '../contracts';
import {
  apply,
  decide,
  FINAL_STAGES,
  initialState,
  installHelpDueAt,
  interventionAction,
  type DeviceEvent,
  type LifecycleState,
} from '../lifecycle-machine';
import { activities, DEFAULT_HISTORY_LIMIT, nextWake } from './activity-options';

/** The patch under which a lifecycle started in a final stage ends at once. */
const RESTORED_FINAL_STAGE_PATCH = 'restored-final-stage-ends';

/**
 * The life of one device after its sale, keyed by its serial. It decides every stage change
 * from the events it receives, acts on silence (a delivered device not installed in time gets
 * help; a device whose telemetry stops gets a health check), opens an intervention per incident
 * as a child workflow, and has activities write the results to the graph, where GraphQL reads
 * them.
 */
export async function deviceLifecycle(input: DeviceLifecycleInput): Promise<DeviceLifecycleResult> {
  let state = input.state ?? initialState(input.serial);
  const timers = { ...DEFAULT_TIMERS, ...input.timers };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const pending: DeviceEvent[] = [...(input.pending ?? [])];
  const { workflowId } = workflowInfo();
  let nextHealthCheck = Date.now() + timers.healthCheckEveryMs;

  setHandler(deviceEventSignal, (event) => {
    pending.push(event);
  });
  // A batch from the outbox relay, in the order owed; repeats are dropped by event id below.
  // Registering a handler issues no command, so histories recorded before it replay unchanged.
  setHandler(deviceEventsSignal, (events) => {
    pending.push(...events);
  });
  setHandler(interventionClosedSignal, ({ interventionId }) => {
    if (state.openInterventionId === interventionId) {
      state = { ...state, openInterventionId: null };
      publish();
    }
  });
  setHandler(stageQuery, () => state.stage);
  setHandler(historyQuery, () => state.history);

  function publish() {
    upsertSearchAttributes([
      { key: searchAttributes.serial, value: state.serial },
      { key: searchAttributes.stage, value: state.stage },
      { key: searchAttributes.customerId, value: state.customerId },
      { key: searchAttributes.openIntervention, value: state.openInterventionId !== null },
    ]);
  }
  publish();
  // A lifecycle an erasure put back from the graph starts in its final stage: it shows that
  // stage and ends, and as a closed run it keeps the serial from being started again. Older
  // histories never start in a final stage, so they do not reach the patch.
  if (
    state.stage !== null &&
    FINAL_STAGES.includes(state.stage) &&
    patched(RESTORED_FINAL_STAGE_PATCH)
  ) {
    return { serial: state.serial, stage: state.stage };
  }

  async function openIntervention(
    reason: InterventionInput['reason'],
    shipPart: boolean,
  ): Promise<LifecycleState> {
    if (state.customerId === null) return state;
    const n = state.interventions + 1;
    const id = interventionWorkflowId(state.serial, n);
    await startChild(INTERVENTION_WORKFLOW, {
      workflowId: id,
      args: [
        {
          interventionId: id,
          serial: state.serial,
          customerId: state.customerId,
          reason,
          shipPart,
          parentWorkflowId: workflowId,
          confirmFixWithinMs: timers.confirmFixWithinMs,
        } satisfies InterventionInput,
      ],
      // The case outlives a continue-as-new of the lifecycle; it reports back by signal.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return { ...state, openInterventionId: id, interventions: n };
  }

  for (;;) {
    const installAt = installHelpDueAt(state, timers.installHelpAfterMs);
    const dueAt = Math.min(
      installAt ?? Infinity,
      state.stage === 'SUPPORT' ? nextHealthCheck : Infinity,
    );
    if (
      !(await nextWake(() => pending.length > 0, Number.isFinite(dueAt) ? dueAt : null, condition))
    ) {
      if (installAt !== null && installAt <= Date.now()) {
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
      } else {
        nextHealthCheck = Date.now() + timers.healthCheckEveryMs;
        const { silent } = await activities.checkDeviceSilence({
          serial: state.serial,
          now: new Date().toISOString(),
        });
        if (silent) {
          pending.push({
            eventId: `${workflowId}:silence:${Date.now()}`,
            serial: state.serial,
            occurredAt: new Date().toISOString(),
            type: 'HEALTH_CHANGE',
            change: 'SILENT',
            failureRisk: 0,
          });
        }
      }
      continue;
    }
    while (pending.length > 0) {
      const event = pending.shift() as DeviceEvent;
      const decision = decide(state, event);
      if (decision.kind === 'duplicate') continue;
      const action =
        decision.kind === 'ignored' ? { kind: 'none' as const } : interventionAction(state, event);
      const next = apply(state, event, decision);
      if (
        decision.kind === 'advanced' &&
        decision.stage === 'OPTED_OUT' &&
        event.type === 'OPT_OUT'
      ) {
        const sku = await activities.deviceModel({ serial: state.serial });
        await activities.wipeCustomerProduct({ customerId: event.customerId, sku });
      }
      if (
        decision.kind === 'advanced' ||
        (event.type === 'PURCHASED' && decision.kind === 'recorded')
      ) {
        await activities.recordDeviceState({
          workflowId,
          serial: state.serial,
          eventId: event.eventId,
          occurredAt: event.occurredAt,
          customerId: next.customerId,
          stage: next.stage,
          sequence: next.sequence,
        });
      }
      state = next;
      if (action.kind === 'open') {
        // Acting on telemetry needs the owner's consent to its use, as it stands now.
        const allowed =
          action.reason === 'CUSTOMER_REQUEST' ||
          (state.customerId !== null &&
            (await activities.mayActOnTelemetry({
              customerId: state.customerId,
              serial: state.serial,
            })));
        if (allowed) state = await openIntervention(action.reason, action.shipPart);
      } else if (action.kind === 'confirm' && state.openInterventionId !== null) {
        await getExternalWorkflowHandle(state.openInterventionId).signal(fixConfirmedSignal, {
          source: 'TELEMETRY',
        });
      } else if (action.kind === 'escalate' && state.openInterventionId !== null) {
        await getExternalWorkflowHandle(state.openInterventionId).signal(escalateSignal);
      }
      publish();
      if (state.stage !== null && FINAL_STAGES.includes(state.stage)) {
        // Nothing personal may happen after an opt-out, and nothing at all after retirement.
        if (state.openInterventionId !== null) {
          await getExternalWorkflowHandle(state.openInterventionId).cancel();
          state = { ...state, openInterventionId: null };
          publish();
        }
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
