import type { Graph } from '@experience-graph/neo4j';
import type { LifecycleStage } from '@experience-graph/workflows';

/** A device as stored: the shape resolvers receive as their parent. */
export interface DeviceRecord {
  serial: string;
  sku: string;
  registeredAt: string;
  stage: LifecycleStage | null;
  stageChangedAt: string | null;
  lifecycleWorkflowId: string | null;
}

export interface ProductModelRecord {
  sku: string;
  name: string;
}

const DEVICE_FIELDS = `d {
  .serial, .sku, .stage, .lifecycleWorkflowId,
  registeredAt: toString(d.registeredAt),
  stageChangedAt: toString(d.stageChangedAt)
}`;

export type RegisterDeviceOutcome =
  | { kind: 'registered'; device: DeviceRecord }
  | { kind: 'unknown-model' }
  | { kind: 'serial-taken'; sku: string };

/** Cypher for devices and product models; every read is batched by key. */
export function createDeviceRepository(graph: Graph) {
  return {
    async devicesBySerial(serials: readonly string[]): Promise<Map<string, DeviceRecord>> {
      const rows = await graph.read<{ device: DeviceRecord }>(
        `MATCH (d:Device) WHERE d.serial IN $serials RETURN ${DEVICE_FIELDS} AS device`,
        { serials },
      );
      return new Map(rows.map(({ device }) => [device.serial, device]));
    },

    async modelsBySku(skus: readonly string[]): Promise<Map<string, ProductModelRecord>> {
      const rows = await graph.read<ProductModelRecord>(
        'MATCH (m:ProductModel) WHERE m.sku IN $skus RETURN m.sku AS sku, m.name AS name',
        { skus },
      );
      return new Map(rows.map((m) => [m.sku, m]));
    },

    /** Devices per owner, most recently acquired first. */
    async devicesByOwner(customerIds: readonly string[]): Promise<Map<string, DeviceRecord[]>> {
      const rows = await graph.read<{ customerId: string; devices: DeviceRecord[] }>(
        `MATCH (c:Customer)-[o:OWNS]->(d:Device) WHERE c.id IN $customerIds
         WITH c, d ORDER BY o.since DESC, d.serial
         RETURN c.id AS customerId, collect(${DEVICE_FIELDS}) AS devices`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.devices]));
    },

    /** The newest `first` devices of each model. */
    async devicesByModel(
      skus: readonly string[],
      first: number,
    ): Promise<Map<string, DeviceRecord[]>> {
      const rows = await graph.read<{ sku: string; devices: DeviceRecord[] }>(
        `MATCH (m:ProductModel) WHERE m.sku IN $skus
         CALL (m) {
           MATCH (d:Device)-[:INSTANCE_OF]->(m)
           WITH d ORDER BY d.registeredAt DESC, d.serial LIMIT $first
           RETURN collect(${DEVICE_FIELDS}) AS devices
         }
         RETURN m.sku AS sku, devices`,
        { skus, first },
      );
      return new Map(rows.map((r) => [r.sku, r.devices]));
    },

    async upsertProductModel(model: ProductModelRecord): Promise<ProductModelRecord> {
      const [row] = await graph.write<ProductModelRecord>(
        `MERGE (m:ProductModel {sku: $sku})
           ON CREATE SET m.createdAt = datetime()
         SET m.name = $name
         RETURN m.sku AS sku, m.name AS name`,
        { ...model },
      );
      return row as ProductModelRecord;
    },

    /**
     * Registers a device once. The serial's constraint serialises concurrent registrations, so
     * the first sku wins and a later, different sku is reported instead of linking two models.
     */
    async registerDevice(serial: string, sku: string): Promise<RegisterDeviceOutcome> {
      const [row] = await graph.write<{ device: DeviceRecord | null; sku: string }>(
        `MATCH (m:ProductModel {sku: $sku})
         MERGE (d:Device {serial: $serial})
           ON CREATE SET d.sku = $sku, d.registeredAt = datetime()
         WITH d, m
         CALL (d, m) {
           WITH d, m WHERE d.sku = $sku
           MERGE (d)-[:INSTANCE_OF]->(m)
         }
         RETURN CASE WHEN d.sku = $sku THEN ${DEVICE_FIELDS} END AS device, d.sku AS sku`,
        { serial, sku },
      );
      if (!row) return { kind: 'unknown-model' };
      if (row.device) return { kind: 'registered', device: row.device };
      return { kind: 'serial-taken', sku: row.sku };
    },

    async customerExists(customerId: string): Promise<boolean> {
      const [row] = await graph.read<{ found: boolean }>(
        'RETURN EXISTS { (:Customer {id: $customerId}) } AS found',
        { customerId },
      );
      return row?.found ?? false;
    },
  };
}

export type DeviceRepository = ReturnType<typeof createDeviceRepository>;
