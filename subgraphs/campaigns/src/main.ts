// First: tracing instruments the modules required after it.
import { flushTracing } from '@experience-graph/tracing/register';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createServiceMetrics, neo4jStatementMetrics } from '@experience-graph/metrics';
import { createDriver, createGraph, servingDeadlines } from '@experience-graph/neo4j';
import { listen, runService } from '@experience-graph/server-kit';
import { createCampaignsSubgraph } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'campaigns', level: config.logLevel });

runService(logger, async () => {
  const driver = createDriver(config.neo4j);
  const metrics = createServiceMetrics('campaigns');
  const { app, apollo } = await createCampaignsSubgraph({
    graph: createGraph(driver, config.neo4j.database, {
      observers: [neo4jStatementMetrics(metrics)],
      ...servingDeadlines(config.neo4j),
    }),
    metrics,
    attribution: config.attribution,
    signing: config.signing,
    logger,
  });
  const { host, port } = config.subgraphs.campaigns;
  const server = await listen(app, host, port);
  logger.info(
    { url: `${server.url}/graphql`, metrics: `${server.url}/metrics` },
    'campaigns subgraph ready',
  );
  return [flushTracing, () => driver.close(), () => apollo.stop(), server.close];
});
