export { createProductsSubgraph, PRODUCTS_SCHEMA_DIR } from './server';
export type { ProductsDependencies } from './context';
