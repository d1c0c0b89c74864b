/**
 * Every event kind, in one typed table: the payload fields of `LifecycleEventInput`. Adding a
 * kind is a folder of its own here, one line below, and its field in the GraphQL input.
 *
 * The order of the table is the order in which a batch's accepted events are written, kind by
 * kind, in its one transaction: a kind that reads what another creates comes after it (a vote
 * after the answer, a delivery after the purchase, a purchase's attribution after the ad touches).
 */
import type { z } from 'zod';
import { adClick } from './adClick';
import { adImpression } from './adImpression';
import { answerVote } from './answerVote';
import { communityAnswer } from './communityAnswer';
import { delivery } from './delivery';
import { expertRequest } from './expertRequest';
import { feedback } from './feedback';
import { identify } from './identify';
import { installation } from './installation';
import type { EventKind, KindEvent, Named } from './kind';
import { optOut } from './optOut';
import { presaleExpertRequest } from './presaleExpertRequest';
import { order } from './order';
import { purchase } from './purchase';
import { referral } from './referral';
import { review } from './review';
import { shipmentUpdate } from './shipmentUpdate';
import { socialMention } from './socialMention';
import { storeProximity } from './storeProximity';
import { supportRequest } from './supportRequest';
import { telemetry } from './telemetry';

export const KINDS = {
  identify,
  adImpression,
  adClick,
  storeProximity,
  review,
  socialMention,
  communityAnswer,
  answerVote,
  referral,
  order,
  purchase,
  shipmentUpdate,
  delivery,
  installation,
  supportRequest,
  feedback,
  expertRequest,
  presaleExpertRequest,
  optOut,
  telemetry,
} as const;

type Kinds = typeof KINDS;
export type PayloadField = keyof Kinds;
export const PAYLOAD_FIELDS = Object.keys(KINDS) as PayloadField[];

type OutputOf<F extends PayloadField> =
  Kinds[F] extends EventKind<F, infer S> ? z.output<S> : never;

/**
 * A validated event as sent: its payload field says what happened, `data` the details,
 * `identifiers` (normalised) who it is about where `customerId` is not given.
 */
export type ParsedEvent = { [F in PayloadField]: KindEvent<F, OutputOf<F>> }[PayloadField];

/** A validated event whose person is resolved: what the rules decide on. */
export type IntakeEvent = { [F in PayloadField]: KindEvent<F, Named<OutputOf<F>>> }[PayloadField];

/** The kind of an event, typed loosely: the intake handles every kind alike. */
export function kindOf(field: PayloadField): EventKind<string, z.ZodType> {
  return KINDS[field] as unknown as EventKind<string, z.ZodType>;
}

/** Whether a payload names a person by `customerId` (and so may name them by identifiers). */
export const namesPerson = (field: PayloadField): boolean => KINDS[field].namesPerson;

export type { EventKind, IntakePlan, KindEvent, PlanContext } from './kind';
