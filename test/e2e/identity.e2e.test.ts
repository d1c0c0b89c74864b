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
      `MATCH (n) WHERE (n:Identifier AND (n.key CONTAINS $run OR n.key = 'PHONE:' + $phone)) OR (n:Touchpoint AND n.eventId STARTS WITH $run)
         OR (n:ProductModel AND n.sku STARTS WITH $run)
       DETACH DELETE n`,
      { run, phone },
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

  it('trusts no identifier seen with too many people', async () => {
    const [p1, p2, p3] = [
      await register('kiosk-1'),
      await register('kiosk-2'),
      await register('kiosk-3'),
    ];
    const cookie = id('kiosk-cookie');
    await identify([['COOKIE', cookie]], { customerId: p1 });
    // The second person still merges (two people are below the default threshold of three)...
    await identify([['COOKIE', cookie]], { customerId: p2 });
    expect((await byIdentifier('COOKIE', cookie))?.id).toBe(p2);
    // ...the third makes the cookie shared: no merge, and it now names no one.
    await identify(
      [
        ['COOKIE', cookie],
        ['EMAIL', email('kiosk-3')],
      ],
      { customerId: p3 },
    );
    expect(await count(`MATCH (c:Customer {id: $id}) RETURN count(c) AS n`, { id: p3 })).toBe(1);
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
