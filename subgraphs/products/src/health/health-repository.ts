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
}

const INTERVENTION_FIELDS = `i {
  .id, .reason, .status, .notifiedVia, .outcome,
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

    async intervention(id: string): Promise<InterventionRecord | null> {
      const [row] = await graph.read<{ i: InterventionRecord }>(
        `MATCH (i:Intervention {id: $id}) RETURN ${INTERVENTION_FIELDS} AS i`,
        { id },
      );
      return row?.i ?? null;
    },
  };
}

export type HealthRepository = ReturnType<typeof createHealthRepository>;
