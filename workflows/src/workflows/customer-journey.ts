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
  historyQuery,
  journeyEventSignal,
  journeyEventsSignal,
  searchAttributes,
  stageQuery,
  type JourneyInput,
  type JourneyResult,
} from '../contracts';
import {
  applyJourney,
  decideJourney,
  initialJourney,
  isJourneyOver,
  retargetDueAt,
  type JourneyEvent,
} from '../journey-machine';
import { activities, DEFAULT_HISTORY_LIMIT, nextWake } from './activity-options';

/**
 * A person's decision journey with one product model before the sale, keyed by both. It moves
 * them from interested to engaged, decides proximity offers and retargeting, and ends at the
 * purchase (the device's own lifecycle takes over, keyed by its serial), at an opt-out, or when
 * the journey lapses.
 */
export async function customerJourney(input: JourneyInput): Promise<JourneyResult> {
  let state = input.state ?? initialJourney(input.customerId, input.sku);
  const timers = { ...DEFAULT_TIMERS, ...input.timers };
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const pending: JourneyEvent[] = [...(input.pending ?? [])];
  const { workflowId } = workflowInfo();

  setHandler(journeyEventSignal, (event) => {
    pending.push(event);
  });
  // A batch from the outbox relay, in the order owed; repeats are dropped by event id below.
  // Registering a handler issues no command, so histories recorded before it replay unchanged.
  setHandler(journeyEventsSignal, (events) => {
    pending.push(...events);
  });
  setHandler(stageQuery, () => state.stage);
  setHandler(historyQuery, () => state.history);

  const publish = () =>
    upsertSearchAttributes([
      {
        key: searchAttributes.customerId,
        value: state.stage === 'OPTED_OUT' ? null : state.customerId,
      },
      { key: searchAttributes.stage, value: state.stage },
      { key: searchAttributes.campaignId, value: state.campaignId },
      { key: searchAttributes.serial, value: state.serial },
    ]);
  publish();

  for (;;) {
    const retargetAt = retargetDueAt(state, timers.retargetAfterMs);
    const lapseAt =
      Date.parse(state.lastTouchAt ?? workflowInfo().startTime.toISOString()) +
      timers.journeyLapsesAfterMs;
    const dueAt = retargetAt === null ? lapseAt : Math.min(retargetAt, lapseAt);
    if (!(await nextWake(() => pending.length > 0, dueAt, condition))) {
      if (retargetAt !== null && retargetAt <= Date.now()) {
        await activities.sendRetargetingOffer({
          customerId: state.customerId,
          sku: state.sku,
          workflowId,
          now: new Date().toISOString(),
        });
        state = { ...state, retargeted: true };
        continue;
      }
      return { stage: state.stage, serial: state.serial }; // lapsed: no touch for too long
    }
    while (pending.length > 0) {
      const event = pending.shift() as JourneyEvent;
      const decision = decideJourney(state, event);
      if (decision.outcome === 'duplicate') continue;
      const next = applyJourney(state, event, decision);
      const { action } = decision;
      if (action.kind === 'wipe') {
        await activities.wipeCustomerProduct({ customerId: state.customerId, sku: state.sku });
      } else if (
        decision.outcome === 'advanced' &&
        next.stage !== null &&
        next.stage !== 'OPTED_OUT'
      ) {
        await activities.recordJourneyStage({
          workflowId,
          customerId: state.customerId,
          sku: state.sku,
          occurredAt: event.occurredAt,
          stage: next.stage,
          sequence: next.sequence,
          campaignId: next.campaignId,
        });
      }
      if (action.kind === 'consider-proximity-coupon') {
        await activities.considerProximityCoupon({
          customerId: state.customerId,
          sku: state.sku,
          storeId: action.storeId,
          eventId: event.eventId,
          now: new Date().toISOString(),
        });
      }
      state = next;
      publish();
      if (isJourneyOver(state)) {
        await condition(allHandlersFinished);
        return { stage: state.stage, serial: state.serial };
      }
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > historyLimit) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof customerJourney>({ ...input, state, pending });
    }
  }
}
