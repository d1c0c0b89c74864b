export { createProductsSubgraph, PRODUCTS_SCHEMA_PATH } from './server';
export type { ProductsDependencies } from './context';
