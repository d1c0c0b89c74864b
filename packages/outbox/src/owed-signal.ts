/** The workflows a signal may be owed to. */
export type OwedWorkflowType = 'deviceLifecycle' | 'customerJourney';

/** Every workflow type of {@link OwedWorkflowType}, for validating what is read back. */
export const OWED_WORKFLOW_TYPES: readonly OwedWorkflowType[] = [
  'deviceLifecycle',
  'customerJourney',
];

/** One signal the intake owes a lifecycle; `event` is a DeviceEvent or JourneyEvent as JSON. */
export interface OwedSignal {
  workflowType: OwedWorkflowType;
  workflowId: string;
  /** Unique per workflow: the lifecycle drops a repeat by it. */
  eventId: string;
  event: Record<string, unknown>;
}

/** What is owed on a lane (or on every lane) and since when. */
export interface SignalBacklog {
  /** Signals owed and not delivered yet. */
  owed: number;
  /** When the oldest of them was owed (ISO 8601, the graph's clock), or null when none is. */
  oldestOwedAt: string | null;
}
