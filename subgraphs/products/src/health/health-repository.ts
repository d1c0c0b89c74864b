import type { Graph } from '@experience-graph/neo4j';

export interface DeviceHealthRecord {
  level: string;
  failureRisk: number;
  reasons: string[];
  failureHorizonDays: number | null;
  inkLevel: number | null;
  inkEmptyInDays: number | null;
  lastReadingAt: string | null;
}

export interface InterventionRecord {
  id: string;
  reason: string;
  status: string;
  openedAt: string;
  notifiedVia: string | null;
  partShippedAt: string | null;
  escalatedAt: string | null;
  closedAt: string | null;
  outcome: string | null;
  /** The device it is about; null for a request before a sale. */
  serial: string | null;
  /** The product model it is about. */
  sku: string;
  /** The device's owner now, or who asked before a sale: for reach. */
  ownerId: string | null;
  /** What was asked, for a request before a sale. */
  topic: string | null;
  /** The expert (employee id) it is assigned to, if any. */
  assignee: string | null;
}

/** One stored telemetry reading. */
export interface TelemetryReadingRecord {
  at: string;
  pagesPrinted: number;
  errors: number;
  paperJams: number;
  inkLevel: number;
}

/** Statuses of the interventions still being worked on: the queue. */
export const OPEN_STATUSES = ['OPEN', 'AWAITING_CONFIRMATION', 'ESCALATED'];

// A case before a sale is about a model (ABOUT) and knows its person only through the
// touchpoint of the request that opened it, which an opt-out or an erasure takes from them.
const INTERVENTION_FIELDS = `i {
  .id, .reason, .status, .notifiedVia, .outcome, .assignee,
  serial: head([(i)-[:FOR]->(x:Device) | x.serial]),
  sku: coalesce(head([(i)-[:FOR]->(:Device)-[:INSTANCE_OF]->(x:ProductModel) | x.sku]),
                head([(i)-[:ABOUT]->(x:ProductModel) | x.sku])),
  ownerId: coalesce(head([(i)-[:FOR]->(:Device)<-[:OWNS]-(x:Customer) | x.id]),
                    head([(i)<-[:OPENED]-(:Touchpoint)<-[:HAD]-(x:Customer) | x.id])),
  topic: head([(i)<-[:OPENED]-(x:Touchpoint) | x.topic]),
  openedAt: toString(i.openedAt), partShippedAt: toString(i.partShippedAt),
  escalatedAt: toString(i.escalatedAt), closedAt: toString(i.closedAt)
}`;

/** Cypher for device health and interventions; batched by serial. */
export function createHealthRepository(graph: Graph) {
  return {
    async healthBySerial(serials: readonly string[]): Promise<Map<string, DeviceHealthRecord>> {
      const rows = await graph.read<DeviceHealthRecord & { serial: string }>(
        `MATCH (d:Device) WHERE d.serial IN $serials AND d.healthLevel IS NOT NULL
         RETURN d.serial AS serial, d.healthLevel AS level, d.failureRisk AS failureRisk,
                coalesce(d.healthReasons, []) AS reasons, d.failureHorizonDays AS failureHorizonDays,
                d.inkLevel AS inkLevel, d.inkEmptyInDays AS inkEmptyInDays,
                toString(d.lastReadingAt) AS lastReadingAt`,
        { serials },
      );
      return new Map(rows.map(({ serial, ...health }) => [serial, health]));
    },

    async interventionsBySerial(
      serials: readonly string[],
    ): Promise<Map<string, InterventionRecord[]>> {
      const rows = await graph.read<{ serial: string; interventions: InterventionRecord[] }>(
        `MATCH (i:Intervention)-[:FOR]->(d:Device) WHERE d.serial IN $serials
         WITH d, i ORDER BY i.openedAt DESC
         RETURN d.serial AS serial, collect(${INTERVENTION_FIELDS}) AS interventions`,
        { serials },
      );
      return new Map(rows.map((r) => [r.serial, r.interventions]));
    },

    /** The latest `last` readings of each device, oldest first. */
    async telemetryBySerial(
      serials: readonly string[],
      last: number,
    ): Promise<Map<string, TelemetryReadingRecord[]>> {
      const rows = await graph.read<{ serial: string; readings: TelemetryReadingRecord[] }>(
        `UNWIND $serials AS serial
         MATCH (d:Device {serial: serial})
         CALL (d) {
           MATCH (r:TelemetryReading)-[:FROM]->(d)
           WITH r ORDER BY r.at DESC LIMIT toInteger($last)
           RETURN r ORDER BY r.at
         }
         RETURN d.serial AS serial,
                collect(r { at: toString(r.at), .pagesPrinted, .errors, .paperJams, .inkLevel }) AS readings`,
        { serials, last },
      );
      return new Map(rows.map((r) => [r.serial, r.readings]));
    },

    async intervention(id: string): Promise<InterventionRecord | null> {
      const [row] = await graph.read<{ i: InterventionRecord }>(
        `MATCH (i:Intervention {id: $id})
         WHERE i.presale IS NULL OR EXISTS { (i)<-[:OPENED]-(:Touchpoint)<-[:HAD]-(:Customer) }
         RETURN ${INTERVENTION_FIELDS} AS i`,
        { id },
      );
      return row?.i ?? null;
    },

    /**
     * The queue: interventions in one status (any still being worked on when null), oldest
     * first. For an expert (`expertId`), only those escalated to experts and not yet taken, and
     * those assigned to them.
     */
    async interventionQueue(options: {
      statuses: string[];
      expertId: string | null;
      first: number;
    }): Promise<InterventionRecord[]> {
      const rows = await graph.read<{ i: InterventionRecord }>(
        `MATCH (i:Intervention) WHERE i.status IN $statuses
           AND ($expertId IS NULL OR i.assignee = $expertId
                OR (i.status = 'ESCALATED' AND i.assignee IS NULL))
           AND (i.presale IS NULL OR EXISTS { (i)<-[:OPENED]-(:Touchpoint)<-[:HAD]-(:Customer) })
         WITH i ORDER BY i.openedAt, i.id LIMIT toInteger($first)
         RETURN ${INTERVENTION_FIELDS} AS i`,
        options,
      );
      return rows.map((r) => r.i);
    },

    /**
     * Closes a request before a sale that an expert answered (it has no workflow); the record
     * after, or null unless it was such a request still escalated.
     */
    async closePresale(id: string, note: string | null): Promise<InterventionRecord | null> {
      const [row] = await graph.write<{ i: InterventionRecord }>(
        `MATCH (i:Intervention {id: $id}) WHERE i.presale AND i.status = 'ESCALATED'
         SET i.status = 'CLOSED', i.outcome = 'RESOLVED_BY_EXPERT', i.closedAt = datetime(),
             i.note = $note
         RETURN ${INTERVENTION_FIELDS} AS i`,
        { id, note },
      );
      return row?.i ?? null;
    },

    /** Assigns an intervention to an expert, unless another expert holds it; the record after. */
    async assign(id: string, expertId: string): Promise<InterventionRecord | null> {
      const [row] = await graph.write<{ i: InterventionRecord }>(
        `MATCH (i:Intervention {id: $id}) WHERE i.assignee IS NULL OR i.assignee = $expertId
         SET i.assignee = $expertId, i.assignedAt = coalesce(i.assignedAt, datetime())
         RETURN ${INTERVENTION_FIELDS} AS i`,
        { id, expertId },
      );
      return row?.i ?? null;
    },
  };
}

export type HealthRepository = ReturnType<typeof createHealthRepository>;
