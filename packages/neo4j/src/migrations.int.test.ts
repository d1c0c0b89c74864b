import { randomBytes } from 'node:crypto';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph, type Graph } from './graph';
import { loadMigrations, migrate } from './migrations';

describe('migrations on a real Neo4j', () => {
  const config = loadConfig(process.env).neo4j;
  const driver = createDriver(config);
  const graph: Graph = createGraph(driver, config.database);

  afterAll(() => driver.close());

  it('creates every business-key constraint, and a second run applies nothing', async () => {
    const migrations = await loadMigrations();
    await migrate(graph, migrations);
    const again = await migrate(graph, migrations);
    expect(again).toEqual({ applied: [], alreadyApplied: migrations.length });
    const constraints = await graph.read<{ name: string }>(
      'SHOW CONSTRAINTS YIELD name RETURN name',
    );
    expect(constraints.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'customer_id',
        'product_model_sku',
        'device_serial',
        'campaign_id',
        'lifecycle_event_id',
      ]),
    );
  });

  it('refuses a migration that changed after it was applied', async () => {
    const [first] = await loadMigrations();
    if (!first) throw new Error('no migrations');
    const edited = {
      ...first,
      checksum: 'edited',
      statements: ['CREATE INDEX never IF NOT EXISTS FOR (n:Never) ON (n.x)'],
    };
    await expect(migrate(graph, [edited])).rejects.toThrow(/was changed after it was applied/);
    const indexes = await graph.read('SHOW INDEXES YIELD name WHERE name = "never" RETURN name');
    expect(indexes).toEqual([]);
  });

  it('labels the store-proximity touchpoints recorded before StoreProximity, and no others', async () => {
    const run = `mig14-${randomBytes(4).toString('hex')}`;
    const labelling = (await loadMigrations()).find((m) => m.version === 14);
    if (!labelling) throw new Error('no migration 14');
    await graph.write(
      `UNWIND ['STORE_PROXIMITY', 'AD_CLICK'] AS type
       CREATE (:Touchpoint {eventId: $run + '-' + type, type: type})`,
      { run },
    );
    try {
      for (const statement of labelling.statements) await graph.write(statement);
      const labelled = await graph.read<{ type: string; visit: boolean }>(
        `MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH $run
         RETURN t.type AS type, t:StoreProximity AS visit ORDER BY type`,
        { run },
      );
      expect(labelled).toEqual([
        { type: 'AD_CLICK', visit: false },
        { type: 'STORE_PROXIMITY', visit: true },
      ]);
    } finally {
      await graph.write('MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH $run DELETE t', { run });
    }
  });

  it('makes a duplicate serial impossible', async () => {
    const serial = `dup-${randomBytes(4).toString('hex')}`;
    await graph.write('CREATE (:Device {serial: $serial})', { serial });
    try {
      await expect(graph.write('CREATE (:Device {serial: $serial})', { serial })).rejects.toThrow(
        /already exists/,
      );
    } finally {
      await graph.write('MATCH (d:Device {serial: $serial}) DELETE d', { serial });
    }
  });
});
