import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import type { Neo4jConfig } from '@experience-graph/config';
import { launcherCommand, LAUNCHER_DIR, LAUNCHER_JAR, loadNeo4jProfiles } from './neo4j-profiles';
import { DATA_DIR } from './paths';
import { JAVA, MAVEN, requireTools } from './prerequisites';
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

const NAME = 'neo4j';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Maven's batch-mode output: artifacts fetched, and the plugin goal running. */
export const MAVEN_TRACKING: OutputTracking = {
  counters: [
    {
      pattern: /^\[INFO\] Downloaded from /,
      one: 'artifact downloaded',
      many: 'artifacts downloaded',
    },
  ],
  phases: [
    {
      // "[INFO] --- maven-compiler-plugin:3.13.0:compile (default-compile) @ neo4j-launcher ---"
      pattern: /^\[INFO\] --- (?:maven-)?([\w.-]+?)(?:-plugin)?:[^:\s]+:([\w-]+)/,
      phase: (m) => `building (mvn package: ${m[1]}:${m[2]})`,
    },
  ],
};

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // The profiles are read at start-up, not built into the jar.
    if (entry.name === 'target' || entry.name === 'profiles.json') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether our credentials open a Bolt session there: the server is one we can use. */
async function boltAnswers(config: Neo4jConfig): Promise<true | string> {
  const driver = neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
    connectionTimeout: 3_000,
    maxConnectionPoolSize: 1,
  });
  try {
    await driver.verifyConnectivity({ database: 'system' });
    return true;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await driver.close();
  }
}

/**
 * Neo4j 5.26 community, embedded in our launcher (services/neo4j-launcher) with the Bolt
 * connector on. A URI that is not on this machine is someone else's server: left alone.
 */
export function neo4jService(config: Neo4jConfig): ManagedService {
  const url = new URL(config.uri);
  const host = url.hostname;
  const port = Number(url.port || 7687);
  const managed = LOOPBACK.has(host);

  return {
    name: NAME,
    address: config.uri,

    async status(): Promise<ServiceState> {
      if (runningPid(NAME) !== null) return 'running (started by this project)';
      if (!managed)
        return (await boltAnswers(config)) === true
          ? 'external, reachable'
          : 'external, unreachable';
      return (await isPortOpen(host, port)) ? 'running (not started by this project)' : 'stopped';
    },

    async up() {
      if (!managed || runningPid(NAME) !== null || (await isPortOpen(host, port))) {
        const answer = await boltAnswers(config);
        if (answer === true) return 'reused';
        if (!managed) throw new SetupError(`Neo4j at ${config.uri} is not reachable: ${answer}`);
        throw new SetupError(
          `${host}:${port} is taken, but not by a Neo4j server that accepts our credentials (${answer}). ` +
            'Stop that process, or point NEO4J_URI at another port.',
        );
      }
      requireTools([JAVA, MAVEN]);
      if (
        !existsSync(LAUNCHER_JAR) ||
        statSync(LAUNCHER_JAR).mtimeMs < newestSource(LAUNCHER_DIR)
      ) {
        await runCommand(
          'mvn',
          ['-B', '-f', path.join(LAUNCHER_DIR, 'pom.xml'), 'package', '-DskipTests'],
          {
            what: 'Building the Neo4j launcher',
            progress: {
              label: 'Neo4j launcher',
              // The first run downloads Neo4j 5.26 and its dependencies from Maven Central.
              activity: 'building (mvn package)',
              done: 'built',
              log: 'neo4j-launcher-build',
              tracking: MAVEN_TRACKING,
            },
          },
        );
      }
      const home = path.join(DATA_DIR, 'neo4j');
      mkdirSync(home, { recursive: true });
      // JVM options and page cache: the profile profiles.json names (README, "Neo4j for serving").
      const launcher = launcherCommand(loadNeo4jProfiles().use);
      startDetached(NAME, 'java', launcher.args, {
        env: {
          ...launcher.env,
          NEO4J_HOME_DIR: home,
          NEO4J_BOLT_HOST: host === 'localhost' ? '127.0.0.1' : host,
          NEO4J_BOLT_PORT: String(port),
          NEO4J_PASSWORD: config.password,
        },
      });
      await waitUntil(
        NAME,
        async () => (await boltAnswers(config)) === true,
        180_000,
        `starting (waiting for Bolt on ${host}:${port})`,
      );
      return 'started';
    },
  };
}
