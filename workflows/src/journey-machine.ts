/**
 * The decision journey of one person with one product model before the sale, as a pure state
 * machine: seen an ad (interested), acted on it (engaged), bought (the device's own lifecycle
 * takes over) or opted out.
 */
import {
  HISTORY_ENTRIES,
  RECENT_EVENT_IDS,
  type HistoryEntry,
  type LifecycleStage,
} from './lifecycle-machine';

export const JOURNEY_EVENT_TYPES = [
  'AD_IMPRESSION',
  'AD_CLICK',
  'STORE_PROXIMITY',
  'PURCHASED',
  'OPT_OUT',
] as const;
export type JourneyEventType = (typeof JOURNEY_EVENT_TYPES)[number];

interface JourneyEventBase {
  eventId: string;
  customerId: string;
  sku: string;
  occurredAt: string;
}

/** A journey event. Ids only: the store a person is near, never where they are. */
export type JourneyEvent = JourneyEventBase &
  (
    | { type: 'AD_IMPRESSION'; campaignId: string }
    | { type: 'AD_CLICK'; campaignId: string }
    | { type: 'STORE_PROXIMITY'; storeId: string }
    | { type: 'PURCHASED'; serial: string; orderId: string }
    | { type: 'OPT_OUT' }
  );

export type JourneyStage = Extract<
  LifecycleStage,
  'INTERESTED' | 'ENGAGED' | 'PURCHASED' | 'OPTED_OUT'
>;

export interface JourneyState {
  customerId: string;
  sku: string;
  stage: JourneyStage | null;
  /** The campaign of the latest ad touch, for search and attribution. */
  campaignId: string | null;
  engagedAt: string | null;
  lastTouchAt: string | null;
  retargeted: boolean;
  /** Stores where a proximity coupon was already considered, so one visit is one decision. */
  storesConsidered: string[];
  serial: string | null;
  sequence: number;
  recentEventIds: string[];
  history: HistoryEntry[];
}

/** What the journey workflow must do about an event, beyond recording it. */
export type JourneyAction =
  | { kind: 'none' }
  | { kind: 'consider-proximity-coupon'; storeId: string }
  | { kind: 'hand-over'; serial: string }
  | { kind: 'wipe' };

export interface JourneyDecision {
  outcome: HistoryEntry['outcome'];
  stage: JourneyStage | null;
  action: JourneyAction;
  note?: string;
}

const ORDER: JourneyStage[] = ['INTERESTED', 'ENGAGED', 'PURCHASED', 'OPTED_OUT'];
const rank = (stage: JourneyStage | null) => (stage === null ? -1 : ORDER.indexOf(stage));

export function initialJourney(customerId: string, sku: string): JourneyState {
  return {
    customerId,
    sku,
    stage: null,
    campaignId: null,
    engagedAt: null,
    lastTouchAt: null,
    retargeted: false,
    storesConsidered: [],
    serial: null,
    sequence: 0,
    recentEventIds: [],
    history: [],
  };
}

export function isJourneyOver(state: JourneyState): boolean {
  return state.stage === 'PURCHASED' || state.stage === 'OPTED_OUT';
}

/**
 * Decides an event. A purchase without any earlier touch is a walk-in sale: it is accepted and
 * simply starts the journey at PURCHASED (attribution then finds no campaign).
 */
export function decideJourney(state: JourneyState, event: JourneyEvent): JourneyDecision {
  const none: JourneyAction = { kind: 'none' };
  if (state.recentEventIds.includes(event.eventId)) {
    return { outcome: 'duplicate', stage: state.stage, action: none };
  }
  if (isJourneyOver(state)) {
    return { outcome: 'ignored', stage: state.stage, action: none, note: 'the journey has ended' };
  }
  const advanceTo = (target: JourneyStage, action: JourneyAction = none): JourneyDecision =>
    rank(target) > rank(state.stage)
      ? { outcome: 'advanced', stage: target, action }
      : { outcome: 'recorded', stage: state.stage, action, note: `already ${state.stage}` };
  switch (event.type) {
    case 'AD_IMPRESSION':
      return advanceTo('INTERESTED');
    case 'AD_CLICK':
      return advanceTo('ENGAGED');
    case 'STORE_PROXIMITY':
      if (state.stage !== 'ENGAGED') {
        return {
          outcome: 'recorded',
          stage: state.stage,
          action: none,
          note: 'not engaged: no offer',
        };
      }
      if (state.storesConsidered.includes(event.storeId)) {
        return {
          outcome: 'recorded',
          stage: state.stage,
          action: none,
          note: 'offer already considered',
        };
      }
      return {
        outcome: 'recorded',
        stage: state.stage,
        action: { kind: 'consider-proximity-coupon', storeId: event.storeId },
      };
    case 'PURCHASED':
      return {
        outcome: 'advanced',
        stage: 'PURCHASED',
        action: { kind: 'hand-over', serial: event.serial },
      };
    case 'OPT_OUT':
      return { outcome: 'advanced', stage: 'OPTED_OUT', action: { kind: 'wipe' } };
  }
}

export function applyJourney(
  state: JourneyState,
  event: JourneyEvent,
  decision: JourneyDecision,
): JourneyState {
  if (decision.outcome === 'duplicate') return state;
  const applies = decision.outcome !== 'ignored';
  const advanced = decision.outcome === 'advanced';
  const next: JourneyState = {
    ...state,
    stage: decision.stage,
    sequence: advanced ? state.sequence + 1 : state.sequence,
    recentEventIds: [...state.recentEventIds, event.eventId].slice(-RECENT_EVENT_IDS),
    history: [
      ...state.history,
      {
        eventId: event.eventId,
        type: event.type,
        occurredAt: event.occurredAt,
        outcome: decision.outcome,
        stage: decision.stage,
        ...(decision.note ? { note: decision.note } : {}),
      },
    ].slice(-HISTORY_ENTRIES),
  };
  if (!applies) return next;
  if (event.type === 'AD_IMPRESSION' || event.type === 'AD_CLICK')
    next.campaignId = event.campaignId;
  if (advanced && decision.stage === 'ENGAGED') next.engagedAt = event.occurredAt;
  if (event.type === 'STORE_PROXIMITY' && decision.action.kind === 'consider-proximity-coupon') {
    next.storesConsidered = [...state.storesConsidered, event.storeId].slice(-50);
  }
  if (event.type === 'PURCHASED') next.serial = event.serial;
  if (event.type !== 'OPT_OUT') next.lastTouchAt = event.occurredAt;
  return next;
}

/** When to send a retargeting offer to an engaged person who has not bought: once, `afterMs` after engaging. */
export function retargetDueAt(state: JourneyState, afterMs: number): number | null {
  if (state.stage !== 'ENGAGED' || state.retargeted || state.engagedAt === null) return null;
  return Date.parse(state.engagedAt) + afterMs;
}
