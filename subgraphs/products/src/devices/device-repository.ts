import type { Graph } from '@experience-graph/neo4j';
import type { LifecycleStage } from '@experience-graph/workflows';

/** A device as stored: the shape resolvers receive as their parent. */
export interface DeviceRecord {
  serial: string;
  sku: string;
  registeredAt: string;
  stage: LifecycleStage | null;
  stageChangedAt: string | null;
  /** Each stage it entered, oldest first, with when (the time of the event that changed it). */
  stageHistory: Array<{ stage: LifecycleStage; at: string }>;
  lifecycleWorkflowId: string | null;
  /** Who owns it now, for reach; null while unsold. */
  ownerId: string | null;
}

export interface ProductModelRecord {
  sku: string;
  name: string;
  category: string;
}

const DEVICE_FIELDS = `d {
  .serial, .sku, .stage, .lifecycleWorkflowId,
  ownerId: head([(owner:Customer)-[:OWNS]->(d) | owner.id]),
  registeredAt: toString(d.registeredAt),
  stageChangedAt: toString(d.stageChangedAt),
  // Devices whose stage last changed before the history was kept show that one change.
  stageHistory: CASE WHEN d.stageHistory IS NULL
    THEN [x IN [d.stage] WHERE x IS NOT NULL | {stage: x, at: toString(d.stageChangedAt)}]
    ELSE [i IN range(0, size(d.stageHistory) - 1) |
          {stage: d.stageHistory[i], at: toString(d.stageHistoryAt[i])}] END
}`;

/** An order as stored; date-times as ISO strings. */
export interface OrderRecord {
  id: string;
  placedAt: string;
  amount: number;
  currency: string;
  promisedDeliveryAt: string;
  carrier: string | null;
  carrierStatus: string | null;
  expectedDeliveryAt: string | null;
  deliveredAt: string | null;
  onTime: boolean | null;
  inFull: boolean | null;
  /** Who placed it, where, and which carrier's registration carries it: for reach. */
  buyerId: string | null;
  storeId: string | null;
  carrierId: string | null;
}

/** A customer, owned by the customers subgraph: products knows them by id. */
export interface CustomerReference {
  id: string;
}

export interface JourneyRecord {
  sku: string;
  stage: LifecycleStage;
  stageChangedAt: string;
  workflowId: string;
}

export interface DeliveryPerformanceRecord {
  orders: number;
  delivered: number;
  onTimeRate: number | null;
  inFullRate: number | null;
  otifRate: number | null;
}

const ORDER_FIELDS = `o {
  .id, .amount, .currency, .carrier, .carrierStatus, .onTime, .inFull, .carrierId,
  buyerId: head([(buyer:Customer)-[:PLACED]->(o) | buyer.id]),
  storeId: head([(o)-[:AT]->(store:Store) | store.id]),
  placedAt: toString(o.placedAt), promisedDeliveryAt: toString(o.promisedDeliveryAt),
  expectedDeliveryAt: toString(o.expectedDeliveryAt), deliveredAt: toString(o.deliveredAt)
}`;

/** On time, in full over a set of orders `o`, grouped by `key`. */
const OTIF = `
  count(o) AS orders,
  count(o.deliveredAt) AS delivered,
  CASE WHEN count(o.deliveredAt) = 0 THEN null
       ELSE toFloat(sum(CASE WHEN o.onTime THEN 1 ELSE 0 END)) / count(o.deliveredAt) END AS onTimeRate,
  CASE WHEN count(o.deliveredAt) = 0 THEN null
       ELSE toFloat(sum(CASE WHEN o.inFull THEN 1 ELSE 0 END)) / count(o.deliveredAt) END AS inFullRate,
  CASE WHEN count(o.deliveredAt) = 0 THEN null
       ELSE toFloat(sum(CASE WHEN o.onTime AND o.inFull THEN 1 ELSE 0 END)) / count(o.deliveredAt) END AS otifRate`;

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
        `MATCH (m:ProductModel) WHERE m.sku IN $skus
         RETURN m.sku AS sku, m.name AS name, coalesce(m.category, 'device') AS category`,
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
           WITH d ORDER BY d.registeredAt DESC, d.serial LIMIT toInteger($first)
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
         SET m.name = $name, m.category = $category
         RETURN m.sku AS sku, m.name AS name, m.category AS category`,
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

    async ordersById(ids: readonly string[]): Promise<Map<string, OrderRecord>> {
      const rows = await graph.read<{ order: OrderRecord }>(
        `MATCH (o:Order) WHERE o.id IN $ids RETURN ${ORDER_FIELDS} AS order`,
        { ids },
      );
      return new Map(rows.map((r) => [r.order.id, r.order]));
    },

    async ordersBySerial(serials: readonly string[]): Promise<Map<string, OrderRecord>> {
      const rows = await graph.read<{ serial: string; order: OrderRecord }>(
        `MATCH (o:Order)-[:CONTAINS]->(d:Device) WHERE d.serial IN $serials
         RETURN d.serial AS serial, ${ORDER_FIELDS} AS order`,
        { serials },
      );
      return new Map(rows.map((r) => [r.serial, r.order]));
    },

    /**
     * Journeys per customer with the product models they have not bought, most recently
     * changed first: a journey that ended in a purchase, and one with a model the customer has
     * ordered (a device or an order naming the model) or owns a device of, is left out.
     */
    async journeysByCustomer(
      customerIds: readonly string[],
    ): Promise<Map<string, JourneyRecord[]>> {
      const rows = await graph.read<{ customerId: string; journeys: JourneyRecord[] }>(
        `MATCH (c:Customer)-[j:JOURNEY]->(m:ProductModel)
         WHERE c.id IN $customerIds AND j.stage IS NOT NULL AND j.stage <> 'PURCHASED'
           AND NOT EXISTS { (c)-[:PLACED]->(:Order)-[:CONTAINS]->(:Device)-[:INSTANCE_OF]->(m) }
           AND NOT EXISTS { MATCH (c)-[:PLACED]->(o:Order) WHERE o.sku = m.sku }
           AND NOT EXISTS { (c)-[:OWNS]->(:Device)-[:INSTANCE_OF]->(m) }
         WITH c, j, m ORDER BY j.stageChangedAt DESC
         RETURN c.id AS customerId, collect({
           sku: m.sku, stage: j.stage, stageChangedAt: toString(j.stageChangedAt), workflowId: j.workflowId
         }) AS journeys`,
        { customerIds },
      );
      return new Map(rows.map((r) => [r.customerId, r.journeys]));
    },

    async deliveryPerformanceBySku(
      skus: readonly string[],
    ): Promise<Map<string, DeliveryPerformanceRecord>> {
      const rows = await graph.read<DeliveryPerformanceRecord & { sku: string }>(
        `UNWIND $skus AS sku
         OPTIONAL MATCH (o:Order)-[:CONTAINS]->(:Device {sku: sku})
         WITH sku, o
         RETURN sku, ${OTIF}`,
        { skus },
      );
      return new Map(rows.map(({ sku, ...performance }) => [sku, performance]));
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
