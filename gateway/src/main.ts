// First: tracing instruments the modules required after it (and @apollo/gateway's spans).
import { flushTracing } from '@experience-graph/tracing/register';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { serveMetrics } from '@experience-graph/metrics';
import { listen, runService } from '@experience-graph/server-kit';
import { createGateway } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'gateway', level: config.logLevel });

runService(logger, async () => {
  const { app, apollo, metrics } = await createGateway({
    config: config.gateway,
    signing: config.signing,
    logger,
  });
  const server = await listen(app, config.gateway.host, config.gateway.port);
  // Never on the public port: on a listener of its own, loopback unless configured otherwise.
  const scrape = await serveMetrics(metrics, config.metrics.host, config.metrics.gatewayPort);
  logger.info({ url: `${server.url}/graphql`, metrics: scrape.url }, 'gateway ready');
  return [flushTracing, () => apollo.stop(), server.close, scrape.close];
});
