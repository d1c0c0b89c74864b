/**
 * How attribution and funnels scale: one campaign with PEOPLE people (an impression each, a
 * click for every third, a referral for every fifth buyer) and an order for every tenth, seeded
 * straight into Neo4j under a unique run key and removed afterwards. Measures, on the campaigns
 * subgraph in this process, `Campaign.funnel` with the attributed revenue of all four models, and
 * `Order.attribution` for 100 orders in one `_entities` request; the baseline is the repository's
 * raw reads for the same data (what the resolvers add on top is the attribution math and
 * GraphQL). Not part of `npm run bench`:
 *
 *   npx tsx test/bench/attribution-scale.ts [people=10000] [rounds=10]
 */
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { createAttributionRepository, createCampaignsSubgraph } from '@experience-graph/campaigns';

import { listen, signedGraphQLClient } from '@experience-graph/server-kit';
import { uniqueKey } from '@experience-graph/test-kit';

const PEOPLE = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 10);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function time(rounds: number, run: () => Promise<unknown>) {
  await run(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  return { p50: percentile(ms, 50).toFixed(1), p99: percentile(ms, 99).toFixed(1) };
}

async function main() {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  const run = uniqueKey('bench-attribution');
  const sku = `${run}-model`;
  const campaignId = `${run}-campaign`;
  const now = Date.now();
  try {
    await graph.write(
      `CREATE (m:ProductModel {sku: $sku, name: 'bench', category: 'printer'})
       CREATE (c:Campaign {id: $campaignId, name: 'bench', channel: 'SOCIAL_AD',
                           journeyStage: 'INTERESTED', productSku: $sku})-[:PROMOTES]->(m)`,
      { sku, campaignId },
    );
    for (let from = 0; from < PEOPLE; from += 2000) {
      const people = Array.from({ length: Math.min(2000, PEOPLE - from) }, (_, k) => from + k);
      await graph.write(
        `MATCH (camp:Campaign {id: $campaignId}), (m:ProductModel {sku: $sku})
         UNWIND $people AS x WITH camp, m, toInteger(x) AS i
         CREATE (c:Customer {id: $run + '-c' + i, displayName: 'bench'})
         CREATE (c)-[:HAD]->(t:Touchpoint {eventId: $run + '-imp' + i, type: 'AD_IMPRESSION',
                 occurredAt: datetime({epochMillis: toInteger($now) - 20 * 86400000 + i})})-[:VIA]->(camp)
         CREATE (t)-[:ABOUT]->(m)
         FOREACH (_ IN CASE WHEN i % 3 = 0 THEN [1] ELSE [] END |
           CREATE (c)-[:HAD]->(k:Touchpoint {eventId: $run + '-clk' + i, type: 'AD_CLICK',
                   occurredAt: datetime({epochMillis: toInteger($now) - 5 * 86400000 + i})})-[:VIA]->(camp))
         FOREACH (_ IN CASE WHEN i % 10 = 0 THEN [1] ELSE [] END |
           CREATE (c)-[:PLACED]->(:Order {id: $run + '-o' + i, amount: 100.0, currency: 'USD',
                   sku: $sku, placedAt: datetime({epochMillis: toInteger($now) - 86400000})}))`,
        { people, run, campaignId, sku, now },
      );
    }
    await graph.write(
      `MATCH (r:Customer {id: $run + '-c1'})
       MATCH (o:Order)<-[:PLACED]-(b:Customer) WHERE o.id STARTS WITH $run AND toInteger(substring(b.id, size($run) + 2)) % 50 = 0
       CREATE (r)-[:REFERRED {at: datetime({epochMillis: toInteger($now) - 30 * 86400000}), eventId: $run + '-ref-' + b.id}]->(b)`,
      { run, now },
    );

    const logger = pino({ level: 'silent' });
    const { app, apollo } = await createCampaignsSubgraph({
      graph,
      attribution: config.attribution,
      signing: config.signing,
      logger,
    });
    const server = await listen(app, '127.0.0.1', 0);
    // As the gateway calls it: signed for the local service.
    const call = signedGraphQLClient(`${server.url}/graphql`, config.signing.secret);
    const post = async (query: string, variables: Record<string, unknown>) => {
      const answer = await call({ kind: 'service', id: 'local' }, query, variables);
      if (answer.errors) throw new Error(JSON.stringify(answer.errors));
      return answer;
    };
    const orderIds = Array.from({ length: 100 }, (_, k) => `${run}-o${k * 10}`);
    const repo = createAttributionRepository(graph, config.attribution);
    const results = {
      people: PEOPLE,
      touchpoints: PEOPLE + Math.ceil(PEOPLE / 3),
      orders: Math.ceil(PEOPLE / 10),
      funnelWithFourModels: await time(ROUNDS, () =>
        post(
          `query ($id: ID!) { campaign(id: $id) { funnel {
            stages { stage people } purchases revenueInfluenced attributedRevenue { model revenue }
          } } }`,
          { id: campaignId },
        ),
      ),
      funnelStagesOnly: await time(ROUNDS, () =>
        post(`query ($id: ID!) { campaign(id: $id) { funnel { stages { stage people } } } }`, {
          id: campaignId,
        }),
      ),
      funnelBaselineRawReads: await time(ROUNDS, async () => {
        const people = (await repo.funnelPeople([campaignId])).get(campaignId) ?? [];
        await repo.touchesOfOrders(people.flatMap((p) => p.orders.map((o) => o.id)));
      }),
      attribution100Orders: await time(ROUNDS, () =>
        post(
          `query ($r: [_Any!]!) { _entities(representations: $r) {
            ... on Order { attribution(model: TIME_DECAY) { share revenue } } } }`,
          { r: orderIds.map((id) => ({ __typename: 'Order', id })) },
        ),
      ),
      attribution100OrdersBaselineRawRead: await time(ROUNDS, () => repo.touchesOfOrders(orderIds)),
    };
    console.log(JSON.stringify(results, null, 2));
    await apollo.stop();
    await server.close();
  } finally {
    for (;;) {
      const [row] = await graph.write<{ n: number }>(
        `MATCH (n) WHERE (n:Customer OR n:Touchpoint OR n:Order OR n:Campaign OR n:ProductModel)
           AND coalesce(n.id, n.eventId, n.sku) STARTS WITH $run
         WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n`,
        { run },
      );
      if (!row || row.n === 0) break;
    }
    await driver.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
