/**
 * Issue 4, item 1: one person across identifiers. Events carrying a known identifier resolve to
 * the same person; identify links identifiers or creates a person; an event tying two people
 * merges them by namespace priority unless the identifier is shared; merges can be undone; and
 * every bad input gets a precise error and changes nothing.
 */
import { startSystem, uniqueKey, type GraphQLResponse, type TestSystem } from '../support/system';

type Result = { status: string; error: { code: string; path: string; message: string } | null };
type Merge = { id: string; survivorId: string; absorbedId: string; identifierKey: string | null };

const MERGE_FIELDS = 'id survivorId absorbedId identifierKey reason eventId undoneAt';

describe('identity resolution through the gateway', () => {
  let system: TestSystem;
  const run = uniqueKey('identity');
  const id = (name: string) => `${run}-${name}`;
  const email = (name: string) => `${name}.${run}@example.com`;
  // A phone number no other run uses, so that its identifier is this run's alone.
  const phone = `+1${String(Date.now() % 1e10).padStart(10, '0')}`;
  // The store kiosk's phone, this run's alone too.
  const kiosk = `+44${String((Date.now() + 7) % 1e10).padStart(10, '0')}`;
  const readerKey = `reader-${run}`.padEnd(24, '0');
  const people = new Set<string>();
  let eventNo = 0;
  const at = () => new Date(Date.now() - 60_000).toISOString();

  async function record(...events: Array<Record<string, unknown>>): Promise<Result[]> {
    const data = await system.data<{ recordEvents: { results: Result[] } }>(
      `mutation ($events: [LifecycleEventInput!]!) {
        recordEvents(events: $events) { results { status error { code path message } } }
      }`,
      {
        events: events.map((e) => ({ eventId: id(`e${(eventNo += 1)}`), occurredAt: at(), ...e })),
      },
    );
    return data.recordEvents.results;
  }
  const identify = (identifiers: Array<[string, string]>, extra: Record<string, unknown> = {}) =>
    record({
      identifiers: identifiers.map(([namespace, value]) => ({ namespace, value })),
      identify: extra,
    });
  const proximity = (identifiers: Array<[string, string]>, customerId?: string) =>
    record({
      identifiers: identifiers.map(([namespace, value]) => ({ namespace, value })),
      // No partner store is near the South Pole: a touchpoint, no lifecycle.
      storeProximity: { customerId, sku: id('sku'), latitude: -89.9, longitude: 0 },
    });

  async function byIdentifier(namespace: string, value: string) {
    const data = await system.data<{
      customerByIdentifier: {
        id: string;
        identities: Array<{ namespace: string; value: string; shared: boolean }>;
      } | null;
    }>(
      `query ($n: IdentifierNamespace!, $v: String!) {
        customerByIdentifier(namespace: $n, value: $v) { id identities { namespace value shared } }
      }`,
      { n: namespace, v: value },
    );
    if (data.customerByIdentifier) people.add(data.customerByIdentifier.id);
    return data.customerByIdentifier;
  }
  const register = async (name: string) => {
    people.add(id(name));
    await system.data(
      `mutation ($c: RegisterCustomerInput!) { registerCustomer(input: $c) { id } }`,
      {
        c: { id: id(name), displayName: name },
      },
    );
    return id(name);
  };

  /** Everything around some people: labels, and every relationship with its properties. */
  async function snapshot(ids: string[]) {
    const rows = await system.graph.read<{ row: string }>(
      `UNWIND $ids AS id
       MATCH (p {id: id}) WHERE p:Customer OR p:MergedCustomer
       OPTIONAL MATCH (p)-[r]-(x)
       RETURN id + ' ' + reduce(s = '', l IN labels(p) | s + l) + ' ' + coalesce(type(r), '-') + ' ' +
         coalesce(toString(startNode(r) = p), '') + ' ' + coalesce(x.id, x.key, x.eventId, '') + ' ' +
         coalesce(toString(r.since), '') + ' ' + coalesce(r.eventId, '') + ' ' +
         coalesce(toString(r.movedByMerges), '') AS row`,
      { ids },
    );
    return rows.map((r) => r.row).sort();
  }
  const count = async (cypher: string, params: Record<string, unknown>) =>
    (await system.graph.read<{ n: number }>(cypher, params))[0]?.n;

  beforeAll(async () => {
    system = await startSystem({
      // A partner: it may not undo merges (only admins and the maker's own services do).
      extraClients: [
        {
          id: `reader-${run}`
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, '-')
            .slice(0, 63),
          role: 'community',
          key: readerKey,
          campaignIds: [],
          storeIds: [],
          skus: [],
        },
      ],
    });
    await system.data(
      `mutation ($m: RegisterProductModelInput!) { registerProductModel(input: $m) { sku } }`,
      { m: { sku: id('sku'), name: 'Model' } },
    );
  });

  afterAll(async () => {
    await system.graph.write(
      `MATCH (m:Merge) WHERE m.survivorId IN $ids OR m.absorbedId IN $ids
       OPTIONAL MATCH (m)-[:KEPT]->(b) DETACH DELETE m, b`,
      { ids: [...people] },
    );
    await system.graph.write(
      `UNWIND $ids AS id MATCH (c {id: id}) WHERE c:Customer OR c:MergedCustomer
       OPTIONAL MATCH (c)-[:GAVE]->(k:Consent) DETACH DELETE c, k`,
      { ids: [...people] },
    );
    await system.graph.write(
      `MATCH (n) WHERE (n:Identifier AND (n.key CONTAINS $run OR n.key IN ['PHONE:' + $phone, 'PHONE:' + $kiosk]))
         OR (n:Touchpoint AND n.eventId STARTS WITH $run)
         OR (n:ProductModel AND n.sku STARTS WITH $run) OR (n:Order AND n.id STARTS WITH $run)
       DETACH DELETE n`,
      { run, phone, kiosk },
    );
    await system.stop();
  });

  it('creates a person on identify, idempotently, and resolves later events by identifier', async () => {
    expect(
      await identify([['EMAIL', ` ${email('ana').toUpperCase()} `]], { displayName: 'Ana' }),
    ).toEqual([{ status: 'ACCEPTED', error: null }]);
    const ana = await byIdentifier('EMAIL', email('ana'));
    expect(ana?.id).toMatch(/^person-[0-9a-f]{20}$/);
    // A resent sign-up (a new event id) creates no one new.
    expect(await identify([['EMAIL', email('ana')]], { displayName: 'Ana' })).toEqual([
      { status: 'ACCEPTED', error: null },
    ]);
    expect(await count(`MATCH (c:Customer {id: $id}) RETURN count(c) AS n`, { id: ana?.id })).toBe(
      1,
    );

    // An event naming her by e-mail only is hers, and teaches her phone.
    const [result] = await proximity([
      ['EMAIL', email('ana')],
      ['PHONE', `${phone.slice(0, 5)} ${phone.slice(5)}`],
    ]);
    expect(result).toEqual({ status: 'ACCEPTED', error: null });
    expect(
      await count(
        `MATCH (c:Customer {id: $id})-[:HAD]->(t:Touchpoint {eventId: $e}) RETURN count(t) AS n`,
        { id: ana?.id, e: id(`e${eventNo}`) },
      ),
    ).toBe(1);
    const again = await byIdentifier('PHONE', phone);
    expect(again?.id).toBe(ana?.id);
    expect(again?.identities).toEqual([
      { namespace: 'EMAIL', value: email('ana'), shared: false },
      { namespace: 'PHONE', value: phone, shared: false },
    ]);
  });

  it('links identifiers to a named customer, merges a tie by priority, and undoes the merge', async () => {
    const cy = await register('cy');
    const dee = await register('dee');
    await identify([['EMAIL', email('cy')]], { customerId: cy });
    await identify([['LOYALTY_ID', id('LY-dee')]], { customerId: dee });
    expect((await byIdentifier('EMAIL', email('cy')))?.id).toBe(cy);
    const before = await snapshot([cy, dee]);

    // One login carries Cy's e-mail and Dee's loyalty card: one person, and the loyalty id wins.
    expect(
      await identify([
        ['EMAIL', email('cy')],
        ['LOYALTY_ID', id('LY-dee')],
      ]),
    ).toEqual([{ status: 'ACCEPTED', error: null }]);
    expect((await byIdentifier('EMAIL', email('cy')))?.id).toBe(dee);
    const view = await system.data<{
      customer: { id: string; identities: Array<{ namespace: string }>; merges: Merge[] };
    }>(
      `query ($id: ID!) { customer(id: $id) { id identities { namespace } merges { ${MERGE_FIELDS} } } }`,
      {
        id: cy,
      },
    );
    // Cy's id now names Dee.
    expect(view.customer.id).toBe(dee);
    expect(view.customer.identities.map((i) => i.namespace).sort()).toEqual([
      'EMAIL',
      'LOYALTY_ID',
    ]);
    const [merge] = view.customer.merges;
    expect(merge).toMatchObject({
      survivorId: dee,
      absorbedId: cy,
      identifierKey: `EMAIL:${email('cy')}`,
      eventId: id(`e${eventNo}`),
      undoneAt: null,
    });
    const mergeId = (merge as Merge).id;
    const mergeEventId = (merge as Merge & { eventId: string }).eventId;
    expect(
      (
        await system.data<{ merge: Merge }>(
          `query ($id: ID!) { merge(id: $id) { ${MERGE_FIELDS} } }`,
          { id: mergeId },
        )
      ).merge.absorbedId,
    ).toBe(cy);

    // An event naming Cy by id is recorded as Dee's while they are merged.
    expect(await proximity([], cy)).toEqual([{ status: 'ACCEPTED', error: null }]);
    const visit = id(`e${eventNo}`);
    expect(
      await count(
        `MATCH (c:Customer {id: $id})-[:HAD]->(t:Touchpoint {eventId: $e}) RETURN count(t) AS n`,
        { id: dee, e: visit },
      ),
    ).toBe(1);

    // Only admins undo.
    const forbidden = await system.request(
      `mutation ($i: UndoMergeInput!) { undoMerge(input: $i) { id } }`,
      { i: { mergeId, reason: 'not the same person' } },
      readerKey,
    );
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const undone = await system.data<{ undoMerge: { undoneAt: string | null } }>(
      `mutation ($i: UndoMergeInput!) { undoMerge(input: $i) { undoneAt } }`,
      { i: { mergeId, reason: 'not the same person' } },
    );
    expect(undone.undoMerge.undoneAt).not.toBeNull();
    // Both people are exactly as before the merge.
    const after = await snapshot([cy, dee]);
    // Events recorded while they were merged stay the survivor's.
    // (A touchpoint shows by its key: the event id within its sender's, the local service's, ids.)
    const later = [mergeEventId, visit].map(
      (e) => `${dee} Customer HAD true service:local:${e}   `,
    );
    expect(after).toEqual(expect.arrayContaining(later));
    expect(after.filter((row) => !later.includes(row))).toEqual(before);
    expect((await byIdentifier('EMAIL', email('cy')))?.id).toBe(cy);

    const twice = await system.request(
      `mutation ($i: UndoMergeInput!) { undoMerge(input: $i) { id } }`,
      { i: { mergeId, reason: 'again' } },
    );
    expect(twice.errors?.[0]?.message).toBe(
      `Merge ${mergeId} was already undone at ${undone.undoMerge.undoneAt}`,
    );
  });

  it('trusts no identifier seen with too many people who cannot be one', async () => {
    const [p1, p2, p3] = [
      await register('kiosk-1'),
      await register('kiosk-2'),
      await register('kiosk-3'),
    ];
    // Each has a loyalty card of their own: they are three people, whatever they share.
    for (const [n, p] of [p1, p2, p3].entries()) {
      await identify([['LOYALTY_ID', id(`LY-kiosk-${n}`)]], { customerId: p });
    }
    const cookie = id('kiosk-cookie');
    expect(await identify([['COOKIE', cookie]], { customerId: p1 })).toEqual([
      { status: 'ACCEPTED', error: null },
    ]);
    // The second person is not merged (two loyalty cards), and the cookie stays the first's.
    expect(await identify([['COOKIE', cookie]], { customerId: p2 })).toEqual([
      { status: 'ACCEPTED', error: null },
    ]);
    expect((await byIdentifier('COOKIE', cookie))?.id).toBe(p1);
    // ...the third makes the cookie shared: no merge, and it now names no one.
    await identify(
      [
        ['COOKIE', cookie],
        ['EMAIL', email('kiosk-3')],
      ],
      { customerId: p3 },
    );
    for (const p of [p1, p2, p3]) {
      expect(await count(`MATCH (c:Customer {id: $id}) RETURN count(c) AS n`, { id: p })).toBe(1);
    }
    const shared = await system.request<unknown>(
      `query ($v: String!) { customerByIdentifier(namespace: COOKIE, value: $v) { id } }`,
      { v: cookie },
    );
    expect(shared.errors?.[0]?.message).toBe(
      `COOKIE:${cookie} is shared by 3 people and names no one person`,
    );

    const touchpoints = await count(
      `MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH $run RETURN count(t) AS n`,
      { run },
    );
    const [alone] = await proximity([['COOKIE', cookie]]);
    expect(alone).toEqual({
      status: 'REJECTED',
      error: {
        code: 'AMBIGUOUS',
        path: 'events[0].identifiers[0]',
        message: `COOKIE:${cookie} is shared by 3 people and cannot tell who this is: send customerId or a personal identifier`,
      },
    });
    expect(
      await count(`MATCH (t:Touchpoint) WHERE t.eventId STARTS WITH $run RETURN count(t) AS n`, {
        run,
      }),
    ).toBe(touchpoints);
    // With a personal identifier beside it, the shared one is ignored.
    const [withEmail] = await proximity([
      ['COOKIE', cookie],
      ['EMAIL', email('kiosk-3')],
    ]);
    expect(withEmail).toEqual({ status: 'ACCEPTED', error: null });
    expect(
      await count(
        `MATCH (c:Customer {id: $id})-[:HAD]->(t:Touchpoint {eventId: $e}) RETURN count(t) AS n`,
        {
          id: p3,
          e: id(`e${eventNo}`),
        },
      ),
    ).toBe(1);
  });

  describe('the reported cases (issue 10)', () => {
    type Unlinked = { path: string; message: string };
    type Answer = Result & { unlinked: Unlinked[] };
    async function send(...events: Array<Record<string, unknown>>): Promise<Answer[]> {
      const data = await system.data<{ recordEvents: { results: Answer[] } }>(
        `mutation ($events: [LifecycleEventInput!]!) {
          recordEvents(events: $events) {
            results { status error { code path message } unlinked { path message } }
          }
        }`,
        {
          events: events.map((e) => ({
            eventId: id(`e${(eventNo += 1)}`),
            occurredAt: at(),
            ...e,
          })),
        },
      );
      return data.recordEvents.results;
    }
    const ids = (list: Array<[string, string]>) =>
      list.map(([namespace, value]) => ({ namespace, value }));
    const order = (list: Array<[string, string]>, name: string) => ({
      identifiers: ids(list),
      order: { orderId: id(name), amount: 20, currency: 'USD' },
    });
    const accepted = { status: 'ACCEPTED', error: null, unlinked: [] };
    /** The orders whose touchpoints hang on a person. */
    const ordersOf = async (customerId: string) =>
      (
        await system.graph.read<{ id: string }>(
          `MATCH (:Customer {id: $customerId})-[:HAD]->(:Touchpoint)--(o:Order)
           WHERE o.id STARTS WITH $run RETURN DISTINCT o.id AS id ORDER BY id`,
          { customerId, run },
        )
      ).map((r) => r.id);
    const identitiesOf = async (customerId: string) =>
      (
        await system.data<{
          customer: {
            id: string;
            identities: Array<{ namespace: string; value: string; shared: boolean }>;
          } | null;
        }>(`query ($id: ID!) { customer(id: $id) { id identities { namespace value shared } } }`, {
          id: customerId,
        })
      ).customer;

    it('split: three sign-ups tied by two purchases end as one person, her e-mail hers alone', async () => {
      const app = id('split-app');
      const loyalty = id('split-LY');
      const mail = email('split');
      // Three sign-ups: three people.
      expect(
        await send(
          { identifiers: ids([['APP_INSTALL', app]]), identify: {} },
          { identifiers: ids([['EMAIL', mail]]), identify: {} },
          { identifiers: ids([['LOYALTY_ID', loyalty]]), identify: {} },
        ),
      ).toEqual([accepted, accepted, accepted]);
      const signUps = [
        (await byIdentifier('APP_INSTALL', app))?.id as string,
        (await byIdentifier('EMAIL', mail))?.id as string,
        (await byIdentifier('LOYALTY_ID', loyalty))?.id as string,
      ];
      expect(new Set(signUps).size).toBe(3);
      // E-mail with the app, then the loyalty id with the e-mail.
      expect(
        await send(
          order(
            [
              ['EMAIL', mail],
              ['APP_INSTALL', app],
            ],
            'split-o1',
          ),
        ),
      ).toEqual([accepted]);
      expect(
        await send(
          order(
            [
              ['LOYALTY_ID', loyalty],
              ['EMAIL', mail],
            ],
            'split-o2',
          ),
        ),
      ).toEqual([accepted]);

      // One person, found by any of her identifiers, none of them shared.
      const her = (await byIdentifier('EMAIL', mail))?.id as string;
      expect((await identitiesOf(her))?.identities).toEqual([
        { namespace: 'APP_INSTALL', value: app, shared: false },
        { namespace: 'EMAIL', value: mail, shared: false },
        { namespace: 'LOYALTY_ID', value: loyalty, shared: false },
      ]);
      expect((await byIdentifier('APP_INSTALL', app))?.id).toBe(her);
      expect((await byIdentifier('LOYALTY_ID', loyalty))?.id).toBe(her);
      // Both purchases are hers, and every sign-up's id names her now.
      expect(await ordersOf(her)).toEqual([id('split-o1'), id('split-o2')]);
      for (const p of signUps) expect((await identitiesOf(p))?.id).toBe(her);
    });

    it('fused: a kiosk phone never merges two loyalty members, and the third makes it shared', async () => {
      const cards = [1, 2, 3].map((n) => id(`kiosk-LY-${n}`));
      const members: string[] = [];
      for (const card of cards) {
        expect(await send({ identifiers: ids([['LOYALTY_ID', card]]), identify: {} })).toEqual([
          accepted,
        ]);
        members.push((await byIdentifier('LOYALTY_ID', card))?.id as string);
      }
      const atKiosk = (n: number) =>
        order(
          [
            ['LOYALTY_ID', cards[n] as string],
            ['PHONE', kiosk],
          ],
          `kiosk-o${n}`,
        );
      // The first member buys at the kiosk, typing its phone: it is learned as hers.
      expect(await send(atKiosk(0))).toEqual([accepted]);
      // The second types the same phone: her purchase is hers, nobody is merged, and the answer
      // says that the phone was not linked to her.
      expect(await send(atKiosk(1))).toEqual([
        {
          status: 'ACCEPTED',
          error: null,
          unlinked: [
            {
              path: 'events[0].identifiers[1]',
              message: `identifiers[1]: PHONE:${kiosk} was not linked: it would give one person two LOYALTY_ID values, and a person has at most one (IDENTITY_UNIQUE_NAMESPACES); the event is recorded without it`,
            },
          ],
        },
      ]);
      expect(
        await count(`MATCH (m:Merge) WHERE m.absorbedId IN $ids RETURN count(m) AS n`, {
          ids: members,
        }),
      ).toBe(0);
      expect(await ordersOf(members[0] as string)).toEqual([id('kiosk-o0')]);
      expect(await ordersOf(members[1] as string)).toEqual([id('kiosk-o1')]);
      expect((await byIdentifier('PHONE', kiosk))?.id).toBe(members[0]);
      // The third makes the phone shared: seen with three people who cannot be one.
      const [third] = await send(atKiosk(2));
      expect(third?.status).toBe('ACCEPTED');
      expect(await ordersOf(members[2] as string)).toEqual([id('kiosk-o2')]);
      const shared = await system.request<unknown>(
        `query ($v: String!) { customerByIdentifier(namespace: PHONE, value: $v) { id } }`,
        { v: kiosk },
      );
      expect(shared.errors?.[0]?.message).toBe(
        `PHONE:${kiosk} is shared by 3 people and names no one person`,
      );
      // Each member is still herself with exactly her own card.
      for (const [n, m] of members.entries()) {
        const view = await identitiesOf(m);
        expect(view?.id).toBe(m);
        expect(view?.identities.filter((i) => i.namespace === 'LOYALTY_ID')).toEqual([
          { namespace: 'LOYALTY_ID', value: cards[n], shared: false },
        ]);
      }
      // A hand merge of two members is refused, changing nothing.
      const byHand = await system.request(
        `mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { id } }`,
        { i: { survivorId: members[0], absorbedId: members[1], reason: 'same phone' } },
      );
      expect(byHand.errors?.[0]).toMatchObject({
        message: `Cannot merge ${members[1]} into ${members[0]}: each holds a LOYALTY_ID of their own, and a person has at most one (IDENTITY_UNIQUE_NAMESPACES)`,
        extensions: { code: 'CONFLICT' },
      });
      expect(
        await count(`MATCH (m:Merge) WHERE m.absorbedId IN $ids RETURN count(m) AS n`, {
          ids: members,
        }),
      ).toBe(0);
    });
  });

  describe('bad input changes nothing', () => {
    it('unknown identifiers and unknown namespaces', async () => {
      const known = await register('known');
      const before = await snapshot([known]);
      const results = await record(
        {
          identifiers: [{ namespace: 'EMAIL', value: email('nobody') }],
          storeProximity: { sku: id('sku'), latitude: -89.9, longitude: 0 },
        },
        {
          identifiers: [
            { namespace: 'EMAIL', value: email('known') },
            { namespace: 'FAX', value: '555' },
          ],
          storeProximity: { customerId: known, sku: id('sku'), latitude: -89.9, longitude: 0 },
        },
        { storeProximity: { sku: id('sku'), latitude: -89.9, longitude: 0 } },
      );
      expect(results).toEqual([
        {
          status: 'REJECTED',
          error: {
            code: 'UNKNOWN_REFERENCE',
            path: 'events[0].identifiers',
            message: `No customer is known by EMAIL:${email('nobody')}`,
          },
        },
        {
          status: 'REJECTED',
          error: {
            code: 'INVALID',
            path: 'events[1].identifiers[1].namespace',
            message:
              'identifiers[1].namespace: unknown namespace "FAX"; known namespaces: LOYALTY_ID, EMAIL, PHONE, APP_INSTALL, SOCIAL_HANDLE, COOKIE',
          },
        },
        {
          status: 'REJECTED',
          error: {
            code: 'INVALID',
            path: 'events[2].storeProximity.customerId',
            message: 'storeProximity.customerId: give customerId or at least one identifier',
          },
        },
      ]);
      expect(await snapshot([known])).toEqual(before);
      expect(
        await count(`MATCH (i:Identifier) WHERE i.key IN $keys RETURN count(i) AS n`, {
          keys: [`EMAIL:${email('nobody')}`, `EMAIL:${email('known')}`],
        }),
      ).toBe(0);
    });

    it('a merge that would form a referral cycle, by event or by hand', async () => {
      const [zoe, yan, xia] = [await register('zoe'), await register('yan'), await register('xia')];
      const referral = (from: string, to: string) =>
        record({ referral: { referrerId: from, referredId: to, sku: id('sku') } });
      expect(await referral(zoe, yan)).toEqual([{ status: 'ACCEPTED', error: null }]);
      expect(await referral(yan, xia)).toEqual([{ status: 'ACCEPTED', error: null }]);
      await identify([['EMAIL', email('zoe')]], { customerId: zoe });
      await identify([['EMAIL', email('xia')]], { customerId: xia });
      const before = await snapshot([zoe, yan, xia]);

      const [tie] = await identify([
        ['EMAIL', email('zoe')],
        ['EMAIL', email('xia')],
      ]);
      expect(tie?.status).toBe('REJECTED');
      expect(tie?.error?.code).toBe('CONFLICT');
      expect(tie?.error?.path).toMatch(/^events\[0\]\.identifiers\[[01]\]$/);
      expect(tie?.error?.message).toMatch(/merges that would form a cycle are refused/);

      const byHand = await system.request(
        `mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { id } }`,
        { i: { survivorId: zoe, absorbedId: xia, reason: 'same household' } },
      );
      expect(byHand.errors?.[0]).toMatchObject({
        message: `Cannot merge ${xia} into ${zoe}: one is further down the other's referral chain, and merges that would form a cycle are refused`,
        extensions: { code: 'CONFLICT' },
      });
      const selfReferral = await system.request(
        `mutation ($i: MergeCustomersInput!) { mergeCustomers(input: $i) { id } }`,
        { i: { survivorId: zoe, absorbedId: yan, reason: 'same household' } },
      );
      expect(selfReferral.errors?.[0]?.message).toMatch(/would have referred themselves/);
      expect(await snapshot([zoe, yan, xia])).toEqual(before);
      expect(
        await count(`MATCH (m:Merge) WHERE m.absorbedId IN $ids RETURN count(m) AS n`, {
          ids: [zoe, yan, xia],
        }),
      ).toBe(0);
    });

    it('an event rejected for another reason merges and learns nothing', async () => {
      const [uma, vic] = [await register('uma'), await register('vic')];
      await identify([['EMAIL', email('uma')]], { customerId: uma });
      await identify([['EMAIL', email('vic')]], { customerId: vic });
      const before = await snapshot([uma, vic]);
      const [result] = await record({
        identifiers: [
          { namespace: 'EMAIL', value: email('uma') },
          { namespace: 'EMAIL', value: email('vic') },
          { namespace: 'PHONE', value: '+1 555 000 0000' },
        ],
        storeProximity: { sku: id('no-such-sku'), latitude: -89.9, longitude: 0 },
      });
      expect(result).toEqual({
        status: 'REJECTED',
        error: {
          code: 'UNKNOWN_REFERENCE',
          path: 'events[0].storeProximity.sku',
          message: `No product model has sku ${id('no-such-sku')}`,
        },
      });
      expect(await snapshot([uma, vic])).toEqual(before);
    });

    it('an undo of a merge that never happened', async () => {
      const response: GraphQLResponse<unknown> = await system.request(
        `mutation ($i: UndoMergeInput!) { undoMerge(input: $i) { id } }`,
        { i: { mergeId: id('merge-never'), reason: 'oops' } },
      );
      expect(response.errors?.[0]).toMatchObject({
        message: `No merge has id ${id('merge-never')}`,
        extensions: { code: 'NOT_FOUND' },
      });
    });
  });
});
