import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { listen, runService } from '@experience-graph/server-kit';
import { createGateway } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'gateway', level: config.logLevel });

runService(logger, async () => {
  const { app, apollo } = await createGateway({
    config: config.gateway,
    signing: config.signing,
    logger,
  });
  const server = await listen(app, config.gateway.host, config.gateway.port);
  logger.info({ url: `${server.url}/graphql` }, 'gateway ready');
  return [() => apollo.stop(), server.close];
});
