import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Principal } from '@experience-graph/access';
import { graphqlMetricsPlugin } from './graphql';
import { createServiceMetrics } from './registry';
import { parseSamples, sampleSum } from './scrape';

interface Context {
  principal?: Principal;
}

const metricValue = async (
  metrics: ReturnType<typeof createServiceMetrics>,
  name: string,
  labels: Record<string, string>,
) => {
  const metric = metrics.registry.getSingleMetric(name);
  const { values } = await metric!.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
};

describe('the GraphQL metrics plugin', () => {
  const metrics = createServiceMetrics('gateway', { processMetrics: false });
  const server = new ApolloServer<Context>({
    typeDefs: 'type Query { hello: String, refused: String }',
    resolvers: {
      Query: {
        hello: () => 'hi',
        refused: () => {
          throw new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } });
        },
      },
    },
    plugins: [
      graphqlMetricsPlugin<Context>(metrics, { principalOf: (c) => c.principal, maxOperations: 2 }),
    ],
  });
  const partner: Principal = {
    kind: 'partner',
    id: 'demo-carrier',
    role: 'carrier',
    reach: { campaignIds: [], storeIds: [], skus: [] },
    linkNamespaces: [],
  };
  const run = (query: string, principal?: Principal) =>
    server.executeOperation({ query }, { contextValue: principal ? { principal } : {} });

  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('counts and times requests by operation, principal and outcome', async () => {
    await run('query Greeting { hello }', partner);
    await run('query Greeting { hello }', partner);
    await run('query Greeting { refused }', partner);
    await run('{ hello }', { kind: 'service', id: 'local' });
    await run('query Broken { hello', partner);
    await run('query Greeting { nope }', partner);

    const requests = (labels: Record<string, string>) =>
      metricValue(metrics, 'eg_graphql_requests_total', labels);
    const base = { operation: 'Greeting', principal: 'partner:demo-carrier' };
    expect(await requests({ ...base, outcome: 'ok' })).toBe(2);
    expect(await requests({ ...base, outcome: 'FORBIDDEN' })).toBe(1);
    expect(await requests({ operation: 'anonymous', principal: 'service:local' })).toBe(1);
    expect(await requests({ operation: 'invalid', outcome: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(await requests({ operation: 'invalid', outcome: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    const durations = await metricValue(metrics, 'eg_graphql_request_duration_seconds', base);
    // The histogram's values are its buckets, sum and count: 3 requests in +Inf, and more.
    expect(durations).toBeGreaterThan(3);
    const samples = parseSamples(await metrics.registry.metrics());
    expect(sampleSum(samples, 'eg_graphql_request_duration_seconds_count', base)).toBe(3);
  });

  it('folds operation names past its bound into other', async () => {
    await run('query Second { hello }', partner);
    await run('query Third { hello }', partner);
    expect(await metricValue(metrics, 'eg_graphql_requests_total', { operation: 'Second' })).toBe(
      1,
    );
    expect(await metricValue(metrics, 'eg_graphql_requests_total', { operation: 'other' })).toBe(1);
    expect(await metricValue(metrics, 'eg_graphql_requests_total', { operation: 'Third' })).toBe(0);
  });
});
