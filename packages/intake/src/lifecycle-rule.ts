/**
 * Which of an accepted event's signals can change its lifecycle, with no I/O. An event whose
 * signal cannot change its lifecycle's state is a touchpoint only, as telemetry that changes no
 * health is: the lifecycle would record it and do nothing.
 *
 * The rule judges on the stages the lifecycles last recorded in the graph. Those trail the
 * lifecycles (a signal may be owed and not yet decided), and stages only move forward, so a
 * signal is left out only when the recorded stage already proves it changes nothing:
 *
 * - Device lifecycles: a lifecycle that has ended (OPTED_OUT, RETIRED) takes nothing more (and is
 *   never started again); a support request or feedback never changes a stage or opens an
 *   intervention (asking for an expert does); a shipment update, delivery or installation whose
 *   stage the device has reached already is late. A purchase, an opt-out and health changes
 *   always go through.
 * - Journeys: an impression for someone already interested or engaged, and a click for someone
 *   engaged, change no stage. A journey that ended (bought, opted out) is started afresh by the
 *   next touch, so those go through; so do proximity (a coupon is the journey's to consider),
 *   purchases and opt-outs.
 *
 * Consequence, documented in the README: a journey's lapse timer and its latest campaign follow
 * the touches that were signalled, not the repeats left out.
 */
import {
  LIFECYCLE_STAGES,
  type DeviceEvent,
  type JourneyEvent,
  type JourneyStage,
  type LifecycleStage,
} from '@experience-graph/workflows';

/** What became of an accepted event beyond its touchpoint. */
export type EventOutcome = 'SIGNALLED' | 'RECORDED_ONLY' | 'LIFECYCLE_ENDED';

const ENDED: readonly LifecycleStage[] = ['OPTED_OUT', 'RETIRED'];

const DEVICE_TARGET: Partial<Record<DeviceEvent['type'], LifecycleStage>> = {
  SHIPMENT_UPDATE: 'DELIVERING',
  DELIVERED: 'INSTALLING',
  INSTALLED: 'SUPPORT',
};

const rank = (stage: LifecycleStage | null | undefined) =>
  stage == null ? -1 : LIFECYCLE_STAGES.indexOf(stage);

/** Whether a device signal can change a lifecycle at `stage`; 'ended' if that lifecycle ended. */
export function deviceSignalMatters(
  event: DeviceEvent,
  stage: LifecycleStage | null | undefined,
): boolean | 'ended' {
  if (stage != null && ENDED.includes(stage)) return 'ended';
  switch (event.type) {
    case 'SUPPORT_REQUEST':
    case 'FEEDBACK':
      return false;
    case 'SHIPMENT_UPDATE':
    case 'DELIVERED':
    case 'INSTALLED':
      return rank(DEVICE_TARGET[event.type]) > rank(stage);
    default:
      return true;
  }
}

/** The stage a device lifecycle reaches at least once a signal is decided. */
export function deviceStageAfter(
  event: DeviceEvent,
  stage: LifecycleStage | null | undefined,
): LifecycleStage | null {
  const target =
    event.type === 'PURCHASED'
      ? 'PURCHASED'
      : event.type === 'OPT_OUT'
        ? 'OPTED_OUT'
        : event.type === 'RETIRED'
          ? 'RETIRED'
          : DEVICE_TARGET[event.type];
  if (target === undefined) return stage ?? null;
  return rank(target) > rank(stage) ? target : (stage ?? null);
}

const JOURNEY_ORDER: readonly JourneyStage[] = ['INTERESTED', 'ENGAGED', 'PURCHASED', 'OPTED_OUT'];
const journeyRank = (stage: JourneyStage | null | undefined) =>
  stage == null ? -1 : JOURNEY_ORDER.indexOf(stage);

/** Whether a journey signal can change a journey at `stage`. */
export function journeySignalMatters(
  event: JourneyEvent,
  stage: JourneyStage | null | undefined,
): boolean {
  if (event.type === 'AD_IMPRESSION') return !(stage === 'INTERESTED' || stage === 'ENGAGED');
  if (event.type === 'AD_CLICK') return stage !== 'ENGAGED';
  return true;
}

/** The stage a journey reaches at least once a signal is decided. */
export function journeyStageAfter(
  event: JourneyEvent,
  stage: JourneyStage | null | undefined,
): JourneyStage | null {
  const target: JourneyStage | null =
    event.type === 'AD_IMPRESSION'
      ? 'INTERESTED'
      : event.type === 'AD_CLICK'
        ? 'ENGAGED'
        : event.type === 'PURCHASED'
          ? 'PURCHASED'
          : event.type === 'OPT_OUT'
            ? 'OPTED_OUT'
            : null;
  if (target === null) return stage ?? null;
  // A touch after the journey ended starts a new one.
  if (stage === 'PURCHASED' || stage === 'OPTED_OUT') return target;
  return journeyRank(target) > journeyRank(stage) ? target : (stage ?? null);
}

/**
 * The outcome of an accepted event from what its signals were judged: signalled if any signal
 * is owed; its lifecycle ended if every signal it had was for an ended lifecycle; else a
 * touchpoint only.
 */
export function outcomeOf(judged: ReadonlyArray<boolean | 'ended'>): EventOutcome {
  if (judged.some((j) => j === true)) return 'SIGNALLED';
  if (judged.length > 0 && judged.every((j) => j === 'ended')) return 'LIFECYCLE_ENDED';
  return 'RECORDED_ONLY';
}
