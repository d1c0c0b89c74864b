import type { Graph } from '@experience-graph/neo4j';

/** The size of the bench data set. */
export interface DataSize {
  customers: number;
  devicesPerCustomer: number;
  models: number;
  campaignsPerModel: number;
}

/** The keys of everything one run seeds: what it reads, and exactly what it deletes. */
export interface BenchData {
  customerIds: string[];
  skus: string[];
  serials: string[];
  campaignIds: string[];
  /** Objects in one CustomerView answer: the customer, and per device its owner, model, campaigns and their products. */
  nodesPerView: number;
}

const CHANNELS = ['SOCIAL_AD', 'SEARCH_AD', 'DISPLAY_AD', 'EMAIL', 'IN_STORE'];
const JOURNEY_STAGES = ['INTERESTED', 'ENGAGED', 'PURCHASED'];
// Big enough that seeding 1,000 devices is two round trips, small enough for one transaction.
const BATCH = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/** Every key a data set of this size has under `runId`; computing them needs no database. */
export function planData(runId: string, size: DataSize): BenchData {
  const skus = Array.from({ length: size.models }, (_, m) => `${runId}-m${m}`);
  const customerIds = Array.from({ length: size.customers }, (_, c) => `${runId}-c${c}`);
  return {
    customerIds,
    skus,
    serials: customerIds.flatMap((_, c) =>
      Array.from({ length: size.devicesPerCustomer }, (_, d) => `${runId}-d${c}-${d}`),
    ),
    campaignIds: skus.flatMap((_, m) =>
      Array.from({ length: size.campaignsPerModel }, (_, k) => `${runId}-k${m}-${k}`),
    ),
    nodesPerView: 1 + size.devicesPerCustomer * (3 + 2 * size.campaignsPerModel),
  };
}

/**
 * Writes the data set straight to Neo4j in batched UNWIND statements: going through the
 * mutations would take minutes and start a Temporal workflow per device, none of which the
 * read benchmark needs. Devices get the stage their workflow would have written (SUPPORT).
 */
export async function seed(graph: Graph, data: BenchData, size: DataSize): Promise<void> {
  const now = Date.now();
  const models = data.skus.map((sku, m) => ({ sku, name: `Bench model ${m}` }));
  for (const rows of chunks(models)) {
    await graph.write(
      `UNWIND $rows AS row
       CREATE (:ProductModel {sku: row.sku, name: row.name, createdAt: datetime()})`,
      { rows },
    );
  }
  const campaigns = data.campaignIds.map((id, i) => ({
    id,
    name: `Bench campaign ${i}`,
    channel: CHANNELS[i % CHANNELS.length],
    journeyStage: JOURNEY_STAGES[i % JOURNEY_STAGES.length],
    productSku: data.skus[Math.floor(i / size.campaignsPerModel)],
  }));
  for (const rows of chunks(campaigns)) {
    await graph.write(
      `UNWIND $rows AS row
       MATCH (m:ProductModel {sku: row.productSku})
       CREATE (c:Campaign {id: row.id, name: row.name, channel: row.channel,
                           journeyStage: row.journeyStage, productSku: row.productSku,
                           createdAt: datetime()})-[:PROMOTES]->(m)`,
      { rows },
    );
  }
  const customers = data.customerIds.map((id, c) => ({ id, displayName: `Bench customer ${c}` }));
  for (const rows of chunks(customers)) {
    await graph.write(
      `UNWIND $rows AS row
       CREATE (:Customer {id: row.id, displayName: row.displayName, createdAt: datetime()})`,
      { rows },
    );
  }
  // Device d of customer c is of model (c * devicesPerCustomer + d) mod models, so a customer's
  // devices are of different models whenever there are enough models.
  const devices = data.serials.map((serial, i) => {
    const at = new Date(now - (i + 1) * 60_000).toISOString();
    return {
      serial,
      owner: data.customerIds[Math.floor(i / size.devicesPerCustomer)],
      sku: data.skus[i % size.models],
      at,
    };
  });
  for (const rows of chunks(devices)) {
    await graph.write(
      `UNWIND $rows AS row
       MATCH (m:ProductModel {sku: row.sku})
       MATCH (c:Customer {id: row.owner})
       CREATE (d:Device {serial: row.serial, sku: row.sku, registeredAt: datetime(row.at),
                         stage: 'SUPPORT', stageChangedAt: datetime(row.at), stageSequence: 4,
                         lifecycleWorkflowId: 'device:' + row.serial})
       CREATE (d)-[:INSTANCE_OF]->(m)
       CREATE (c)-[:OWNS {since: datetime(row.at)}]->(d)`,
      { rows },
    );
  }

  // A MATCH that found nothing would silently drop rows; check every node and link is there.
  const [counts] = await graph.read<Record<string, number>>(
    `CALL () { UNWIND $customerIds AS id MATCH (:Customer {id: id}) RETURN count(*) AS customers }
     CALL () { UNWIND $skus AS sku MATCH (:ProductModel {sku: sku}) RETURN count(*) AS models }
     CALL () { UNWIND $campaignIds AS id MATCH (:Campaign {id: id})-[:PROMOTES]->(:ProductModel)
               RETURN count(*) AS campaigns }
     CALL () { UNWIND $serials AS serial
               MATCH (:Customer)-[:OWNS]->(:Device {serial: serial})-[:INSTANCE_OF]->(:ProductModel)
               RETURN count(*) AS devices }
     RETURN customers, models, campaigns, devices`,
    { ...data },
  );
  const expected = {
    customers: data.customerIds.length,
    models: data.skus.length,
    campaigns: data.campaignIds.length,
    devices: data.serials.length,
  };
  for (const [name, want] of Object.entries(expected)) {
    if (counts?.[name] !== want) {
      throw new Error(`Seeding wrote ${counts?.[name]} ${name}, expected ${want}`);
    }
  }
}

/**
 * Deletes exactly the nodes (and their relationships) of this run's keys, looked up through
 * the business-key constraints. Safe after a partial seed: absent keys match nothing.
 */
export async function removeData(graph: Graph, data: BenchData): Promise<Record<string, number>> {
  const targets = [
    ['devices', 'Device', 'serial', data.serials],
    ['campaigns', 'Campaign', 'id', data.campaignIds],
    ['customers', 'Customer', 'id', data.customerIds],
    ['models', 'ProductModel', 'sku', data.skus],
  ] as const;
  const deleted: Record<string, number> = {};
  for (const [name, label, key, values] of targets) {
    deleted[name] = 0;
    for (const keys of chunks([...values])) {
      // Label and key come from the constant list above, never from input.
      const [row] = await graph.write<{ deleted: number }>(
        `UNWIND $keys AS key MATCH (n:${label} {${key}: key})
         DETACH DELETE n RETURN count(*) AS deleted`,
        { keys },
      );
      deleted[name] += row?.deleted ?? 0;
    }
  }
  return deleted;
}
