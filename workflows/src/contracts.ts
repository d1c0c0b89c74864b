/**
 * Everything a client of the lifecycle workflows needs: ids, signals, queries, search
 * attributes and payload types. Clients import this module, never the workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JourneyEvent, JourneyStage, JourneyState } from './journey-machine';
import type {
  DeviceEvent,
  HistoryEntry,
  LifecycleStage,
  LifecycleState,
} from './lifecycle-machine';

export type { JourneyEvent, JourneyEventType, JourneyStage } from './journey-machine';
export { JOURNEY_EVENT_TYPES } from './journey-machine';
export type {
  DeviceEvent,
  DeviceEventType,
  HistoryEntry,
  LifecycleStage,
} from './lifecycle-machine';
export { DEVICE_EVENT_TYPES, LIFECYCLE_STAGES } from './lifecycle-machine';

/** Workflow type names, as registered with the worker. */
export const DEVICE_LIFECYCLE_WORKFLOW = 'deviceLifecycle';
export const JOURNEY_WORKFLOW = 'customerJourney';
export const INTERVENTION_WORKFLOW = 'deviceIntervention';
export const ERASURE_WORKFLOW = 'customerErasure';

/** The lifecycle of a device is keyed by its serial, so starting it twice is harmless. */
export function deviceLifecycleWorkflowId(serial: string): string {
  return `device:${serial}`;
}

/** Before the sale, a person's journey with a product model is keyed by both. */
export function journeyWorkflowId(customerId: string, sku: string): string {
  return `journey:${customerId}:${sku}`;
}

/** The n-th intervention on a device; n counts from 1 over the device's whole life. */
export function interventionWorkflowId(serial: string, n: number): string {
  return `intervention:${serial}:${n}`;
}

/**
 * The erasure of a customer is keyed by its id, the salted hash of the customer id: never the
 * id itself, which must not outlive the person in Temporal.
 */
export function erasureWorkflowId(erasureId: string): string {
  return `erasure:${erasureId}`;
}

/**
 * The steps of an erasure, in order; each is an idempotent activity taking only the erasure id.
 * Lifecycles stop first, while the person is still in the graph to name them; the customer
 * node goes last, so an interrupted erasure still finds everything it has left to do.
 */
export const ERASURE_STEPS = [
  'stopLifecycles',
  'keepReferralChains',
  'anonymiseTouchpoints',
  'forgetIdentifiers',
  'deletePersonalNodes',
  'deleteCustomer',
  'completeErasure',
] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

/**
 * Input of the erasure workflow. It holds only the erasure id (a salted hash): Temporal keeps
 * workflow inputs in its history, and nothing there may name the person.
 */
export interface ErasureInput {
  erasureId: string;
}

const DAY_MS = 24 * 3600_000;

/** How long the lifecycles wait on silence before acting; shortened only in tests. */
export interface LifecycleTimers {
  /** Delivered but not installed for this long: offer installation help. */
  installHelpAfterMs: number;
  /** Engaged but not bought for this long: send a retargeting offer. */
  retargetAfterMs: number;
  /** No touch at all for this long: the journey lapses and ends. */
  journeyLapsesAfterMs: number;
  /** How often a device lifecycle checks that telemetry still arrives. */
  healthCheckEveryMs: number;
  /** Fix not confirmed by telemetry or the customer in this time: escalate to an expert. */
  confirmFixWithinMs: number;
}

export const DEFAULT_TIMERS: LifecycleTimers = {
  installHelpAfterMs: 3 * DAY_MS,
  retargetAfterMs: 7 * DAY_MS,
  journeyLapsesAfterMs: 180 * DAY_MS,
  healthCheckEveryMs: DAY_MS,
  confirmFixWithinMs: 2 * DAY_MS,
};

/** Why an intervention was opened. */
export type InterventionReason = 'PREDICTED_FAILURE' | 'FAILED' | 'SILENT' | 'CUSTOMER_REQUEST';
/** How an intervention ended. */
export type InterventionOutcome =
  'CONFIRMED_BY_TELEMETRY' | 'CONFIRMED_BY_CUSTOMER' | 'RESOLVED_BY_EXPERT' | 'CANCELLED';

export interface InterventionInput {
  interventionId: string;
  serial: string;
  customerId: string;
  reason: InterventionReason;
  /** Ship a replacement part with the fix (a failure, or a failure predicted soon). */
  shipPart: boolean;
  /** The device lifecycle to tell when the intervention closes. */
  parentWorkflowId: string;
  confirmFixWithinMs: number;
}

export interface InterventionResult {
  interventionId: string;
  outcome: InterventionOutcome;
}

export type InterventionStatus = 'OPEN' | 'AWAITING_CONFIRMATION' | 'ESCALATED' | 'CLOSED';

/** Telemetry or the customer confirms that the fix worked. */
export const fixConfirmedSignal =
  defineSignal<[{ source: 'TELEMETRY' | 'CUSTOMER' }]>('fixConfirmed');
/** The customer asks for a human: escalate now. */
export const escalateSignal = defineSignal('escalate');
/** A human expert resolved the case. */
export const expertResolvedSignal = defineSignal<[{ note: string | null }]>('expertResolved');
/** An intervention tells its device lifecycle that it closed. */
export const interventionClosedSignal = defineSignal<[InterventionResult]>('interventionClosed');
/** Where an intervention stands. */
export const interventionStatusQuery = defineQuery<InterventionStatus>('interventionStatus');

/** Input of the device lifecycle; `state` and `pending` carry it across continue-as-new. */
export interface DeviceLifecycleInput {
  serial: string;
  timers?: Partial<LifecycleTimers>;
  state?: LifecycleState;
  pending?: DeviceEvent[];
  /** History events after which the lifecycle continues as new; lower only to test it. */
  historyLimit?: number;
  /**
   * Set on a lifecycle an erasure put back from the graph's state in place of the runs it
   * deleted: it holds nothing personal, starts in its final stage and ends at once.
   */
  restoredFromGraph?: boolean;
}

export interface DeviceLifecycleResult {
  serial: string;
  stage: LifecycleStage | null;
}

export interface JourneyInput {
  customerId: string;
  sku: string;
  timers?: Partial<LifecycleTimers>;
  state?: JourneyState;
  pending?: JourneyEvent[];
  historyLimit?: number;
}

export interface JourneyResult {
  stage: JourneyStage | null;
  serial: string | null;
}

/** Delivers one lifecycle event to the device's workflow. */
export const deviceEventSignal = defineSignal<[DeviceEvent]>('deviceEvent');
/** Delivers one journey event to a person's journey with a product model. */
export const journeyEventSignal = defineSignal<[JourneyEvent]>('journeyEvent');
/**
 * Delivers a device's events in the order they were owed, as the outbox relay sends them: one
 * signal, one history event, for many events. The single-event signal stays for older
 * histories and for callers that send one event.
 */
export const deviceEventsSignal = defineSignal<[DeviceEvent[]]>('deviceEvents');
/** Delivers a journey's events in the order they were owed; see {@link deviceEventsSignal}. */
export const journeyEventsSignal = defineSignal<[JourneyEvent[]]>('journeyEvents');
/** The stage the workflow has decided, or null before the first event. */
export const stageQuery = defineQuery<LifecycleStage | null>('stage');
/** The most recent events and what each did, newest last. */
export const historyQuery = defineQuery<HistoryEntry[]>('history');

/** Custom search attributes that make lifecycles findable in the Temporal Web UI. */
export const searchAttributes = {
  serial: defineSearchAttributeKey('Serial', SearchAttributeType.KEYWORD),
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('LifecycleStage', SearchAttributeType.KEYWORD),
  campaignId: defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD),
  openIntervention: defineSearchAttributeKey('OpenIntervention', SearchAttributeType.BOOL),
} as const;
