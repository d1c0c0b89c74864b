import type { Graph } from '@experience-graph/neo4j';
import type { LifecycleGateway } from '@experience-graph/workflows';
import { createDeviceLoaders, type DeviceLoaders } from './devices/device-loaders';
import { createDeviceRepository, type DeviceRepository } from './devices/device-repository';

/** What the products subgraph needs from the outside world. */
export interface ProductsDependencies {
  graph: Graph;
  lifecycle: LifecycleGateway;
}

/** Per-request context: repositories, and DataLoaders that live for one request only. */
export interface ProductsContext {
  devices: DeviceRepository;
  loaders: DeviceLoaders;
  lifecycle: LifecycleGateway;
}

export function createContextFactory(deps: ProductsDependencies): () => ProductsContext {
  const devices = createDeviceRepository(deps.graph);
  return () => ({ devices, loaders: createDeviceLoaders(devices), lifecycle: deps.lifecycle });
}
