export {
  createGateway,
  SUPERGRAPH_PATH,
  type GatewayApp,
  type GatewayDependencies,
} from './server';
