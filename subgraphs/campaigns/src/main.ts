import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { listen, runService } from '@experience-graph/server-kit';
import { createCampaignsSubgraph } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'campaigns', level: config.logLevel });

runService(logger, async () => {
  const driver = createDriver(config.neo4j);
  const { app, apollo } = await createCampaignsSubgraph({
    graph: createGraph(driver, config.neo4j.database),
    attribution: config.attribution,
    signing: config.signing,
    logger,
  });
  const { host, port } = config.subgraphs.campaigns;
  const server = await listen(app, host, port);
  logger.info({ url: `${server.url}/graphql` }, 'campaigns subgraph ready');
  return [() => driver.close(), () => apollo.stop(), server.close];
});
