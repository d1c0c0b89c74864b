export {
  createGateway,
  MAX_COST,
  SUPERGRAPH_PATH,
  type GatewayApp,
  type GatewayDependencies,
} from './server';
export { type GatewayContext } from './auth';
export { IDE_CONTENT_SECURITY_POLICY, IDE_DIR, IDE_PATH } from './ide';
export { MAX_EVENTS_PER_REQUEST } from './limits';
