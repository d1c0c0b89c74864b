// The workflows the worker registers; this file is the bundler's entry point.
export { deviceLifecycle } from './device-lifecycle';
export { customerJourney } from './customer-journey';
export { deviceIntervention } from './device-intervention';
export { customerValueModel } from './customer-value-model';
export { customerErasure } from './customer-erasure';
