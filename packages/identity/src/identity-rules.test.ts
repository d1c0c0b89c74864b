import { parseIdentifier, type Identifier } from './identifiers';
import {
  chooseSurvivor,
  mergeBlocker,
  personIdFor,
  resolveIdentity,
  type IdentityChanges,
  type KnownIdentifier,
  type MergeFacts,
  type ResolutionRequest,
} from './identity-rules';

const id = (namespace: string, value: string): Identifier => {
  const parsed = parseIdentifier({ namespace, value });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.identifier;
};
const ana = { id: 'ana', createdAt: '2026-01-01T00:00:00.000Z' };
const ben = { id: 'ben', createdAt: '2026-02-01T00:00:00.000Z' };
const cat = { id: 'cat', createdAt: '2025-12-01T00:00:00.000Z' };
const owned = (...owners: (typeof ana)[]): KnownIdentifier => ({
  shared: false,
  seenWith: owners.map((o) => o.id),
  owners,
});
const email = id('EMAIL', 'ana@example.com');
const phone = id('PHONE', '+15550100');
const cookie = id('COOKIE', 'ck-1');
const loyalty = id('LOYALTY_ID', 'LY-1');

const request = (over: Partial<ResolutionRequest>): ResolutionRequest => ({
  field: 'adClick',
  mayCreate: false,
  customerId: null,
  customer: null,
  identifiers: [],
  known: new Map(),
  displayName: null,
  sharedThreshold: 3,
  ...over,
});
const changes = (outcome: ReturnType<typeof resolveIdentity>): IdentityChanges => {
  if ('code' in outcome) throw new Error(`rejected: ${outcome.message}`);
  return outcome;
};

describe('resolving who an event is about', () => {
  it('resolves a known identifier to its person and learns the new ones', () => {
    const out = changes(
      resolveIdentity(
        request({ identifiers: [email, phone], known: new Map([[email.key, owned(ana)]]) }),
      ),
    );
    expect(out.customerId).toBe('ana');
    expect(out.merges).toEqual([]);
    expect(out.links.map((l) => l.key)).toEqual([phone.key]);
    expect(out.create).toBeNull();
  });

  it('keeps the named customer and links the identifiers to them', () => {
    const out = changes(
      resolveIdentity(request({ customerId: 'ana', customer: ana, identifiers: [phone] })),
    );
    expect(out).toMatchObject({ customerId: 'ana', merges: [], create: null });
    expect(out.links).toEqual([phone]);
  });

  it('rejects an unknown customer id, and unknown identifiers naming them all', () => {
    expect(resolveIdentity(request({ customerId: 'nobody' }))).toEqual({
      code: 'UNKNOWN_REFERENCE',
      path: 'adClick.customerId',
      message: 'No customer has id nobody',
    });
    expect(resolveIdentity(request({ identifiers: [email, phone] }))).toEqual({
      code: 'UNKNOWN_REFERENCE',
      path: 'identifiers',
      message: `No customer is known by ${email.key}, ${phone.key}`,
    });
    expect(resolveIdentity(request({}))).toMatchObject({ code: 'INVALID' });
  });

  it('creates a person on identify, with an id derived from the strongest new identifier', () => {
    const out = changes(
      resolveIdentity(
        request({
          field: 'identify',
          mayCreate: true,
          identifiers: [cookie, email],
          displayName: 'Ana',
        }),
      ),
    );
    expect(out.create).toEqual({ id: personIdFor(email), displayName: 'Ana' });
    expect(out.customerId).toBe(personIdFor(email));
    expect(personIdFor(email)).toMatch(/^person-[0-9a-f]{20}$/);
    expect(personIdFor(email)).not.toContain('ana');
    expect(out.links).toEqual([cookie, email]);
  });

  it('creates a named new person on identify only if their identifiers are new', () => {
    const fresh = changes(
      resolveIdentity(
        request({ field: 'identify', mayCreate: true, customerId: 'new', identifiers: [phone] }),
      ),
    );
    expect(fresh).toMatchObject({ customerId: 'new', create: { id: 'new', displayName: 'new' } });
    expect(
      resolveIdentity(
        request({
          field: 'identify',
          mayCreate: true,
          customerId: 'new',
          identifiers: [phone, email],
          known: new Map([[email.key, owned(ana)]]),
        }),
      ),
    ).toEqual({
      code: 'CONFLICT',
      path: 'identifiers[1]',
      message: `No customer has id new, and ${email.key} already identifies customer ana: send customerId ana or leave customerId out`,
    });
  });

  it('merges the people an event ties, the strongest identifier surviving', () => {
    // Ben is known by a loyalty id, Ana (created earlier) by an e-mail: Ben's loyalty id wins.
    const out = changes(
      resolveIdentity(
        request({
          identifiers: [email, loyalty],
          known: new Map([
            [email.key, owned(ana)],
            [loyalty.key, owned(ben)],
          ]),
        }),
      ),
    );
    expect(out.customerId).toBe('ben');
    expect(out.merges).toEqual([
      { survivorId: 'ben', absorbedId: 'ana', identifierKey: email.key },
    ]);
    expect(out.links).toEqual([]);
  });

  it('lets a named customer survive any identifier, and earlier people survive ties', () => {
    const named = changes(
      resolveIdentity(
        request({
          customerId: 'ben',
          customer: ben,
          identifiers: [loyalty],
          known: new Map([[loyalty.key, owned(ana)]]),
        }),
      ),
    );
    expect(named.merges).toEqual([
      { survivorId: 'ben', absorbedId: 'ana', identifierKey: loyalty.key },
    ]);
    const rank = 3;
    expect(
      chooseSurvivor([
        { ...ben, rank },
        { ...ana, rank },
      ]).id,
    ).toBe('ana');
    expect(
      chooseSurvivor([
        { ...ana, rank },
        { ...cat, rank },
      ]).id,
    ).toBe('cat');
    expect(
      chooseSurvivor([
        { ...ana, rank: 1 },
        { ...ben, rank: 2 },
      ]).id,
    ).toBe('ben');
  });
});

describe('shared identifiers', () => {
  const sharedCookie: KnownIdentifier = {
    shared: true,
    seenWith: ['ana', 'ben', 'cat'],
    owners: [ana, ben, cat],
  };

  it('never merge, and are ignored when other identifiers say who it is', () => {
    const out = changes(
      resolveIdentity(
        request({
          identifiers: [cookie, email],
          known: new Map([
            [cookie.key, sharedCookie],
            [email.key, owned(ana)],
          ]),
        }),
      ),
    );
    expect(out).toMatchObject({ customerId: 'ana', merges: [] });
  });

  it('alone, are ambiguous, saying how many people share them', () => {
    expect(
      resolveIdentity(
        request({ identifiers: [cookie], known: new Map([[cookie.key, sharedCookie]]) }),
      ),
    ).toEqual({
      code: 'AMBIGUOUS',
      path: 'identifiers[0]',
      message: `${cookie.key} is shared by 3 people and cannot tell who this is: send customerId or a personal identifier`,
    });
  });

  it('become shared instead of merging when a tie brings the threshold of people', () => {
    // The cookie was seen with Ana and Ben (merged since); Cat brings the third person.
    const out = changes(
      resolveIdentity(
        request({
          customerId: 'cat',
          customer: cat,
          identifiers: [cookie],
          known: new Map([
            [cookie.key, { shared: false, seenWith: ['ana', 'ben'], owners: [ana] }],
          ]),
        }),
      ),
    );
    expect(out.merges).toEqual([]);
    expect(out.customerId).toBe('cat');
    expect(out.links).toEqual([cookie]);
    expect(out.sightings).toEqual([
      { key: cookie.key, seenWith: ['ana', 'ben', 'cat'], shared: true },
    ]);
  });

  it('below the threshold, a tie still merges and is remembered', () => {
    const out = changes(
      resolveIdentity(
        request({
          customerId: 'ben',
          customer: ben,
          identifiers: [cookie],
          known: new Map([[cookie.key, owned(ana)]]),
        }),
      ),
    );
    expect(out.merges).toEqual([
      { survivorId: 'ben', absorbedId: 'ana', identifierKey: cookie.key },
    ]);
    expect(out.sightings).toEqual([{ key: cookie.key, seenWith: ['ana', 'ben'], shared: false }]);
  });
});

describe('merges refused', () => {
  const facts = (over: Partial<MergeFacts>): MergeFacts => ({
    survivorId: 'ana',
    absorbedId: 'ben',
    survivorReferrer: null,
    absorbedReferrer: null,
    referredEachOther: false,
    chainBetween: false,
    survivorMergedIntoAbsorbed: null,
    ...over,
  });

  it('allows a plain merge', () => {
    expect(mergeBlocker(facts({ absorbedReferrer: 'zoe' }))).toBeNull();
  });

  it('refuses two referrers, a self-referral, a cycle and a merge back', () => {
    expect(mergeBlocker(facts({ survivorReferrer: 'zoe', absorbedReferrer: 'yan' }))).toBe(
      'Cannot merge ben into ana: ana was referred by zoe and ben by yan, and a person has one referrer',
    );
    expect(mergeBlocker(facts({ referredEachOther: true }))).toMatch(/referred themselves/);
    expect(mergeBlocker(facts({ chainBetween: true }))).toMatch(/merges that would form a cycle/);
    expect(mergeBlocker(facts({ survivorMergedIntoAbsorbed: 'm-1' }))).toMatch(
      /ana was merged into ben \(merge m-1\)/,
    );
  });
});
