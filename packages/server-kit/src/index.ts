export { listen, SERVICE_HEADER, type RunningServer } from './http';
export { mountHealth, type ReadinessCheck } from './health';
export {
  createSubgraphApp,
  loadSubgraphSchema,
  schemaFiles,
  type SubgraphApp,
  type SubgraphDefinition,
} from './subgraph';
export { badUserInput, notFound, parseArgument } from './errors';
export { businessKey, latitude, longitude, pastDateTime, text, CLOCK_SKEW_MS } from './validation';
export { runService } from './lifecycle';
export { keyedLoader } from './loaders';
export { DateTimeScalar } from './date-time';
