export * from './contracts';
export { createLifecycleGateway, type LifecycleGateway } from './lifecycle-client';
export { registerSearchAttributes } from './search-attributes';
export { createErasureStarter, type ErasureStarter } from './erasure-client';
export * from './value-model-contracts';
export {
  createValueModelJobs,
  ensureValueModelSchedule,
  type ValueModelJobs,
  type ValueModelScheduleOptions,
} from './value-model-client';
export { deadlineInterceptors } from './call-deadline';
