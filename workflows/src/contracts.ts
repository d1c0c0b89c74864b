/**
 * Everything a client of the lifecycle workflows needs: ids, signals, queries, search
 * attributes and payload types. Clients import this module, never the workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  DeviceEvent,
  HistoryEntry,
  LifecycleStage,
  LifecycleState,
} from './lifecycle-machine';

export type {
  DeviceEvent,
  DeviceEventType,
  HistoryEntry,
  LifecycleStage,
} from './lifecycle-machine';
export { DEVICE_EVENT_TYPES, LIFECYCLE_STAGES } from './lifecycle-machine';

/** Workflow type name of the device lifecycle, as registered with the worker. */
export const DEVICE_LIFECYCLE_WORKFLOW = 'deviceLifecycle';

/** The lifecycle of a device is keyed by its serial, so starting it twice is harmless. */
export function deviceLifecycleWorkflowId(serial: string): string {
  return `device:${serial}`;
}

/** Input of the device lifecycle; `state` and `pending` carry it across continue-as-new. */
export interface DeviceLifecycleInput {
  serial: string;
  state?: LifecycleState;
  pending?: DeviceEvent[];
  /** History events after which the lifecycle continues as new; lower only to test it. */
  historyLimit?: number;
}

export interface DeviceLifecycleResult {
  serial: string;
  stage: LifecycleStage | null;
}

/** Delivers one lifecycle event to the device's workflow. */
export const deviceEventSignal = defineSignal<[DeviceEvent]>('deviceEvent');
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
