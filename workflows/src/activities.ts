import { ApplicationFailure } from '@temporalio/common';
import type { Graph } from '@experience-graph/neo4j';
import type { DeviceEvent, LifecycleStage } from './lifecycle-machine';

/** What the lifecycle hands the graph after deciding on an event. */
export interface RecordDeviceEventInput {
  workflowId: string;
  event: DeviceEvent;
  /** The owner after the event, or null while the device is unsold. */
  customerId: string | null;
  stage: LifecycleStage | null;
  sequence: number;
}

export interface RecordDeviceEventResult {
  stage: LifecycleStage | null;
}

export interface ActivityDependencies {
  graph: Graph;
}

// One statement so the event, the ownership and the stage land together or not at all. The
// sequence guard makes a retried or overtaken write harmless: a stage is only ever replaced by a
// newer one, and the event node is merged by its id.
const RECORD_DEVICE_EVENT = `
OPTIONAL MATCH (d:Device {serial: $serial})
OPTIONAL MATCH (c:Customer {id: $customerId})
WITH d, c
WHERE d IS NOT NULL AND ($customerId IS NULL OR c IS NOT NULL)
MERGE (e:LifecycleEvent {eventId: $eventId})
  ON CREATE SET e.type = $type, e.occurredAt = datetime($occurredAt), e.recordedAt = datetime()
MERGE (d)-[:HAD_EVENT]->(e)
SET d.lifecycleWorkflowId = $workflowId
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END |
  MERGE (c)-[o:OWNS]->(d) ON CREATE SET o.since = datetime($occurredAt))
FOREACH (_ IN CASE WHEN $stage IS NOT NULL AND coalesce(d.stageSequence, 0) < $sequence THEN [1] ELSE [] END |
  SET d.stage = $stage, d.stageChangedAt = datetime($occurredAt), d.stageSequence = $sequence)
RETURN d.stage AS stage`;

/**
 * Builds the lifecycle activities around their dependencies; the worker owns the connections.
 * Every activity is idempotent, because Temporal may run it more than once.
 */
export function createActivities({ graph }: ActivityDependencies) {
  return {
    /** Records an event on the device, its owner and the stage the workflow decided. */
    async recordDeviceEvent(input: RecordDeviceEventInput): Promise<RecordDeviceEventResult> {
      const { event } = input;
      const rows = await graph.write<{ stage: LifecycleStage | null }>(RECORD_DEVICE_EVENT, {
        serial: event.serial,
        customerId: input.customerId,
        eventId: event.eventId,
        type: event.type,
        occurredAt: event.occurredAt,
        workflowId: input.workflowId,
        stage: input.stage,
        sequence: input.sequence,
      });
      const row = rows[0];
      if (row) return { stage: row.stage };
      // Nothing was written: say which key is unknown. Retrying cannot create it.
      const [found] = await graph.read<{ device: boolean; customer: boolean }>(
        `RETURN EXISTS { (:Device {serial: $serial}) } AS device,
                EXISTS { (:Customer {id: $customerId}) } AS customer`,
        { serial: event.serial, customerId: input.customerId },
      );
      if (!found?.device) {
        throw ApplicationFailure.nonRetryable(
          `No device has serial ${event.serial}`,
          'UnknownDevice',
        );
      }
      throw ApplicationFailure.nonRetryable(
        `No customer has id ${input.customerId}`,
        'UnknownCustomer',
      );
    },
  };
}

export type LifecycleActivities = ReturnType<typeof createActivities>;
