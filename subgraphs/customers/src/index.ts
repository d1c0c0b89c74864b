export { createCustomersSubgraph, CUSTOMERS_SCHEMA_DIR } from './server';
export type { CustomersDependencies } from './context';
