import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Config } from '@experience-graph/config';
import { consoleDevAuthEnvironment, devAuthEnvironment } from './dev-tokens';
import { ROOT } from './paths';
import {
  isPortOpen,
  runningPid,
  SetupError,
  startDetached,
  stopProcess,
  waitUntil,
} from './processes';

/** Header our HTTP servers send (see server-kit), to tell them from foreign processes. */
const SERVICE_HEADER = 'x-experience-graph-service';

interface AppProcess {
  name: string;
  entry: string;
  host?: string;
  port?: number;
}

/**
 * The project's own processes, in start order: subgraphs, worker and the outbox relay first,
 * then the gateway, then the console in front of it.
 */
export function appProcesses(config: Config): AppProcess[] {
  return [
    { name: 'products', entry: 'subgraphs/products/dist/main.js', ...config.subgraphs.products },
    { name: 'customers', entry: 'subgraphs/customers/dist/main.js', ...config.subgraphs.customers },
    { name: 'campaigns', entry: 'subgraphs/campaigns/dist/main.js', ...config.subgraphs.campaigns },
    { name: 'worker', entry: 'workflows/dist/main.js' },
    // Delivers the lifecycle signals accepted events owe; serves its health like the servers.
    {
      name: 'relay',
      entry: 'relay/dist/main.js',
      host: config.relay.host,
      port: config.relay.port,
    },
    {
      name: 'gateway',
      entry: 'gateway/dist/main.js',
      host: config.gateway.host,
      port: config.gateway.port,
    },
    // The web app for support, marketing and ops; it sends GraphQL to the gateway.
    {
      name: 'console',
      entry: 'console/dist/server/main.js',
      host: config.console.host,
      port: config.console.port,
    },
  ];
}

async function serviceAt(host: string, port: number): Promise<string | null> {
  try {
    const response = await fetch(`http://${host}:${port}/health/live`, {
      signal: AbortSignal.timeout(2_000),
    });
    return response.headers.get(SERVICE_HEADER);
  } catch {
    return null;
  }
}

async function workerPolling(config: Config): Promise<boolean> {
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const response = await connection.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (response.pollers ?? []).length > 0;
  } finally {
    await connection.close();
  }
}

/** Starts each process that is not running yet and waits until all are ready. */
export async function appsUp(config: Config): Promise<void> {
  for (const app of appProcesses(config)) {
    if (runningPid(app.name) !== null) continue;
    if (
      app.host !== undefined &&
      app.port !== undefined &&
      (await isPortOpen(app.host, app.port))
    ) {
      const service = await serviceAt(app.host, app.port);
      if (service === app.name) continue;
      throw new SetupError(
        `${app.host}:${app.port}, wanted by ${app.name}, is taken by ${service ? `our ${service} service` : 'another process'}. Stop it or change the port (see .env.example).`,
      );
    }
    startDetached(
      app.name,
      process.execPath,
      ['--enable-source-maps', path.join(ROOT, app.entry)],
      {
        env: {
          APOLLO_TELEMETRY_DISABLED: 'true',
          ...(app.name === 'gateway' ? devAuthEnvironment(config) : {}),
          ...(app.name === 'console' ? consoleDevAuthEnvironment(config) : {}),
        },
      },
    );
  }
  for (const app of appProcesses(config)) {
    const { host, port } = app;
    const check =
      host !== undefined && port !== undefined
        ? async () => (await serviceAt(host, port)) === app.name
        : () => workerPolling(config);
    await waitUntil(app.name, check, 60_000);
  }
}

export async function appsDown(config: Config): Promise<string[]> {
  const stopped: string[] = [];
  for (const app of appProcesses(config).reverse()) {
    if (await stopProcess(app.name)) stopped.push(app.name);
  }
  return stopped;
}

export function appsStatus(config: Config): Array<[string, string]> {
  return appProcesses(config).map((app) => [
    app.name,
    runningPid(app.name) !== null
      ? `running${app.port ? ` on ${app.host}:${app.port}` : ''}`
      : 'stopped',
  ]);
}

/**
 * Where Prometheus scrapes each process (docs/metrics.md): the subgraphs and the relay on their
 * own port, the gateway, the console and the worker on listeners of their own.
 */
export function metricsAddresses(config: Config): Array<[string, string]> {
  const at = (host: string, port: number) => `http://${host}:${port}/metrics`;
  const { host } = config.metrics;
  return [
    ['gateway', at(host, config.metrics.gatewayPort)],
    ['products', at(config.subgraphs.products.host, config.subgraphs.products.port)],
    ['customers', at(config.subgraphs.customers.host, config.subgraphs.customers.port)],
    ['campaigns', at(config.subgraphs.campaigns.host, config.subgraphs.campaigns.port)],
    ['relay', at(config.relay.host, config.relay.port)],
    ['console', at(host, config.metrics.consolePort)],
    ['worker', at(host, config.metrics.workerPort)],
    ['worker (Temporal SDK)', at(host, config.metrics.workerTemporalPort)],
  ];
}
