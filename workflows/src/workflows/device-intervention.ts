import {
  CancellationScope,
  condition,
  isCancellation,
  getExternalWorkflowHandle,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  escalateSignal,
  expertResolvedSignal,
  fixConfirmedSignal,
  interventionClosedSignal,
  interventionStatusQuery,
  searchAttributes,
  type InterventionInput,
  type InterventionOutcome,
  type InterventionResult,
  type InterventionStatus,
} from '../contracts';
import { activities } from './activity-options';

/**
 * One incident on one device, from opening the case to its outcome: tell the customer the fix
 * through a channel they allow, ship a part where needed, wait for telemetry or the customer to
 * confirm, escalate to a human expert when nobody does in time (or the customer asks), and
 * close. Every step is a touchpoint in the graph.
 */
export async function deviceIntervention(input: InterventionInput): Promise<InterventionResult> {
  const { interventionId, serial, customerId } = input;
  let status: InterventionStatus = 'OPEN';
  let confirmedBy: 'TELEMETRY' | 'CUSTOMER' | null = null;
  let escalate = input.reason === 'CUSTOMER_REQUEST';
  let resolved = false;

  setHandler(fixConfirmedSignal, ({ source }) => {
    confirmedBy ??= source;
  });
  setHandler(escalateSignal, () => {
    escalate = true;
  });
  setHandler(expertResolvedSignal, () => {
    resolved = true;
  });
  setHandler(interventionStatusQuery, () => status);
  upsertSearchAttributes([
    { key: searchAttributes.serial, value: serial },
    { key: searchAttributes.customerId, value: customerId },
    { key: searchAttributes.openIntervention, value: true },
  ]);

  const step = (type: string, channel: string | null = null) =>
    activities.recordInterventionStep({
      interventionId,
      serial,
      customerId,
      type,
      channel,
      now: new Date().toISOString(),
    });

  async function handle(): Promise<InterventionOutcome> {
    await activities.openIntervention({
      interventionId,
      serial,
      customerId,
      reason: input.reason,
      workflowId: workflowInfo().workflowId,
      now: new Date().toISOString(),
    });

    if (!escalate) {
      const notice = await activities.notifyFix({
        interventionId,
        serial,
        customerId,
        reason: input.reason,
      });
      await step('INTERVENTION_NOTIFIED', notice.channel);
      if (input.shipPart) await step('PART_SHIPPED');
      status = 'AWAITING_CONFIRMATION';
      await condition(() => confirmedBy !== null || escalate, input.confirmFixWithinMs);
    }

    let outcome: InterventionOutcome;
    if (confirmedBy !== null) {
      outcome = confirmedBy === 'TELEMETRY' ? 'CONFIRMED_BY_TELEMETRY' : 'CONFIRMED_BY_CUSTOMER';
    } else {
      status = 'ESCALATED';
      await step('ESCALATED_TO_EXPERT');
      // A human now owns the case; telemetry may still show the device recovered meanwhile.
      await condition(() => resolved || confirmedBy !== null);
      outcome = resolved
        ? 'RESOLVED_BY_EXPERT'
        : confirmedBy === 'CUSTOMER'
          ? 'CONFIRMED_BY_CUSTOMER'
          : 'CONFIRMED_BY_TELEMETRY';
    }
    await activities.closeIntervention({ interventionId, outcome, now: new Date().toISOString() });
    status = 'CLOSED';
    upsertSearchAttributes([{ key: searchAttributes.openIntervention, value: false }]);
    return outcome;
  }

  let outcome: InterventionOutcome;
  try {
    outcome = await handle();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // The lifecycle ended (an opt-out, a retirement): close the case, whatever it was doing.
    outcome = 'CANCELLED';
    await CancellationScope.nonCancellable(() =>
      activities.closeIntervention({ interventionId, outcome, now: new Date().toISOString() }),
    );
    upsertSearchAttributes([{ key: searchAttributes.openIntervention, value: false }]);
    return { interventionId, outcome };
  }
  const result = { interventionId, outcome };
  await getExternalWorkflowHandle(input.parentWorkflowId)
    .signal(interventionClosedSignal, result)
    .catch(() => undefined); // the device lifecycle may have ended; the case is closed either way
  return result;
}
