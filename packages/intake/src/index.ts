/**
 * The event intake: validation, identity, the rules of every event kind (one folder per kind
 * under `kinds/`), the batch's facts and write, and the lifecycle signals it owes.
 */
export {
  createEventIntake,
  type EventIntake,
  type EventResult,
  type EventStatus,
  type IntakePorts,
  type RecordedBatch,
} from './intake';
export {
  KINDS,
  PAYLOAD_FIELDS,
  type IntakeEvent,
  type ParsedEvent,
  type PayloadField,
} from './kinds';
export { createEventParser, namePerson } from './parse';
export type { EventOutcome } from './lifecycle-rule';
export type { EventErrorCode, Rejection } from './rejection';
export { scopedEventId } from './event-access';
