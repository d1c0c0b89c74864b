export { createCustomersSubgraph, CUSTOMERS_SCHEMA_PATH } from './server';
export type { CustomersDependencies } from './context';
