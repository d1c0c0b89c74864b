/**
 * The lifecycle events the intake and relay benchmarks send, in units of four events about one
 * customer and one new device: an ad impression and a click on a campaign, the purchase of the
 * device (of the campaign's model) and a shipment update of that order, in this order (events of
 * a batch are processed in order). Each unit owes five lifecycle signals: impression, click and
 * purchase to the customer's journey with the model, purchase and shipment to the device's
 * lifecycle. Customers, models, campaigns and devices are seeded straight into Neo4j.
 *
 * The same units are written raw (the baseline): each event as its touchpoint with the same
 * relationships, one UNWIND statement per batch, on devices of the raw side's own.
 */
import { deviceLifecycleWorkflowId, journeyWorkflowId } from '@experience-graph/workflows';
import type { Graph } from '@experience-graph/neo4j';
import { chunks, deleteAnchored, deleteNodes, isoFromNow } from './kit';

const CAMPAIGNS_PER_MODEL = 2;
export const CHANNELS = ['SOCIAL_AD', 'SEARCH_AD', 'DISPLAY_AD'];
export const EVENTS_PER_UNIT = 4;

/** `g`: sent through the gateway; `r`: written raw. Each side has devices of its own. */
export type Side = 'g' | 'r';

/** Every key of a set of units, computable before anything is written. */
export interface UnitsPlan {
  prefix: string;
  skus: string[];
  campaignIds: string[];
  customerIds: string[];
  /** Units per side: one new device each. */
  units: number;
  /** The sides that get devices (and so events). */
  sides: readonly Side[];
}

export interface Unit {
  customerId: string;
  campaignId: string;
  sku: string;
  serial: string;
  orderId: string;
  /** Impression, click, purchase, shipment update. */
  eventIds: [string, string, string, string];
}

export function unitsPlan(input: {
  prefix: string;
  models: number;
  customers: number;
  units: number;
  sides: readonly Side[];
}): UnitsPlan {
  const { prefix } = input;
  return {
    prefix,
    skus: Array.from({ length: input.models }, (_, m) => `${prefix}-m${m}`),
    campaignIds: Array.from(
      { length: input.models * CAMPAIGNS_PER_MODEL },
      (_, k) => `${prefix}-k${Math.floor(k / CAMPAIGNS_PER_MODEL)}-${k % CAMPAIGNS_PER_MODEL}`,
    ),
    customerIds: Array.from({ length: input.customers }, (_, c) => `${prefix}-c${c}`),
    units: input.units,
    sides: input.sides,
  };
}

/**
 * Unit u of a side: customer u mod C, campaign u mod K (and its model), and a device of that
 * model of the side's own (the raw side's purchases sell devices too, so the sides share none).
 */
export function unitOf(p: UnitsPlan, u: number, side: Side = 'g'): Unit {
  const k = u % p.campaignIds.length;
  const id = (what: string) => `${p.prefix}-${side}${u}-${what}`;
  return {
    customerId: p.customerIds[u % p.customerIds.length] as string,
    campaignId: p.campaignIds[k] as string,
    sku: p.skus[Math.floor(k / CAMPAIGNS_PER_MODEL)] as string,
    serial: `${p.prefix}-${side}d${u}`,
    orderId: `${p.prefix}-${side}o${u}`,
    eventIds: [id('imp'), id('clk'), id('buy'), id('shp')],
  };
}

/** Every unit of every side. */
export const allUnits = (p: UnitsPlan) =>
  p.sides.flatMap((side) =>
    Array.from({ length: p.units }, (_, u) => ({ side, unit: unitOf(p, u, side) })),
  );

/** The `recordEvents` events of some units: four each, in order. */
export function gatewayEvents(
  p: UnitsPlan,
  units: readonly number[],
): Array<Record<string, unknown>> {
  return units.flatMap((u) => {
    const { customerId, campaignId, serial, orderId, eventIds } = unitOf(p, u, 'g');
    const [imp, clk, buy, shp] = eventIds;
    return [
      {
        eventId: imp,
        occurredAt: isoFromNow(-40 * 60_000),
        adImpression: { customerId, campaignId },
      },
      { eventId: clk, occurredAt: isoFromNow(-39 * 60_000), adClick: { customerId, campaignId } },
      {
        eventId: buy,
        occurredAt: isoFromNow(-30 * 60_000),
        purchase: {
          customerId,
          serial,
          orderId,
          amount: 199,
          currency: 'USD',
          promisedDeliveryAt: isoFromNow(2 * 86_400_000),
        },
      },
      {
        eventId: shp,
        occurredAt: isoFromNow(-20 * 60_000),
        shipmentUpdate: {
          orderId,
          carrier: 'Parcel Co',
          status: 'In transit',
          expectedDeliveryAt: isoFromNow(86_400_000),
        },
      },
    ];
  });
}

/** A row of {@link RAW_TOUCHPOINTS}. */
export interface RawTouchpoint {
  key: string;
  eventId: string;
  type: string;
  channel: string;
  occurredAt: string;
  customerId: string;
  sku: string;
  campaignId: string | null;
  serial: string | null;
  orderId: string | null;
}

/**
 * The baseline: each event as its touchpoint, MERGEd on its unique key with the properties and
 * relationships the intake gives it (customer, model, campaign, device, order; a purchase or an
 * order also creating the order), one UNWIND statement per batch. What it leaves out is the intake:
 * validation, rights, the people and facts reads, the rules, attribution, the outbox and the
 * segment refresh.
 *
 * Its touchpoints are new (every run's keys are its own, and it sends none twice), so their links
 * are CREATEd, with no check. MERGE of a relationship locks both ends: concurrent batches naming
 * the same campaigns and models deadlocked on them, and 4 batches in flight ran at 1/7 the rate
 * of one. The intake too creates a new touchpoint's links (intake `linkOnce`).
 */
export const RAW_TOUCHPOINTS = `
UNWIND $rows AS row
MERGE (t:Touchpoint {key: row.key})
  ON CREATE SET t.eventId = row.eventId, t.type = row.type, t.occurredAt = datetime(row.occurredAt),
                t.recordedAt = datetime(), t.recordedBy = 'bench:raw', t.channel = row.channel
SET t.delivery = 'delivered'
WITH t, row
MATCH (c:Customer {id: row.customerId}), (m:ProductModel {sku: row.sku})
CREATE (c)-[:HAD]->(t)
CREATE (t)-[:ABOUT]->(m)
WITH t, row, c
OPTIONAL MATCH (camp:Campaign {id: row.campaignId})
FOREACH (_ IN CASE WHEN camp IS NULL THEN [] ELSE [1] END | CREATE (t)-[:VIA]->(camp))
WITH t, row, c
OPTIONAL MATCH (d:Device {serial: row.serial})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | CREATE (t)-[:ABOUT_DEVICE]->(d))
WITH t, row, c, d
FOREACH (_ IN CASE WHEN row.orderId IS NULL THEN [] ELSE [1] END |
  MERGE (o:Order {id: row.orderId})
    ON CREATE SET o.placedAt = datetime(row.occurredAt), o.amount = 199, o.currency = 'USD'
  CREATE (t)-[:FOR]->(o)
  FOREACH (__ IN CASE WHEN row.type IN ['PURCHASE', 'ORDER'] THEN [1] ELSE [] END |
    CREATE (c)-[:PLACED]->(o))
  FOREACH (__ IN CASE WHEN row.type = 'PURCHASE' AND d IS NOT NULL THEN [1] ELSE [] END |
    CREATE (o)-[:CONTAINS]->(d)))
RETURN count(*) AS written`;

/** Writes rows raw; throws unless every one was written. */
export async function writeRaw(graph: Graph, rows: readonly RawTouchpoint[]): Promise<void> {
  const [row] = await graph.write<{ written: number }>(RAW_TOUCHPOINTS, { rows });
  if (row?.written !== rows.length) {
    throw new Error(`Raw write wrote ${row?.written} of ${rows.length} touchpoints`);
  }
}

/** The raw rows of some units of the raw side: the same four events each. */
export function rawRows(p: UnitsPlan, units: readonly number[]): RawTouchpoint[] {
  return units.flatMap((u) => {
    const { customerId, campaignId, sku, serial, orderId, eventIds } = unitOf(p, u, 'r');
    const [imp, clk, buy, shp] = eventIds;
    const channel = CHANNELS[u % CHANNELS.length] as string;
    const row = (eventId: string, type: string, minutesAgo: number) => ({
      key: eventId,
      eventId,
      type,
      occurredAt: isoFromNow(-minutesAgo * 60_000),
      customerId,
      sku,
    });
    return [
      { ...row(imp, 'AD_IMPRESSION', 40), channel, campaignId, serial: null, orderId: null },
      { ...row(clk, 'AD_CLICK', 39), channel, campaignId, serial: null, orderId: null },
      { ...row(buy, 'PURCHASE', 30), channel: 'ONLINE', campaignId: null, serial, orderId },
      { ...row(shp, 'SHIPMENT_UPDATE', 20), channel: 'CARRIER', campaignId: null, serial, orderId },
    ];
  });
}

/** The lifecycles the gateway side's units start once their signals are delivered. */
export function workflowIdsOf(p: UnitsPlan, units: number): string[] {
  const list = Array.from({ length: Math.min(units, p.units) }, (_, u) => unitOf(p, u, 'g'));
  return [
    ...new Set([
      ...list.map((u) => journeyWorkflowId(u.customerId, u.sku)),
      ...list.map((u) => deviceLifecycleWorkflowId(u.serial)),
    ]),
  ];
}

/** Models, campaigns (two per model), customers and every side's devices, created raw. */
export async function seedUnits(graph: Graph, p: UnitsPlan): Promise<void> {
  await graph.write(
    `UNWIND $skus AS sku CREATE (:ProductModel {sku: sku, name: 'Bench model ' + sku, createdAt: datetime()})`,
    { skus: p.skus },
  );
  await graph.write(
    `UNWIND $rows AS row
     MATCH (m:ProductModel {sku: row.sku})
     CREATE (c:Campaign {id: row.id, name: 'Bench campaign ' + row.id, channel: row.channel,
                         journeyStage: 'INTERESTED', productSku: row.sku, createdAt: datetime()})
     CREATE (c)-[:PROMOTES]->(m)`,
    {
      rows: p.campaignIds.map((id, k) => ({
        id,
        sku: p.skus[Math.floor(k / CAMPAIGNS_PER_MODEL)],
        channel: CHANNELS[k % CHANNELS.length],
      })),
    },
  );
  for (const ids of chunks(p.customerIds, 2_000)) {
    await graph.write(
      `UNWIND $ids AS id CREATE (:Customer {id: id, displayName: 'Bench ' + id, createdAt: datetime()})`,
      { ids },
    );
  }
  const devices = allUnits(p).map(({ unit }) => unit);
  for (const rows of chunks(devices, 2_000)) {
    await graph.write(
      `UNWIND $rows AS row
       MATCH (m:ProductModel {sku: row.sku})
       CREATE (d:Device {serial: row.serial, sku: row.sku, registeredAt: datetime()})-[:INSTANCE_OF]->(m)`,
      { rows: rows.map(({ serial, sku }) => ({ serial, sku })) },
    );
  }
  const [counts] = await graph.read<{ devices: number; campaigns: number }>(
    `CALL () { UNWIND $serials AS s MATCH (:Device {serial: s})-[:INSTANCE_OF]->() RETURN count(*) AS devices }
     CALL () { UNWIND $campaigns AS id MATCH (:Campaign {id: id})-[:PROMOTES]->() RETURN count(*) AS campaigns }
     RETURN devices, campaigns`,
    { serials: devices.map((d) => d.serial), campaigns: p.campaignIds },
  );
  if (counts?.devices !== devices.length || counts.campaigns !== p.campaignIds.length) {
    throw new Error(`Seeding the lifecycle units went wrong: ${JSON.stringify(counts)}`);
  }
}

/**
 * Deletes everything the units made, by exact keys and from them: touchpoints, orders, and
 * whatever else the intake or a worker attached to this run's customers and devices.
 */
export async function removeUnits(graph: Graph, p: UnitsPlan): Promise<Record<string, number>> {
  const units = allUnits(p).map(({ unit }) => unit);
  const serials = units.map((u) => u.serial);
  const deleted = await deleteNodes(graph, [
    {
      name: 'touchpoints',
      label: 'Touchpoint',
      key: 'eventId',
      values: units.flatMap((u) => u.eventIds),
    },
    { name: 'orders', label: 'Order', key: 'id', values: units.map((u) => u.orderId) },
  ]);
  deleted['otherTouchpoints'] =
    (await deleteAnchored(
      graph,
      { label: 'Customer', key: 'id', values: p.customerIds },
      '(a)-[:HAD]->(n:Touchpoint)',
    )) +
    (await deleteAnchored(
      graph,
      { label: 'Device', key: 'serial', values: serials },
      '(a)<-[:ABOUT_DEVICE]-(n:Touchpoint)',
    ));
  Object.assign(
    deleted,
    await deleteNodes(graph, [
      { name: 'devices', label: 'Device', key: 'serial', values: serials },
      { name: 'campaigns', label: 'Campaign', key: 'id', values: p.campaignIds },
      { name: 'customers', label: 'Customer', key: 'id', values: p.customerIds },
      { name: 'models', label: 'ProductModel', key: 'sku', values: p.skus },
    ]),
  );
  return deleted;
}
