import { createHash } from 'node:crypto';
import { parseIdentifier, type Identifier } from './identifiers';
import {
  chooseSurvivor,
  mergeBlocker,
  personIdFor,
  resolveIdentity,
  type IdentityChanges,
  type KnownIdentifier,
  type MergeFacts,
  type Person,
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
const owned = (...owners: Person[]): KnownIdentifier => ({
  shared: false,
  seenWith: owners.map((o) => o.id),
  owners,
});
const email = id('EMAIL', 'ana@example.com');
const phone = id('PHONE', '+15550100');
const cookie = id('COOKIE', 'ck-1');
const loyalty = id('LOYALTY_ID', 'LY-1');

const SECRET = 'test-identity-secret';
const request = (over: Partial<ResolutionRequest>): ResolutionRequest => ({
  field: 'adClick',
  mayCreate: false,
  customerId: null,
  customer: null,
  identifiers: [],
  known: new Map(),
  displayName: null,
  sharedThreshold: 3,
  secret: SECRET,
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
    expect(out.create).toEqual({ id: personIdFor(email, SECRET), displayName: 'Ana' });
    expect(out.customerId).toBe(personIdFor(email, SECRET));
    expect(personIdFor(email, SECRET)).toMatch(/^person-[0-9a-f]{20}$/);
    expect(personIdFor(email, SECRET)).not.toContain('ana');
    // Keyed: without the server's secret, nobody computes the id of a known e-mail address.
    expect(personIdFor(email, 'another-secret')).not.toBe(personIdFor(email, SECRET));
    expect(personIdFor(email, SECRET)).not.toBe(
      `person-${createHash('sha256').update(email.key).digest('hex').slice(0, 20)}`,
    );
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

  it('become shared when the threshold of people who cannot be merged use them', () => {
    // The cookie was seen with Ana and Ben, each with a loyalty card of their own (so never
    // merged); Cat, with a third card, brings the third person.
    const out = changes(
      resolveIdentity(
        request({
          customerId: 'cat',
          customer: { ...cat, holds: ['LOYALTY_ID:LY-3'] },
          identifiers: [cookie],
          known: new Map([
            [
              cookie.key,
              {
                shared: false,
                seenWith: ['ana', 'ben'],
                owners: [{ ...ana, holds: ['LOYALTY_ID:LY-1'] }],
              },
            ],
          ]),
          uniqueNamespaces: ['LOYALTY_ID'],
        }),
      ),
    );
    expect(out.merges).toEqual([]);
    expect(out.unlinked).toEqual([]);
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

describe('what a sender may change in identities', () => {
  const retailer = { namespaces: ['LOYALTY_ID', 'PHONE'], self: null };
  const adPlatform = { namespaces: [], self: null };

  it('lets any sender name a known person by a known identifier', () => {
    const out = changes(
      resolveIdentity(
        request({
          identifiers: [email],
          known: new Map([[email.key, owned(ana)]]),
          rights: adPlatform,
        }),
      ),
    );
    expect(out).toMatchObject({ customerId: 'ana', merges: [], links: [], create: null });
  });

  it('refuses a link in a namespace the sender may not link by', () => {
    const out = resolveIdentity(
      request({ customerId: 'ana', customer: ana, identifiers: [phone, email], rights: retailer }),
    );
    expect(out).toEqual({
      code: 'IDENTITY_FORBIDDEN',
      path: 'identifiers[1]',
      message:
        'identifiers[1]: this sender may not link or merge people by EMAIL; nothing was changed',
    });
    // In its own namespaces it links.
    const allowed = changes(
      resolveIdentity(
        request({ customerId: 'ana', customer: ana, identifiers: [phone], rights: retailer }),
      ),
    );
    expect(allowed.links).toEqual([phone]);
  });

  it('refuses a merge unless every identifier that brought a person in may merge', () => {
    const known = new Map([
      [email.key, owned(ana)],
      [loyalty.key, owned(ben)],
    ]);
    const tie = { identifiers: [loyalty, email], known };
    expect(resolveIdentity(request({ ...tie, rights: retailer }))).toMatchObject({
      code: 'IDENTITY_FORBIDDEN',
      path: 'identifiers[1]',
    });
    expect(resolveIdentity(request({ ...tie, rights: adPlatform }))).toMatchObject({
      code: 'IDENTITY_FORBIDDEN',
    });
    const byLoyalty = new Map([
      [phone.key, owned(ana)],
      [loyalty.key, owned(ben)],
    ]);
    expect(
      changes(
        resolveIdentity(
          request({ identifiers: [loyalty, phone], known: byLoyalty, rights: retailer }),
        ),
      ).merges,
    ).toEqual([{ survivorId: 'ben', absorbedId: 'ana', identifierKey: phone.key }]);
  });

  it('refuses to create people for a sender that may link by nothing', () => {
    const out = resolveIdentity(
      request({ field: 'identify', mayCreate: true, customerId: 'new-1', rights: adPlatform }),
    );
    expect(out).toMatchObject({ code: 'IDENTITY_FORBIDDEN', path: 'identify.customerId' });
    expect(
      resolveIdentity(
        request({ field: 'identify', mayCreate: true, identifiers: [cookie], rights: retailer }),
      ),
    ).toMatchObject({ code: 'IDENTITY_FORBIDDEN', path: 'identifiers[0]' });
  });

  it('answers alike whether the customer named exists or not, when it would link', () => {
    const unknown = resolveIdentity(
      request({ customerId: 'ghost', identifiers: [cookie], rights: adPlatform }),
    );
    const known = resolveIdentity(
      request({ customerId: 'ana', customer: ana, identifiers: [cookie], rights: adPlatform }),
    );
    expect(unknown).toEqual(known);
    expect(unknown).toMatchObject({ code: 'IDENTITY_FORBIDDEN' });
  });

  it('lets a person link to themselves only and never merge', () => {
    const me = { namespaces: ['EMAIL', 'PHONE', 'APP_INSTALL', 'LOYALTY_ID'], self: 'ana' };
    expect(
      changes(
        resolveIdentity(
          request({
            field: 'identify',
            customerId: 'ana',
            customer: ana,
            identifiers: [phone],
            rights: me,
          }),
        ),
      ).links,
    ).toEqual([phone]);
    const bens = new Map([[email.key, owned(ben)]]);
    const out = resolveIdentity(
      request({ customerId: 'ana', customer: ana, identifiers: [email], known: bens, rights: me }),
    );
    expect(out).toEqual({
      code: 'IDENTITY_FORBIDDEN',
      path: 'identifiers[0]',
      message:
        'identifiers[0]: a person may link identifiers only to themselves, and never merges people; nothing was changed',
    });
    expect(
      resolveIdentity(
        request({ customerId: 'ana', customer: ana, identifiers: [cookie], rights: me }),
      ),
    ).toMatchObject({ code: 'IDENTITY_FORBIDDEN', path: 'identifiers[0]' });
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

describe('unique namespaces (the README worked examples)', () => {
  const unique = ['LOYALTY_ID'];
  const m1 = { ...ana, holds: ['LOYALTY_ID:LY-1'] };
  const card = (n: number) => id('LOYALTY_ID', `LY-${n}`);
  const kioskPhone = id('PHONE', '+15550142424');

  it('accepts a second card for a known member without linking it', () => {
    const out = changes(
      resolveIdentity(
        request({
          field: 'identify',
          mayCreate: true,
          customerId: 'ana',
          customer: m1,
          identifiers: [email, card(9)],
          uniqueNamespaces: unique,
        }),
      ),
    );
    expect(out.customerId).toBe('ana');
    expect(out.links).toEqual([email]);
    expect(out.unlinked).toEqual([
      expect.objectContaining({
        key: card(9).key,
        path: 'identifiers[1]',
        namespace: 'LOYALTY_ID',
      }),
    ]);
  });

  it('links the smaller of two new cards on one sign-up, and creates the person from it', () => {
    const out = changes(
      resolveIdentity(
        request({
          field: 'identify',
          mayCreate: true,
          identifiers: [card(7), card(3), email],
          uniqueNamespaces: unique,
        }),
      ),
    );
    expect(out.links).toEqual([card(3), email]);
    expect(out.create?.id).toBe(personIdFor(card(3), SECRET));
    expect(out.unlinked.map((u) => [u.key, u.path])).toEqual([[card(7).key, 'identifiers[0]']]);
  });

  it('refuses an order with an unknown card and the phone of a member with another card', () => {
    const known = new Map([[kioskPhone.key, owned(m1)]]);
    const order = { identifiers: [card(9), kioskPhone], known, uniqueNamespaces: unique };
    expect(resolveIdentity(request({ field: 'order', ...order }))).toEqual({
      code: 'UNKNOWN_REFERENCE',
      path: 'identifiers',
      message: `No customer is known by ${card(9).key}, and ${kioskPhone.key} identifies someone holding another LOYALTY_ID`,
    });
    // A sign-up of the same creates the new member, who does not get the phone.
    const signUp = changes(
      resolveIdentity(request({ field: 'identify', mayCreate: true, ...order })),
    );
    expect(signUp.create?.id).toBe(personIdFor(card(9), SECRET));
    expect(signUp.links).toEqual([card(9)]);
    expect(signUp.merges).toEqual([]);
    expect(signUp.unlinked.map((u) => u.key)).toEqual([kioskPhone.key]);
    expect(signUp.sightings).toContainEqual({
      key: kioskPhone.key,
      seenWith: ['ana', personIdFor(card(9), SECRET)],
      shared: false,
    });
  });

  it('merges people who can be one, and counts them once when judging sharing', () => {
    // The e-mail is Ben's and was seen with Dan too (someone kept apart); Cat, who merges with
    // Ben now, counts as Ben: two people, not three.
    const e = { ...ben, holds: [] };
    const l = { ...cat, holds: ['LOYALTY_ID:LY-1'] };
    const out = changes(
      resolveIdentity(
        request({
          identifiers: [card(1), email],
          known: new Map([
            [card(1).key, owned(l)],
            [email.key, { shared: false, seenWith: ['ben', 'dan'], owners: [e] }],
          ]),
          uniqueNamespaces: unique,
        }),
      ),
    );
    expect(out.customerId).toBe('cat');
    expect(out.merges).toEqual([
      { survivorId: 'cat', absorbedId: 'ben', identifierKey: email.key },
    ]);
    expect(out.sightings.every((s) => !s.shared)).toBe(true);
  });

  it('makes EMAIL unique when configured: two people with an e-mail each are not merged', () => {
    const other = id('EMAIL', 'ana.work@example.com');
    const known = new Map([
      [email.key, owned({ ...ana, holds: [email.key] })],
      [other.key, owned({ ...ben, holds: [other.key] })],
    ]);
    const tie = { identifiers: [email, other], known };
    expect(changes(resolveIdentity(request(tie))).merges).toHaveLength(1);
    const out = changes(
      resolveIdentity(request({ ...tie, uniqueNamespaces: ['LOYALTY_ID', 'EMAIL'] })),
    );
    expect(out.merges).toEqual([]);
    expect(out.customerId).toBe('ana');
    expect(out.unlinked.map((u) => u.key)).toEqual([other.key]);
  });
});

describe('an identify naming a new customer id', () => {
  it('is a conflict when its identifier names someone, and creates the person when it would make it shared', () => {
    const named = { field: 'identify', mayCreate: true, customerId: 'zed', identifiers: [cookie] };
    expect(
      resolveIdentity(request({ ...named, known: new Map([[cookie.key, owned(ana)]]) })),
    ).toMatchObject({ code: 'CONFLICT', path: 'identifiers[0]' });
    const out = changes(
      resolveIdentity(
        request({
          ...named,
          known: new Map([
            [cookie.key, { shared: false, seenWith: ['ana', 'ben'], owners: [ana] }],
          ]),
        }),
      ),
    );
    expect(out.create?.id).toBe('zed');
    expect(out.merges).toEqual([]);
    expect(out.sightings).toEqual([
      { key: cookie.key, seenWith: ['ana', 'ben', 'zed'], shared: true },
    ]);
  });
});
