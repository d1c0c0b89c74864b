import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from '@experience-graph/neo4j';
import { listen, runService } from '@experience-graph/server-kit';
import { createCustomersSubgraph } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'customers', level: config.logLevel });

runService(logger, async () => {
  const driver = createDriver(config.neo4j);
  const { app, apollo } = await createCustomersSubgraph({
    graph: createGraph(driver, config.neo4j.database),
    value: config.value,
    logger,
  });
  const { host, port } = config.subgraphs.customers;
  const server = await listen(app, host, port);
  logger.info({ url: `${server.url}/graphql` }, 'customers subgraph ready');
  return [() => driver.close(), () => apollo.stop(), server.close];
});
