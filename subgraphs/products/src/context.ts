import type { Principal } from '@experience-graph/access';
import type { SigningConfig } from '@experience-graph/server-kit';
import { createSegmentRepository } from '@experience-graph/segments';
import type { Logger } from 'pino';
import type { IdentityConfig, IntakeConfig, ValueConfig } from '@experience-graph/config';
import { createIdentityService } from '@experience-graph/identity';
import type { Graph } from '@experience-graph/neo4j';
import type { LifecycleGateway } from '@experience-graph/workflows';
import { createBacklogReader, type BacklogReader } from './backlog/backlog-reader';
import { createDeviceLoaders, type DeviceLoaders } from './devices/device-loaders';
import { createDeviceRepository, type DeviceRepository } from './devices/device-repository';
import { createEventIntake, PAYLOAD_FIELDS, type EventIntake } from '@experience-graph/intake';
import { intakeMetrics, type ServiceMetrics } from '@experience-graph/metrics';
import { createHealthRepository, type HealthRepository } from './health/health-repository';
import { createHealthLoaders, type HealthLoaders } from './health/resolvers';
import {
  createExperienceRepository,
  type ExperienceRepository,
} from './experience/experience-repository';
import { createExperienceLoaders, type ExperienceLoaders } from './experience/resolvers';
import {
  createPerceptionRepository,
  type PerceptionRepository,
} from './perception/perception-repository';
import { createPerceptionLoaders, type PerceptionLoaders } from './perception/resolvers';

/** What the products subgraph needs from the outside world. */
export interface ProductsDependencies {
  graph: Graph;
  lifecycle: LifecycleGateway;
  identity: IdentityConfig;
  /** What the intake accepts beyond each field's checks (`config.intake`); its defaults if absent. */
  intake?: IntakeConfig;
  logger: Logger;
  /** The erasure salt (ERASURE_SALT): events naming erased people are dropped. */
  erasureSalt: string;
  /** How customer value is reckoned: segments over value are kept current as events arrive. */
  value?: ValueConfig;
  /** How the gateway's signatures are checked (`config.signing`). */
  signing: SigningConfig;
  /**
   * The lane (task queue) the lifecycles run on: accepted events owe their signals on it, and
   * `signalBacklog` reads its backlog.
   */
  lane: string;
  /** Where its requests and the intake's events are counted (served on `/metrics`). */
  metrics?: ServiceMetrics;
}

/** Per-request context: repositories, and DataLoaders that live for one request only. */
export interface ProductsContext {
  /** Who is behind the request, as the gateway vouched. */
  principal: Principal;
  devices: DeviceRepository;
  loaders: DeviceLoaders;
  lifecycle: LifecycleGateway;
  intake: EventIntake;
  experience: ExperienceRepository;
  experienceLoaders: ExperienceLoaders;
  health: HealthRepository;
  healthLoaders: HealthLoaders;
  perception: PerceptionRepository;
  perceptionLoaders: PerceptionLoaders;
  backlog: BacklogReader;
}

export function createContextFactory(
  deps: ProductsDependencies,
): (principal: Principal) => ProductsContext {
  const devices = createDeviceRepository(deps.graph);
  const experience = createExperienceRepository(deps.graph);
  const health = createHealthRepository(deps.graph);
  const perception = createPerceptionRepository(deps.graph);
  const backlog = createBacklogReader(deps.graph, deps.lane);
  const recordEvents = createEventIntake({
    graph: deps.graph,
    identity: createIdentityService(deps.graph, deps.identity),
    identityOptions: deps.identity,
    lifecycles: { lane: deps.lane },
    logger: deps.logger,
    erasureSalt: deps.erasureSalt,
    ...(deps.intake ? { earliestEventDate: deps.intake.earliestEventDate } : {}),
    ...(deps.value ? { segments: createSegmentRepository(deps.graph, deps.value) } : {}),
  });
  const counted = deps.metrics ? intakeMetrics(deps.metrics, { kinds: PAYLOAD_FIELDS }) : null;
  const intake: EventIntake = counted
    ? {
        async record(events, principal) {
          const batch = await recordEvents.record(events, principal);
          counted.recorded(events, batch.results, principal);
          return batch;
        },
      }
    : recordEvents;
  return (principal) => ({
    principal,
    devices,
    loaders: createDeviceLoaders(devices),
    lifecycle: deps.lifecycle,
    intake,
    experience,
    experienceLoaders: createExperienceLoaders(experience),
    health,
    healthLoaders: createHealthLoaders(health),
    perception,
    perceptionLoaders: createPerceptionLoaders(perception),
    backlog,
  });
}
