/**
 * Voice of the customer through the gateway (issue 4, item 7): texts scored for sentiment, the
 * experience perception gap of a product, super-users and their helpfulness in their value, and
 * bad input refused without a trace. Expected figures are computed by hand from the AFINN-165
 * word scores ("excellent" 3, "terrible" −3; the other words used score 0), each text's average
 * divided by 5, with the default HELPFUL_VOTE_VALUE (2) and SUPER_USER_MIN_HELPFUL_VOTES (5).
 */
import { journeyWorkflowId } from '@experience-graph/workflows';
import { startSystem, uniqueKey, type TestSystem } from '../support/system';

interface Result {
  status: string;
  error: { code: string; path: string; message: string } | null;
}

interface Voice {
  sentiment: { score: number | null; mentions: number };
  helpfulVotes: number;
  superUser: boolean;
  value: { historical: number; referral: number; helpfulness: number; total: number };
  timeline: Array<{ type: string; sentiment: number | null }>;
}

interface Perception {
  target: number | null;
  expressed: number | null;
  gap: number | null;
  mentions: number;
}

describe('voice of the customer through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('voice');
  const id = (name: string) => `${run}-${name}`;
  const sku = id('LJ-200');
  const answerId = id('answer-1');
  const voters = ['ben', 'cy', 'di', 'ed', 'fa'];
  const people = ['ana', 'gil', ...voters];
  let minute = 0;
  const next = () => new Date(Date.now() - 60 * 60_000 + minute++ * 1000).toISOString();

  const record = async (events: Array<Record<string, unknown>>): Promise<Result[]> => {
    const { recordEvents } = await system.data<{ recordEvents: { results: Result[] } }>(
      `mutation ($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) { results { status error { code path message } } } }`,
      { events: events.map((e) => ({ occurredAt: next(), ...e })) },
    );
    return recordEvents.results;
  };
  const vote = (who: string, helpful = true, eventId = id(`vote-${who}`)) => ({
    eventId,
    answerVote: { customerId: id(who), answerId, helpful },
  });
  const voice = async (who: string) =>
    (
      await system.data<{ customer: Voice }>(
        `query ($id: ID!) { customer(id: $id) {
          sentiment { score mentions } helpfulVotes superUser
          value { historical referral helpfulness total }
          timeline { type sentiment }
        } }`,
        { id: id(who) },
      )
    ).customer;
  const perception = async () =>
    (
      await system.data<{ productModel: { perception: Perception } }>(
        `query ($sku: ID!) { productModel(sku: $sku) { perception { target expressed gap mentions } } }`,
        { sku },
      )
    ).productModel.perception;

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!) { registerProductModel(input: $m) { sku } }`,
      { m: { sku, name: 'LJ-200' } },
    );
    for (const name of people) {
      await system.data(
        `mutation ($c: RegisterCustomerInput!) { registerCustomer(input: $c) { id } }`,
        { c: { id: id(name), displayName: name } },
      );
    }
  });

  afterAll(async () => {
    for (const name of people) {
      await system.client.workflow
        .getHandle(journeyWorkflowId(id(name), sku))
        .terminate('test over')
        .catch(() => undefined);
    }
    await system.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'eventId'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system.stop();
  });

  it('scores what customers write and measures the perception gap', async () => {
    expect(await perception()).toEqual({ target: null, expressed: null, gap: null, mentions: 0 });
    await system.data(
      `mutation ($input: SetExperienceTargetInput!) { setExperienceTarget(input: $input) { sku } }`,
      { input: { sku, score: 80 } },
    );
    const results = await record([
      // "excellent" 3 → sentiment 0.6 → 80; rating 5 → 100; the review expresses 90.
      {
        eventId: id('gil-reviews'),
        review: { customerId: id('gil'), sku, rating: 5, text: 'Excellent!' },
      },
      // "terrible" −3 over 2 words → −0.3 → 35.
      {
        eventId: id('ana-posts'),
        socialMention: {
          customerId: id('ana'),
          sku,
          platform: 'Instagram',
          text: 'Terrible printer',
          url: 'https://instagram.example/p/1',
        },
      },
      // No opinion word → 0 → 50.
      {
        eventId: id('ana-answers'),
        communityAnswer: {
          customerId: id('ana'),
          sku,
          answerId,
          questionText: 'My printer stopped printing, what can I do?',
          text: 'Reset the tray and it prints again',
        },
      },
    ]);
    expect(results.filter((r) => r.status !== 'ACCEPTED')).toEqual([]);

    const ana = await voice('ana');
    expect(ana.sentiment.mentions).toBe(2);
    expect(ana.sentiment.score).toBeCloseTo(-0.15, 9);
    const stored = Object.fromEntries(ana.timeline.map((t) => [t.type, t.sentiment]));
    expect(stored['SOCIAL_MENTION']).toBeCloseTo(-0.3, 9);
    expect(stored['COMMUNITY_ANSWER']).toBe(0);
    const gil = await voice('gil');
    expect(gil.sentiment.score).toBeCloseTo(0.6, 9);

    // Expressed: (90 + 35 + 50) / 3; gap: 80 minus that.
    const p = await perception();
    expect(p.target).toBe(80);
    expect(p.mentions).toBe(3);
    expect(p.expressed).toBeCloseTo(175 / 3, 9);
    expect(p.gap).toBeCloseTo(80 - 175 / 3, 9);
  });

  it('makes a super-user of a customer whose answer helped five others, and values it', async () => {
    const [first, ...rest] = voters;
    expect((await record(rest.map((v) => vote(v)))).every((r) => r.status === 'ACCEPTED')).toBe(
      true,
    );
    // A vote that the answer did not help counts for nothing.
    expect((await record([vote('gil', false)]))[0]?.status).toBe('ACCEPTED');
    let ana = await voice('ana');
    expect([ana.helpfulVotes, ana.superUser, ana.value.helpfulness]).toEqual([4, false, 8]);

    expect((await record([vote(first as string)]))[0]?.status).toBe('ACCEPTED');
    ana = await voice('ana');
    expect(ana.helpfulVotes).toBe(5);
    expect(ana.superUser).toBe(true);
    expect(ana.value).toEqual({ historical: 0, referral: 0, helpfulness: 10, total: 10 });
    const ben = await voice('ben');
    expect([ben.helpfulVotes, ben.superUser, ben.value.total]).toEqual([0, false, 0]);
  });

  it('refuses bad voice events precisely and changes nothing', async () => {
    const before = { ana: await voice('ana'), perception: await perception() };
    const results = await record([
      vote('ana', true, id('self-vote')),
      vote('ben', true, id('second-vote')),
      {
        eventId: id('ghost-vote'),
        answerVote: { customerId: id('cy'), answerId: id('nope'), helpful: true },
      },
      {
        eventId: id('bad-sku'),
        review: { customerId: id('ana'), sku: id('nope'), rating: 1, text: 'Bad' },
      },
      { eventId: id('bad-rating'), review: { customerId: id('ana'), sku, rating: 6, text: 'Bad' } },
      {
        eventId: id('answer-again'),
        communityAnswer: { customerId: id('ben'), sku, answerId, text: 'Terrible' },
      },
      {
        eventId: id('ghost-reviewer'),
        review: { customerId: id('nobody'), sku, rating: 1, text: 'x' },
      },
    ]);
    expect(results.map((r) => [r.status, r.error?.code, r.error?.path, r.error?.message])).toEqual([
      [
        'REJECTED',
        'CONFLICT',
        'events[0].answerVote.customerId',
        `Customer ${id('ana')} wrote answer ${answerId} and cannot vote on it`,
      ],
      [
        'REJECTED',
        'CONFLICT',
        'events[1].answerVote.answerId',
        `Customer ${id('ben')} already voted on answer ${answerId}`,
      ],
      [
        'REJECTED',
        'UNKNOWN_REFERENCE',
        'events[2].answerVote.answerId',
        `No community answer has id ${id('nope')}`,
      ],
      [
        'REJECTED',
        'UNKNOWN_REFERENCE',
        'events[3].review.sku',
        `No product model has sku ${id('nope')}`,
      ],
      ['REJECTED', 'INVALID', 'events[4].review.rating', 'review.rating: must be 1 to 5'],
      [
        'REJECTED',
        'CONFLICT',
        'events[5].communityAnswer.answerId',
        `Answer ${answerId} already exists`,
      ],
      [
        'REJECTED',
        'UNKNOWN_REFERENCE',
        'events[6].review.customerId',
        `No customer has id ${id('nobody')}`,
      ],
    ]);

    const setTarget = async (input: { sku: string; score: number }) =>
      (
        await system.request(
          `mutation ($input: SetExperienceTargetInput!) { setExperienceTarget(input: $input) { sku } }`,
          { input },
        )
      ).errors?.map((e) => e.message);
    expect(await setTarget({ sku, score: 120 })).toEqual(['input.score: must be 0 to 100']);
    expect(await setTarget({ sku: id('nope'), score: 50 })).toEqual([
      `No product model has sku ${id('nope')}`,
    ]);

    expect(await voice('ana')).toEqual(before.ana);
    expect(await perception()).toEqual(before.perception);
    const touchpoints = await system.graph.read<{ n: number }>(
      `MATCH (t:Touchpoint) WHERE t.eventId IN $ids RETURN count(t) AS n`,
      {
        ids: [
          'self-vote',
          'second-vote',
          'ghost-vote',
          'bad-sku',
          'bad-rating',
          'answer-again',
          'ghost-reviewer',
        ].map(id),
      },
    );
    expect(touchpoints[0]?.n).toBe(0);
  });
});
