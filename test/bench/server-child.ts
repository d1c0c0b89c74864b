/**
 * Servers of the federation benchmark in a process of their own, as deployed: `subgraphs` (the
 * three subgraphs, built by startBenchSystem) or `gateway` (the gateway alone, in front of the
 * subgraph URLs it is given). Started by server-process.ts with `fork`; it reports its own CPU
 * when asked, so each process's share of a request is measured rather than inferred.
 */
import pino from 'pino';
import { loadConfig, type SubgraphName } from '@experience-graph/config';
import { createGateway } from '@experience-graph/gateway';
import { listen } from '@experience-graph/server-kit';
import { startBenchSystem } from './system';

/** What the bench sends. */
export type ToServer = { type: 'cpu'; id: number } | { type: 'stop' };

/** What the server process sends back. */
export type FromServer =
  | { type: 'ready'; pid: number; urls: Record<string, string> }
  | { type: 'cpu'; id: number; micros: number };

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('server-child needs an IPC channel: start it with fork()');
  const role = process.argv[2];
  const config = loadConfig(process.env);
  let urls: Record<string, string>;
  let stop: () => Promise<void>;
  if (role === 'subgraphs') {
    const system = await startBenchSystem(config);
    urls = system.subgraphUrls;
    stop = () => system.stop();
  } else if (role === 'gateway') {
    const subgraphUrls = JSON.parse(process.argv[3] ?? '{}') as Record<SubgraphName, string>;
    const { app, apollo } = await createGateway({
      config: { ...config.gateway, subgraphUrls },
      signing: config.signing,
      logger: pino({ level: process.env['BENCH_LOG_LEVEL'] ?? 'silent' }),
    });
    const server = await listen(app, '127.0.0.1', 0);
    urls = { gateway: `${server.url}/graphql` };
    stop = async () => {
      await apollo.stop();
      await server.close();
    };
  } else {
    throw new Error(`Unknown role ${String(role)}: subgraphs or gateway`);
  }
  let stopping: Promise<void> | undefined;
  const shutdown = () => (stopping ??= stop());
  process.on('message', (message: ToServer) => {
    if (message.type === 'stop') {
      void shutdown().finally(() => process.disconnect());
      return;
    }
    const { user, system } = process.cpuUsage();
    send({ type: 'cpu', id: message.id, micros: user + system } satisfies FromServer);
  });
  // The bench went away (crashed, or killed): stop rather than serve forever.
  process.on('disconnect', () => void shutdown());
  send({ type: 'ready', pid: process.pid, urls } satisfies FromServer);
}

main().catch((error: unknown) => {
  console.error('[bench server]', error instanceof Error ? error.message : error);
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
