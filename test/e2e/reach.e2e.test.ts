import { startSystem, uniqueKey, type TestSystem } from '../support/system';

/**
 * Reach through the gateway: a person's app, a device cloud and an expert each see their own
 * objects, and whatever is out of reach answers exactly like what does not exist.
 */
describe('reach through the gateway', () => {
  let system: TestSystem;
  const k = uniqueKey('reach-e2e');
  const ids = {
    sku: `${k}-LJ`,
    ana: `${k}-ana`,
    ben: `${k}-ben`,
    anaDevice: `${k}-PRN-A`,
    benDevice: `${k}-PRN-B`,
    escalated: `${k}-i-escalated`,
  };
  const cloudKey = `${k}-device-cloud-key-0123456789`;

  beforeAll(async () => {
    system = await startSystem({
      extraClients: [
        {
          id: `${k}-cloud`
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, '-')
            .slice(0, 60),
          role: 'deviceCloud',
          key: cloudKey,
          campaignIds: [],
          storeIds: [],
          skus: [ids.sku],
        },
      ],
    });
    await system.graph.write(
      `CREATE (m:ProductModel {sku: $sku, name: 'Reach printer', category: 'device'})
       CREATE (ana:Customer {id: $ana, displayName: 'Ana', createdAt: datetime()})
       CREATE (ben:Customer {id: $ben, displayName: 'Ben', createdAt: datetime()})
       CREATE (ana)-[:REFERRED {at: datetime()}]->(ben)
       CREATE (a:Device {serial: $anaDevice, sku: $sku, registeredAt: datetime(),
                         healthLevel: 'WATCH', failureRisk: 0.2, healthReasons: ['paper jams']})
       CREATE (b:Device {serial: $benDevice, sku: $sku, registeredAt: datetime()})
       CREATE (a)-[:INSTANCE_OF]->(m), (b)-[:INSTANCE_OF]->(m), (ana)-[:OWNS]->(a), (ben)-[:OWNS]->(b)
       CREATE (:Intervention {id: $escalated, reason: 'FAILED', status: 'ESCALATED',
                              openedAt: datetime('2000-01-01T00:00:00Z')})-[:FOR]->(a)`,
      ids,
    );
  });

  afterAll(async () => {
    await system.graph.write(
      `MATCH (n) WHERE (n:ProductModel AND n.sku = $sku) OR (n:Customer AND n.id IN [$ana, $ben])
          OR (n:Device AND n.serial IN [$anaDevice, $benDevice]) OR (n:Intervention AND n.id = $escalated)
       DETACH DELETE n`,
      ids,
    );
    await system.stop();
  });

  it('a person sees their own profile and devices; another person’s like nobody’s', async () => {
    const token = await system.personToken(ids.ana);
    const PROFILE = `query ($id: ID!) { customer(id: $id) { id displayName devices { serial } referrals { id } } }`;
    const own = await system.request(PROFILE, { id: ids.ana }, token);
    expect(own.errors).toBeUndefined();
    expect(own.data).toEqual({
      customer: {
        id: ids.ana,
        displayName: 'Ana',
        devices: [{ serial: ids.anaDevice }],
        referrals: [{ id: ids.ben }],
      },
    });
    const missing = await system.request(PROFILE, { id: `${k}-nobody` }, token);
    expect(missing.data).toEqual({ customer: null });
    expect(await system.request(PROFILE, { id: ids.ben }, token)).toEqual(missing);

    const DEVICE = `query ($s: ID!) { device(serial: $s) { serial owner { id } } }`;
    const noDevice = await system.request(DEVICE, { s: `${k}-no-serial` }, token);
    expect(noDevice.data).toEqual({ device: null });
    expect(await system.request(DEVICE, { s: ids.benDevice }, token)).toEqual(noDevice);
  });

  it('a person never sees anything personal of the people they referred', async () => {
    const token = await system.personToken(ids.ana);
    const answer = await system.request(
      `query ($id: ID!) { customer(id: $id) { referrals { id displayName devices { serial } } } }`,
      { id: ids.ana },
      token,
    );
    expect(answer.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(answer)).not.toContain('Ben');
    expect(JSON.stringify(answer)).not.toContain(ids.benDevice);
  });

  it('a device cloud reads the health of its models’ devices, but not their owner', async () => {
    const health = await system.request(
      `query ($s: ID!) { device(serial: $s) { serial health { level } } }`,
      { s: ids.anaDevice },
      cloudKey,
    );
    expect(health.data).toEqual({ device: { serial: ids.anaDevice, health: { level: 'WATCH' } } });
    const owner = await system.request(
      `query ($s: ID!) { device(serial: $s) { owner { id } } }`,
      { s: ids.anaDevice },
      cloudKey,
    );
    expect(owner.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(JSON.stringify(owner)).not.toContain(ids.ana);
  });

  it('an expert’s queue holds an escalated case no one has taken, with its device', async () => {
    const token = await system.staffToken(`${k}-expert`, ['expert']);
    const answer = await system.request<{
      interventions: Array<{ id: string; device: { serial: string } }>;
    }>(`{ interventions(first: 200) { id assignee device { serial } } }`, {}, token);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.interventions.filter((i) => i.id === ids.escalated)).toEqual([
      { id: ids.escalated, assignee: null, device: { serial: ids.anaDevice } },
    ]);
  });
});
