export {
  createGateway,
  MAX_COST,
  SUPERGRAPH_PATH,
  type GatewayApp,
  type GatewayDependencies,
} from './server';
export { type GatewayContext } from './auth';
export { MAX_EVENTS_PER_REQUEST } from './limits';
