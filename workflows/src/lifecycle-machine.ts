/**
 * The device lifecycle as a pure state machine. The workflow feeds it events and acts on its
 * decisions; keeping it free of Temporal makes every rule testable in isolation, and keeps the
 * workflow deterministic by construction.
 */

/** Lifecycle stages in the order a person and a product pass through them. */
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
  'SHIPMENT_UPDATE',
  'DELIVERED',
  'INSTALLED',
  'SUPPORT_REQUEST',
  'FEEDBACK',
  'OPT_OUT',
  'RETIRED',
  'HEALTH_CHANGE',
  'EXPERT_REQUESTED',
] as const;
export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];

interface DeviceEventBase {
  eventId: string;
  serial: string;
  /** ISO-8601 time at which it happened. */
  occurredAt: string;
}

/**
 * A lifecycle event for one device. Ids only: nothing that identifies a person by name, address
 * or location ever enters a workflow history.
 */
export type DeviceEvent = DeviceEventBase &
  (
    | { type: 'PURCHASED'; customerId: string; orderId: string }
    | { type: 'SHIPMENT_UPDATE'; orderId: string }
    | { type: 'DELIVERED'; orderId: string }
    | { type: 'INSTALLED' }
    | { type: 'SUPPORT_REQUEST' }
    | { type: 'FEEDBACK' }
    | { type: 'OPT_OUT'; customerId: string }
    | { type: 'RETIRED' }
    | { type: 'HEALTH_CHANGE'; change: HealthSignal; failureRisk: number }
    | { type: 'EXPERT_REQUESTED' }
  );

/** The health changes telemetry evaluation signals to a lifecycle. */
export type HealthSignal = 'PREDICTED_FAILURE' | 'FAILED' | 'SILENT' | 'INK_LOW' | 'RECOVERED';

/** What the lifecycle remembers across events and across continue-as-new. */
export interface LifecycleState {
  serial: string;
  stage: LifecycleStage | null;
  customerId: string | null;
  orderId: string | null;
  /** When the device was delivered, from the delivery event: the installation clock. */
  deliveredAt: string | null;
  installHelpOffered: boolean;
  /** The intervention under way, and how many the device has had. */
  openInterventionId: string | null;
  interventions: number;
  /** Increases on every stage change, so a stale write can never overwrite a newer stage. */
  sequence: number;
  /** The most recent event ids, to drop redeliveries without asking the graph. */
  recentEventIds: string[];
  history: HistoryEntry[];
}

/** One line of a lifecycle's readable history, as the `history` query returns it. */
export interface HistoryEntry {
  eventId: string;
  type: string;
  occurredAt: string;
  outcome: Decision['kind'];
  stage: LifecycleStage | null;
  note?: string;
}

export type Decision =
  | { kind: 'advanced'; stage: LifecycleStage }
  | { kind: 'recorded'; reason: string }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string };

const STAGE_OF_EVENT: Record<DeviceEventType, LifecycleStage | null> = {
  PURCHASED: 'PURCHASED',
  SHIPMENT_UPDATE: 'DELIVERING',
  DELIVERED: 'INSTALLING',
  INSTALLED: 'SUPPORT',
  SUPPORT_REQUEST: null,
  FEEDBACK: null,
  OPT_OUT: 'OPTED_OUT',
  RETIRED: 'RETIRED',
  HEALTH_CHANGE: null,
  EXPERT_REQUESTED: null,
};

export const RECENT_EVENT_IDS = 500;
export const HISTORY_ENTRIES = 50;

const rank = (stage: LifecycleStage | null) =>
  stage === null ? -1 : LIFECYCLE_STAGES.indexOf(stage);

/** Stages after which the lifecycle ends. */
export const FINAL_STAGES: readonly LifecycleStage[] = ['OPTED_OUT', 'RETIRED'];

export function initialState(serial: string): LifecycleState {
  return {
    serial,
    stage: null,
    customerId: null,
    orderId: null,
    deliveredAt: null,
    installHelpOffered: false,
    openInterventionId: null,
    interventions: 0,
    sequence: 0,
    recentEventIds: [],
    history: [],
  };
}

/**
 * Decides what an event does. Stages only move forward: an event that arrives late (its stage
 * is behind the current one) is recorded but changes nothing, and an event that skips ahead
 * (delivered before any shipment update) moves straight to its stage, since it implies the rest.
 */
export function decide(state: LifecycleState, event: DeviceEvent): Decision {
  if (state.recentEventIds.includes(event.eventId)) return { kind: 'duplicate' };
  if (state.stage !== null && FINAL_STAGES.includes(state.stage)) {
    return { kind: 'ignored', reason: 'the lifecycle has ended' };
  }
  if (
    event.type === 'PURCHASED' &&
    state.customerId !== null &&
    state.customerId !== event.customerId
  ) {
    return { kind: 'ignored', reason: 'the device already belongs to another customer' };
  }
  if (event.type === 'OPT_OUT' && event.customerId !== state.customerId) {
    return { kind: 'ignored', reason: 'the customer opting out does not own the device' };
  }
  const target = STAGE_OF_EVENT[event.type];
  if (target === null)
    return { kind: 'recorded', reason: event.type.toLowerCase().replace('_', ' ') };
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
  const applies = decision.kind !== 'ignored';
  const advanced = decision.kind === 'advanced';
  const stage = advanced ? decision.stage : state.stage;
  let { customerId, orderId, deliveredAt } = state;
  if (applies && event.type === 'PURCHASED') {
    customerId = event.customerId;
    orderId = event.orderId;
  }
  if (applies && event.type === 'DELIVERED') deliveredAt ??= event.occurredAt;
  // Opting out ends every personal link: the lifecycle forgets whose device it was.
  if (advanced && decision.stage === 'OPTED_OUT') customerId = null;
  return {
    ...state,
    stage,
    customerId,
    orderId,
    deliveredAt,
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
        ...(decision.kind === 'recorded' || decision.kind === 'ignored'
          ? { note: decision.reason }
          : {}),
      },
    ].slice(-HISTORY_ENTRIES),
  };
}

/**
 * When the lifecycle should offer installation help if the device is still not installed:
 * `afterMs` after delivery, once. Null when no such timer is due.
 */
export function installHelpDueAt(state: LifecycleState, afterMs: number): number | null {
  if (state.stage !== 'INSTALLING' || state.installHelpOffered || state.deliveredAt === null) {
    return null;
  }
  return Date.parse(state.deliveredAt) + afterMs;
}

/** What the lifecycle does about an event besides its stage: interventions. */
export type InterventionAction =
  | { kind: 'none' }
  | {
      kind: 'open';
      reason: 'PREDICTED_FAILURE' | 'FAILED' | 'SILENT' | 'CUSTOMER_REQUEST';
      shipPart: boolean;
    }
  | { kind: 'confirm' }
  | { kind: 'escalate' };

/** Failure risk from which a predicted failure ships a replacement part with the fix. */
export const SHIP_PART_RISK = 0.8;

/**
 * Decides interventions. Telemetry opens one only for an installed device in use with an owner,
 * and only one at a time; a recovery confirms the open one; asking for an expert escalates the
 * open one or opens one already escalated.
 */
export function interventionAction(state: LifecycleState, event: DeviceEvent): InterventionAction {
  const none: InterventionAction = { kind: 'none' };
  if (state.customerId === null) return none;
  const open = state.openInterventionId !== null;
  if (event.type === 'EXPERT_REQUESTED') {
    return open
      ? { kind: 'escalate' }
      : { kind: 'open', reason: 'CUSTOMER_REQUEST', shipPart: false };
  }
  if (event.type !== 'HEALTH_CHANGE') return none;
  if (event.change === 'RECOVERED') return open ? { kind: 'confirm' } : none;
  if (event.change === 'INK_LOW' || open || state.stage !== 'SUPPORT') return none;
  return {
    kind: 'open',
    reason: event.change,
    shipPart: event.change === 'FAILED' || event.failureRisk >= SHIP_PART_RISK,
  };
}
