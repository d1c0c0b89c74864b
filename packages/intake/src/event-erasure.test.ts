import type { ParsedEvent } from './kinds';
import { createEventParser } from './parse';
import { erasedRejection, personKeysOf } from './rules';

const parse = createEventParser(() => Date.parse('2026-06-01T00:00:00Z'));
const event = (raw: Record<string, unknown>): ParsedEvent => {
  const parsed = parse({ eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z', ...raw });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.event;
};

describe('events naming erased people', () => {
  it('finds every key that names a person, with its path', () => {
    expect(personKeysOf(event({ adClick: { customerId: 'ana', campaignId: 'c1' } }))).toEqual([
      { path: 'adClick.customerId', kind: 'customer', key: 'ana' },
    ]);
    expect(
      personKeysOf(
        event({ referral: { referrerId: 'ana', referredId: 'ben', sku: 'LJ-200', code: 'X' } }),
      ),
    ).toEqual([
      { path: 'referral.referrerId', kind: 'customer', key: 'ana' },
      { path: 'referral.referredId', kind: 'customer', key: 'ben' },
    ]);
    // Device events name no person: their owner is looked up, and an erased one is not found.
    expect(personKeysOf(event({ installation: { serial: 'PRN-1' } }))).toEqual([]);
    // Identifiers an event carries are person keys too, normalised, as `<NAMESPACE>:<value>`.
    const withIdentifiers = event({
      identifiers: [{ namespace: 'EMAIL', value: ' Ana@Example.com ' }],
      adClick: { campaignId: 'c1' },
    });
    expect(personKeysOf(withIdentifiers)).toEqual([
      { path: 'identifiers[0]', kind: 'identifier', key: 'EMAIL:ana@example.com' },
    ]);
  });

  it('drops the event at the first erased key, and only then', () => {
    expect(erasedRejection([])).toBeNull();
    expect(erasedRejection(['referral.referredId', 'identifiers[0]'])).toEqual({
      code: 'ERASED',
      path: 'referral.referredId',
      message: 'Dropped: this person was erased',
    });
  });
});
