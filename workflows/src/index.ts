export * from './contracts';
export { createLifecycleGateway, type LifecycleGateway } from './lifecycle-client';
export { registerSearchAttributes } from './search-attributes';
