import type { IntakeEvent } from './kinds';
import { createEventParser, namePerson } from './parse';
import type { EventFacts } from './facts';
import { isRejection, planEvent } from './rules';

const parse = createEventParser(() => Date.parse('2026-06-01T00:00:00Z'));
const ask = (payload: Record<string, unknown>) =>
  parse({ eventId: 'e1', occurredAt: '2026-05-01T10:00:00Z', presaleExpertRequest: payload });
const asked = (payload: Record<string, unknown>): IntakeEvent => {
  const parsed = ask(payload);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return namePerson(parsed.event);
};

const facts = (overrides: Partial<EventFacts> = {}): EventFacts => ({
  touchpoint: null,
  customer: { optedOutSkus: [], ownedSerials: [] },
  modelFound: true,
  campaignSku: null,
  device: null,
  order: null,
  storeFound: false,
  coupon: null,
  answer: null,
  referral: { referredFound: false, alreadyReferredBy: null, wouldCycle: false },
  ...overrides,
});

describe('asking to talk to an expert before a sale', () => {
  const question = { customerId: 'ana', sku: 'LJ-200', topic: 'Does it print on card?' };

  it('opens a case of its own, keyed by the event, and owes no lifecycle anything', () => {
    const plan = planEvent(asked(question), facts(), [], 'person-abc:e1');
    if (isRejection(plan)) throw new Error(plan.message);
    expect(plan.params).toMatchObject({
      type: 'PRESALE_EXPERT_REQUESTED',
      customerId: 'ana',
      sku: 'LJ-200',
      topic: 'Does it print on card?',
      caseId: 'presale:person-abc:e1',
    });
    expect(plan.deviceEvents).toEqual([]);
    expect(plan.journeyEvents).toEqual([]);
  });

  it('refuses an unknown person or model, and a person who opted out of the model', () => {
    expect(planEvent(asked(question), facts({ customer: null }))).toMatchObject({
      code: 'UNKNOWN_REFERENCE',
      path: 'presaleExpertRequest.customerId',
    });
    expect(planEvent(asked(question), facts({ modelFound: false }))).toMatchObject({
      code: 'UNKNOWN_REFERENCE',
      path: 'presaleExpertRequest.sku',
    });
    expect(
      planEvent(
        asked(question),
        facts({ customer: { optedOutSkus: ['LJ-200'], ownedSerials: [] } }),
      ),
    ).toMatchObject({ code: 'OPTED_OUT', path: 'presaleExpertRequest.customerId' });
  });

  it('needs a question of 1 to 200 characters and a product model', () => {
    expect(ask({ ...question, topic: '' })).toMatchObject({
      ok: false,
      problem: { path: 'presaleExpertRequest.topic' },
    });
    expect(ask({ ...question, topic: 'x'.repeat(201) })).toMatchObject({
      ok: false,
      problem: { path: 'presaleExpertRequest.topic' },
    });
    expect(ask({ customerId: 'ana', topic: 'Hi' })).toMatchObject({
      ok: false,
      problem: { path: 'presaleExpertRequest.sku' },
    });
  });
});
