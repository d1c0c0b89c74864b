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
