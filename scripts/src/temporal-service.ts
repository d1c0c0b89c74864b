import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { TemporalConfig } from '@experience-graph/config';
import { registerSearchAttributes } from '@experience-graph/workflows';
import { DATA_DIR, TOOLS_DIR } from './paths';
import { GO, requireTools } from './prerequisites';
import {
  isPortOpen,
  runCommand,
  runningPid,
  SetupError,
  startDetached,
  waitUntil,
} from './processes';
import type { OutputTracking } from './progress';
import type { ManagedService, ServiceState } from './service';

/** Later tags carry a `replace` directive that `go install` refuses. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const BIN_DIR = path.join(TOOLS_DIR, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
export const TEMPORAL_BIN = path.join(BIN_DIR, 'temporal');
const NAME = 'temporal';
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** `go install -v` output: "go: downloading <module> <version>", then one package path per line. */
export const GO_INSTALL_TRACKING: OutputTracking = {
  counters: [
    { pattern: /^go: downloading /, one: 'module downloaded', many: 'modules downloaded' },
    { pattern: /^[\w.-]+(\/[\w.@~+-]+)*$/, one: 'package compiled', many: 'packages compiled' },
  ],
  phases: [
    { pattern: /^go: downloading /, phase: () => 'downloading modules (go install)' },
    { pattern: /^[\w.-]+(\/[\w.@~+-]+)*$/, phase: () => 'compiling (go install)' },
  ],
};

async function frontendAnswers(config: TemporalConfig): Promise<true | string> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: config.address, connectTimeout: 3_000 });
    await connection.workflowService.describeNamespace({ namespace: config.namespace });
    return true;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await connection?.close();
  }
}

/**
 * The Temporal CLI dev server (SQLite file, Web UI), built from the Go module proxy. An address
 * that is not on this machine (a cluster, Temporal Cloud) is left alone.
 */
export function temporalService(config: TemporalConfig): ManagedService {
  const [host = '127.0.0.1', portText = '7233'] = config.address.split(':');
  const port = Number(portText);
  const uiPort = Number(new URL(config.uiUrl).port || 80);
  const managed = LOOPBACK.has(host);

  const registerAttributes = async () => {
    const connection = await Connection.connect({ address: config.address });
    try {
      await registerSearchAttributes(connection, config.namespace);
    } finally {
      await connection.close();
    }
  };

  return {
    name: NAME,
    address: `${config.address} (Web UI ${config.uiUrl})`,

    async status(): Promise<ServiceState> {
      if (runningPid(NAME) !== null) return 'running (started by this project)';
      if (!managed)
        return (await frontendAnswers(config)) === true
          ? 'external, reachable'
          : 'external, unreachable';
      return (await isPortOpen(host, port)) ? 'running (not started by this project)' : 'stopped';
    },

    async up() {
      if (!managed || runningPid(NAME) !== null || (await isPortOpen(host, port))) {
        const answer = await frontendAnswers(config);
        if (answer !== true) {
          throw new SetupError(
            managed
              ? `${host}:${port} is taken, but not by a Temporal server with namespace ${config.namespace} (${answer}). Stop that process, or point TEMPORAL_ADDRESS at another port.`
              : `Temporal at ${config.address} is not reachable: ${answer}`,
          );
        }
        await registerAttributes();
        return 'reused';
      }
      if (await isPortOpen('127.0.0.1', uiPort)) {
        throw new SetupError(
          `Port ${uiPort}, wanted for the Temporal Web UI, is taken by another process. Stop it, or set TEMPORAL_UI_URL to another port.`,
        );
      }
      if (!existsSync(TEMPORAL_BIN)) {
        requireTools([GO]);
        await runCommand(
          'go',
          // -v names each package as it is compiled: the only sign of life once downloads end.
          ['install', '-v', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
          {
            env: { GOBIN: BIN_DIR, GOFLAGS: '-mod=mod' },
            what: 'Building the Temporal CLI',
            progress: {
              label: 'Temporal CLI',
              activity: `building (go install …@${TEMPORAL_CLI_VERSION}, first run takes a few minutes)`,
              done: 'built',
              log: 'temporal-cli-build',
              tracking: GO_INSTALL_TRACKING,
            },
          },
        );
      }
      const dataDir = path.join(DATA_DIR, 'temporal');
      mkdirSync(dataDir, { recursive: true });
      startDetached(NAME, TEMPORAL_BIN, [
        'server',
        'start-dev',
        '--ip',
        host === 'localhost' ? '127.0.0.1' : host,
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
        '--db-filename',
        path.join(dataDir, 'temporal.db'),
        '--namespace',
        config.namespace,
        '--log-level',
        'warn',
      ]);
      await waitUntil(
        NAME,
        async () => (await frontendAnswers(config)) === true,
        120_000,
        `starting (waiting for the frontend on ${host}:${port})`,
      );
      await registerAttributes();
      return 'started';
    },
  };
}
