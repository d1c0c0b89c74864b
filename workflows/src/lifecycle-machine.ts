/**
 * The device lifecycle as a pure state machine. The workflow feeds it events and acts on its
 * decisions; keeping it free of Temporal makes every rule testable in isolation, and keeps the
 * workflow deterministic by construction.
 */

/** Lifecycle stages in the order a device passes through them. */
export const LIFECYCLE_STAGES = [
  'INTERESTED',
  'ENGAGED',
  'PURCHASED',
  'DELIVERING',
  'INSTALLING',
  'SUPPORT',
  'OPTED_OUT',
  'RETIRED',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const DEVICE_EVENT_TYPES = [
  'PURCHASED',
  'SHIPPED',
  'DELIVERED',
  'INSTALLED',
  'RETIRED',
] as const;
export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];

/** A lifecycle event for one device. Ids only: nothing that identifies a person by name. */
export interface DeviceEvent {
  eventId: string;
  type: DeviceEventType;
  serial: string;
  customerId: string | null;
  /** ISO-8601 time at which it happened. */
  occurredAt: string;
}

/** What the lifecycle remembers across events and across continue-as-new. */
export interface LifecycleState {
  serial: string;
  stage: LifecycleStage | null;
  customerId: string | null;
  /** Increases on every stage change, so a stale write can never overwrite a newer stage. */
  sequence: number;
  /** The most recent event ids, to drop redeliveries without asking the graph. */
  recentEventIds: string[];
  history: HistoryEntry[];
}

/** One line of a lifecycle's readable history, as the `history` query returns it. */
export interface HistoryEntry {
  eventId: string;
  type: DeviceEventType;
  occurredAt: string;
  outcome: Decision['kind'];
  stage: LifecycleStage | null;
}

export type Decision =
  | { kind: 'advanced'; stage: LifecycleStage }
  | { kind: 'recorded'; reason: string }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string };

const STAGE_OF_EVENT: Record<DeviceEventType, LifecycleStage> = {
  PURCHASED: 'PURCHASED',
  SHIPPED: 'DELIVERING',
  DELIVERED: 'INSTALLING',
  INSTALLED: 'SUPPORT',
  RETIRED: 'RETIRED',
};

export const RECENT_EVENT_IDS = 500;
export const HISTORY_ENTRIES = 50;

const rank = (stage: LifecycleStage | null) =>
  stage === null ? -1 : LIFECYCLE_STAGES.indexOf(stage);

export function initialState(serial: string): LifecycleState {
  return { serial, stage: null, customerId: null, sequence: 0, recentEventIds: [], history: [] };
}

/**
 * Decides what an event does. Stages only move forward: an event that arrives late (its stage
 * is behind the current one) is recorded but changes nothing, and an event that skips ahead
 * (delivered before shipped was seen) moves straight to its stage, since it implies the rest.
 */
export function decide(state: LifecycleState, event: DeviceEvent): Decision {
  if (state.recentEventIds.includes(event.eventId)) return { kind: 'duplicate' };
  if (state.stage === 'RETIRED') return { kind: 'ignored', reason: 'the lifecycle has ended' };
  if (event.type === 'PURCHASED') {
    if (event.customerId === null)
      return { kind: 'ignored', reason: 'a purchase needs a customer' };
    if (state.customerId !== null && state.customerId !== event.customerId) {
      return { kind: 'ignored', reason: 'the device already belongs to another customer' };
    }
  }
  const target = STAGE_OF_EVENT[event.type];
  if (rank(target) <= rank(state.stage)) {
    return { kind: 'recorded', reason: `late: the device is already ${state.stage}` };
  }
  return { kind: 'advanced', stage: target };
}

/** Applies a decision, returning the next state; the input state is not changed. */
export function apply(
  state: LifecycleState,
  event: DeviceEvent,
  decision: Decision,
): LifecycleState {
  if (decision.kind === 'duplicate') return state;
  const advanced = decision.kind === 'advanced';
  const customerId =
    decision.kind !== 'ignored' && event.type === 'PURCHASED' ? event.customerId : state.customerId;
  const stage = advanced ? decision.stage : state.stage;
  return {
    serial: state.serial,
    stage,
    customerId,
    sequence: advanced ? state.sequence + 1 : state.sequence,
    recentEventIds: [...state.recentEventIds, event.eventId].slice(-RECENT_EVENT_IDS),
    history: [
      ...state.history,
      {
        eventId: event.eventId,
        type: event.type,
        occurredAt: event.occurredAt,
        outcome: decision.kind,
        stage,
      },
    ].slice(-HISTORY_ENTRIES),
  };
}
