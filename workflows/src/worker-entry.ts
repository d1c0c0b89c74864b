// Worker-side exports, kept apart from the client-side index so API servers never load the
// native worker runtime.
export {
  createActivities,
  type LifecycleActivities,
  type RecordDeviceStateInput,
} from './activities';
export { createLifecycleWorker, WORKFLOWS_PATH, type LifecycleWorkerDependencies } from './worker';
export {
  createValueModelActivities,
  readRfm,
  type ValueModelActivities,
} from './value-model-activities';
export {
  createErasureActivities,
  temporalErasureLifecycles,
  ANONYMOUS_TOUCHPOINT_FIELDS,
  type ErasureActivities,
  type ErasureLifecycles,
  type PersonLifecycles,
} from './erasure/erasure-activities';
