import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '@experience-graph/config';
import { readDevKeys, signStaffToken } from '@experience-graph/dev-auth';
import { createServiceMetrics, serveMetrics } from '@experience-graph/metrics';
import { listen, runService } from '@experience-graph/server-kit';
import { createConsoleServer, type DevTokenSigner } from './server';

const config = loadConfig(process.env);
const logger = pino({ name: 'console', level: config.logLevel });

/** Development sign-in: staff tokens signed with the key the local gateway trusts. */
function devTokenSigner(file: string): DevTokenSigner {
  const keys = readDevKeys(file);
  return (employeeId, roles) =>
    signStaffToken(keys, config.console.staffTokens, employeeId, roles, '8h');
}

runService(logger, async () => {
  const { devSigningKeyFile } = config.console;
  const metrics = createServiceMetrics('console');
  const app = createConsoleServer({
    gatewayUrl: config.console.gatewayUrl,
    // Built next to this file: dist/server/main.js serves dist/web.
    staticDir: path.resolve(__dirname, '..', 'web'),
    temporalUiUrl: config.console.temporalUiUrl,
    temporalNamespace: config.console.temporalNamespace,
    devTokens: devSigningKeyFile ? devTokenSigner(devSigningKeyFile) : null,
    logger,
    metrics,
  });
  const server = await listen(app, config.console.host, config.console.port);
  // The console's port faces staff browsers: its metrics are served on a listener of their own.
  const scrape = await serveMetrics(metrics, config.metrics.host, config.metrics.consolePort);
  logger.info(
    {
      url: server.url,
      gateway: config.console.gatewayUrl,
      devSignIn: devSigningKeyFile !== null,
      metrics: scrape.url,
    },
    'console ready',
  );
  return [server.close, scrape.close];
});
