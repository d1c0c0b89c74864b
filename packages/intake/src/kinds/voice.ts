import type { EventFacts } from '../facts';
import type { Rejection } from '../rejection';
import type { KindEvent } from './kind';
import { optedOut, rejections } from './shared';

/** What every kind of the voice of the customer checks: the person, the model, the opt-out. */
export function voiceRefusal(
  event: KindEvent<string, { customerId: string; sku: string }>,
  facts: EventFacts,
): Rejection | null {
  const { customerId, sku } = event.data;
  const no = rejections(event);
  if (!facts.customer) return no.noCustomer(customerId);
  if (!facts.modelFound) return no.noModel(sku);
  if (optedOut(facts, sku)) return no.suppressed(customerId, sku);
  return null;
}
