/**
 * The project's command line: `npm start`, `npm stop`, `npm test`, `npm run services -- up`...
 * Each command is idempotent: it installs what is missing, starts what is not running and
 * leaves alone what already runs.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { withRenderedRights } from '@experience-graph/access';
import path from 'node:path';
import { ConfigError, loadConfig, type ApiClient, type Config } from '@experience-graph/config';
import { appsDown, appsStatus, appsUp, metricsAddresses } from './app-services';
import { ensureChromium, runsBrowserTests } from './browser';
import { runChaosCommand } from './chaos/command';
import { DATA_DIR, ROOT } from './paths';
import { runCommand, SetupError } from './processes';
import { DEMO, seedDemo, type DemoSenders } from './seed';
import { printToken } from './dev-tokens';
import { runMigrations, services, servicesDown, servicesUp } from './stack';

/**
 * Who sends the demo story: the first service client for the set-up and the maker's own events,
 * and the first registered partner of each role for its part (the service where a role has none).
 */
function demoSenders(config: Config): DemoSenders {
  const { clients } = config.gateway;
  const service = clients.find((c) => c.role === 'service');
  if (!service) {
    throw new SetupError('GATEWAY_CLIENTS has no client with the service role to seed with');
  }
  const keyOf = (role: ApiClient['role']) => (clients.find((c) => c.role === role) ?? service).key;
  return {
    url: `http://${config.gateway.host}:${config.gateway.port}/graphql`,
    service: service.key,
    adPlatform: keyOf('adPlatform'),
    retailer: keyOf('retailer'),
    carrier: keyOf('carrier'),
    deviceCloud: keyOf('deviceCloud'),
    community: keyOf('community'),
  };
}

async function status(config: Config): Promise<void> {
  for (const service of services(config)) console.log(`${service.name}: ${await service.status()}`);
  for (const [name, state] of appsStatus(config)) console.log(`${name}: ${state}`);
}

async function start(config: Config): Promise<void> {
  await servicesUp(config);
  await appsUp(config);
  const gatewayUrl = `http://${config.gateway.host}:${config.gateway.port}/graphql`;
  const senders = demoSenders(config);
  await seedDemo(senders);
  const query = `{ customer(id: "${DEMO.customerId}") { displayName value { total referral } devices { serial stage health { level reasons } interventions { status reason } experience { actions { label detail } } } } }`;
  console.log(`
Experience Graph is running.

  Console           http://${config.console.host}:${config.console.port}/  (support, marketing, ops; sign in with a role)
  GraphQL gateway   ${gatewayUrl}${config.gateway.production ? '' : '  (open it in a browser for GraphiQL)'}
  Temporal Web UI   ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows?query=${encodeURIComponent(`Serial="${DEMO.serial}"`)}
                    open interventions: ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows?query=${encodeURIComponent('OpenIntervention = true')}
  Neo4j (Bolt)      ${config.neo4j.uri}  (user ${config.neo4j.user})
  Logs              ${path.relative(process.cwd(), path.join(DATA_DIR, 'logs'))}/
  Metrics           Prometheus text format; what each one means: docs/metrics.md
                    ${metricsAddresses(config)
                      .map(([name, url]) => `${name.padEnd(22)} ${url}`)
                      .join('\n                    ')}

Try:
  curl -s ${gatewayUrl} -H 'content-type: application/json' -H 'authorization: Bearer ${senders.service}' \\
    -d '${JSON.stringify({ query })}'

Who may call it (README, "Access"):
  the local service key    ${senders.service}  (every right; development only)
  partners' keys           ${config.gateway.clients
    .filter((c) => c.role !== 'service')
    .map((c) => `${c.id}: ${c.key}`)
    .join('\n                           ')}
  Ana in the app           npm run -s token -- person ${DEMO.customerId}
  an expert                npm run -s token -- staff e-expert-1 expert   (or support, marketer, admin)

Stop everything with: npm stop`);
}

async function test(config: Config, jestArgs: string[]): Promise<void> {
  // The console's end-to-end tests drive Debian's Chromium: installed once, when missing.
  if (runsBrowserTests(jestArgs)) await ensureChromium();
  const started = await servicesUp(config);
  try {
    await runCommand(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), ...jestArgs],
      {
        cwd: ROOT,
        what: 'The tests',
      },
    );
  } finally {
    // Leave running what was running before; stop what this run started.
    await servicesDown(config, started);
  }
}

async function bench(config: Config, args: string[]): Promise<void> {
  const started = await servicesUp(config);
  try {
    await runCommand(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(ROOT, 'test', 'bench', 'run.ts'),
        ...args,
      ],
      {
        cwd: ROOT,
        what: 'The benchmarks',
      },
    );
  } finally {
    await servicesDown(config, started);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig(process.env);
  switch (command) {
    case 'start':
      return start(config);
    case 'stop':
      await appsDown(config);
      return servicesDown(config);
    case 'status':
      return status(config);
    case 'services': {
      const [action] = rest;
      if (action === 'up') return void (await servicesUp(config));
      if (action === 'down') return servicesDown(config);
      if (action === 'status' || action === undefined) return status(config);
      throw new SetupError(`Unknown services action "${action}": use up, down or status`);
    }
    case 'migrate':
      return runMigrations(config);
    case 'seed':
      return seedDemo(demoSenders(config));
    case 'test':
      return test(config, rest);
    case 'bench':
      return bench(config, rest);
    case 'token':
      return printToken(config, rest);
    case 'chaos':
      process.exitCode = await runChaosCommand(rest);
      return;
    case 'rights': {
      const readme = path.join(ROOT, 'README.md');
      writeFileSync(readme, withRenderedRights(readFileSync(readme, 'utf8')));
      return console.log('README.md: rights table rendered');
    }
    case 'reset':
      await appsDown(config);
      await servicesDown(config);
      rmSync(DATA_DIR, { recursive: true, force: true });
      return console.log(`Removed ${DATA_DIR}`);
    default:
      throw new SetupError(
        `Unknown command "${command ?? ''}". Commands: start, stop, status, services up|down|status, migrate, seed, test, bench, chaos, token, rights, reset`,
      );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof SetupError || error instanceof ConfigError) {
    console.error(`\n${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
