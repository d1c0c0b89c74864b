/**
 * The backing services of one stack (Neo4j, then Temporal) as `npm start` brings them up and
 * `npm stop` takes them down, for whichever configuration (and data folder) it is given: the
 * command line's, or an isolated stack's such as the fault matrix's.
 */
import type { Config } from '@experience-graph/config';
import { createDriver, createGraph, loadMigrations, migrate } from '@experience-graph/neo4j';
import { neo4jService } from './neo4j-service';
import { stopProcess } from './processes';
import type { ManagedService } from './service';
import { temporalService } from './temporal-service';

/** The backing services, in start order. */
export const services = (config: Config): ManagedService[] => [
  neo4jService(config.neo4j),
  temporalService(config.temporal),
];

/** Starts (or reuses) each service, then applies the migrations; resolves what it started. */
export async function servicesUp(config: Config): Promise<string[]> {
  const started: string[] = [];
  for (const service of services(config)) {
    const outcome = await service.up();
    console.log(
      `${service.name}: ${outcome === 'started' ? 'started' : 'already running'} at ${service.address}`,
    );
    if (outcome === 'started') started.push(service.name);
  }
  await runMigrations(config);
  return started;
}

/** Stops the services this project started (`only`: just those), in reverse order. */
export async function servicesDown(config: Config, only?: string[]): Promise<void> {
  for (const service of services(config).reverse()) {
    if (only && !only.includes(service.name)) continue;
    if (await stopProcess(service.name, 60_000)) console.log(`${service.name}: stopped`);
  }
}

/** Applies the Neo4j migrations not yet applied. */
export async function runMigrations(config: Config): Promise<void> {
  const driver = createDriver(config.neo4j);
  try {
    const report = await migrate(
      createGraph(driver, config.neo4j.database),
      await loadMigrations(),
    );
    for (const m of report.applied) console.log(`neo4j: applied migration ${m.version}-${m.name}`);
  } finally {
    await driver.close();
  }
}
