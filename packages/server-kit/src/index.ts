export { listen, SERVICE_HEADER, type RunningServer } from './http';
export { mountHealth, type ReadinessCheck } from './health';
export {
  createSubgraphApp,
  forbidden,
  loadSubgraphSchema,
  schemaFiles,
  type FieldGuard,
  type PrincipalContext,
  type SubgraphApp,
  type SubgraphDefinition,
} from './subgraph';
export {
  requireGatewaySignature,
  subgraphBodyLimit,
  UNAUTHENTICATED_BODY,
  type SigningConfig,
} from './signature-check';
export {
  formatBytes,
  isBodyTooLarge,
  oversizedBodyLength,
  payloadTooLargeBody,
  subgraphBodyErrors,
  type ErrorBody,
} from './body-limit';
export { otherCustomersShowOnlyTheirId } from './reach-guards';
export { badUserInput, notFound, parseArgument } from './errors';
export { formatDependencyErrors, isDependencyAway } from './dependency-errors';
export {
  businessKey,
  latitude,
  longitude,
  optionalText,
  pastDateTime,
  text,
  CLOCK_SKEW_MS,
} from './validation';
export { runService } from './lifecycle';
export { keyedLoader } from './loaders';
export { DateTimeScalar } from './date-time';
export {
  serveSigned,
  signedGraphQLClient,
  type SignedResponse,
  type SignedSubgraph,
} from './signed-client';
export { selectedFields, type SelectedField } from './selection';
