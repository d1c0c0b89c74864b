/**
 * Properties of the identity rules on random streams of identify and order events, applied to an
 * in-memory model of what the graph keeps (people, links, sightings, merges): nobody holds two
 * values of a unique namespace; the same events in any order give the same people (for the
 * streams stated below); a merge then its undo restores everything exactly.
 */
import fc from 'fast-check';
import { parseIdentifier, type Identifier } from './identifiers';
import {
  resolveIdentity,
  uniqueConflict,
  type IdentityChanges,
  type IdentityRejection,
  type KnownIdentifier,
  type Person,
} from './identity-rules';

// Hundreds of random streams each: generous on a loaded machine.
jest.setTimeout(120_000);

const SECRET = 'property-test-secret';
const THRESHOLD = 3;

const ident = (namespace: string, value: string): Identifier => {
  const parsed = parseIdentifier({ namespace, value });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.identifier;
};
const namespaceOf = (key: string) => key.slice(0, key.indexOf(':'));

/** One event of a stream: an identify (may create a person) or an order (must name one). */
interface StreamEvent {
  id: string;
  kind: 'identify' | 'order';
  identifiers: Identifier[];
}

/** The graph as identity keeps it, in memory, changed as the repository's Cypher changes it. */
class Model {
  people = new Map<string, { createdAt: number; mergedInto: string | null }>();
  /** Identifier key to the ids linked to it (IDENTIFIED_BY), customers or merged. */
  links = new Map<string, Set<string>>();
  identifiers = new Map<string, { shared: boolean; seenWith: string[] }>();
  /** Event id to the person its touchpoint hangs on. */
  events = new Map<string, string>();
  merges: Array<{
    id: string;
    survivorId: string;
    absorbedId: string;
    moved: { links: string[]; shared: string[]; events: string[] };
    undone: boolean;
  }> = [];
  private clock = 0;

  constructor(readonly unique: readonly string[]) {}

  canonical(id: string): string {
    let at = id;
    for (;;) {
      const p = this.people.get(at);
      if (!p || p.mergedInto === null) return at;
      at = p.mergedInto;
    }
  }

  isCustomer = (id: string) => this.people.get(id)?.mergedInto === null;

  /** Keys linked to a person in unique namespaces. */
  holds(id: string): string[] {
    return [...this.links]
      .filter(([key, ids]) => ids.has(id) && this.unique.includes(namespaceOf(key)))
      .map(([key]) => key)
      .sort();
  }

  person(id: string): Person {
    const p = this.people.get(id);
    if (!p) throw new Error(`no person ${id}`);
    return { id, createdAt: new Date(p.createdAt).toISOString(), holds: this.holds(id) };
  }

  known(keys: readonly string[]): Map<string, KnownIdentifier> {
    const known = new Map<string, KnownIdentifier>();
    for (const key of keys) {
      const i = this.identifiers.get(key);
      if (!i) continue;
      const owners = [...(this.links.get(key) ?? [])].filter(this.isCustomer).sort();
      known.set(key, {
        shared: i.shared,
        seenWith: [...new Set(i.seenWith.map((s) => this.canonical(s)))],
        owners: owners.map((o) => this.person(o)),
      });
    }
    return known;
  }

  /** Applies a decision as `IdentityRepository.apply` does; a refused merge changes nothing. */
  apply(changes: IdentityChanges, eventId: string): string | null {
    const before = this.copy();
    if (changes.create && !this.people.has(changes.create.id)) {
      this.people.set(changes.create.id, { createdAt: (this.clock += 1), mergedInto: null });
    }
    for (const m of changes.merges) {
      const refused = this.merge(m.survivorId, m.absorbedId);
      if (refused) {
        Object.assign(this, before);
        return refused;
      }
    }
    for (const l of changes.links) {
      if (uniqueConflict(holdsMap(this.holds(changes.customerId)), [l.key], this.unique)) {
        Object.assign(this, before);
        return `${l.key} was not linked`;
      }
      if (!this.links.has(l.key)) this.links.set(l.key, new Set());
      (this.links.get(l.key) as Set<string>).add(changes.customerId);
      if (!this.identifiers.has(l.key)) {
        this.identifiers.set(l.key, { shared: false, seenWith: [] });
      }
    }
    for (const s of changes.sightings) {
      const i = this.identifiers.get(s.key);
      if (i) Object.assign(i, { seenWith: s.seenWith, shared: i.shared || s.shared });
    }
    this.events.set(eventId, changes.customerId);
    return null;
  }

  /** A merge as `mergeIn` makes it: refused when it would give someone two unique values. */
  merge(survivorId: string, absorbedId: string): string | null {
    if (!this.isCustomer(survivorId) || !this.isCustomer(absorbedId)) return 'not customers';
    if (uniqueConflict(holdsMap(this.holds(survivorId)), this.holds(absorbedId), this.unique)) {
      return 'unique conflict';
    }
    // `links`: keys the absorbed person held alone, now the survivor's; `shared`: keys both
    // held, which the survivor keeps. The undo gives each back to the absorbed person.
    const moved = { links: [] as string[], shared: [] as string[], events: [] as string[] };
    for (const [key, ids] of this.links) {
      if (!ids.has(absorbedId)) continue;
      ids.delete(absorbedId);
      if (ids.has(survivorId)) {
        moved.shared.push(key);
        continue;
      }
      ids.add(survivorId);
      moved.links.push(key);
    }
    for (const [e, p] of this.events) {
      if (p !== absorbedId) continue;
      this.events.set(e, survivorId);
      moved.events.push(e);
    }
    (this.people.get(absorbedId) as { mergedInto: string | null }).mergedInto = survivorId;
    this.merges.push({
      id: `m${this.merges.length}`,
      survivorId,
      absorbedId,
      moved,
      undone: false,
    });
    return null;
  }

  undo(mergeId: string) {
    const m = this.merges.find((x) => x.id === mergeId);
    if (!m || m.undone) throw new Error(`cannot undo ${mergeId}`);
    for (const key of m.moved.links) {
      const ids = this.links.get(key) as Set<string>;
      ids.delete(m.survivorId);
      ids.add(m.absorbedId);
    }
    for (const key of m.moved.shared) (this.links.get(key) as Set<string>).add(m.absorbedId);
    for (const e of m.moved.events) this.events.set(e, m.absorbedId);
    (this.people.get(m.absorbedId) as { mergedInto: string | null }).mergedInto = null;
    m.undone = true;
  }

  copy(): Pick<Model, 'people' | 'links' | 'identifiers' | 'events' | 'merges'> {
    return structuredClone({
      people: this.people,
      links: this.links,
      identifiers: this.identifiers,
      events: this.events,
      merges: this.merges,
    });
  }

  /** The people as sets of their unshared identifiers and of their events, ids aside. */
  partition(): string[] {
    const groups: string[] = [];
    for (const [id, p] of this.people) {
      if (p.mergedInto !== null) continue;
      const keys = [...this.links]
        .filter(([key, ids]) => ids.has(id) && !this.identifiers.get(key)?.shared)
        .map(([key]) => key)
        .sort();
      const events = [...this.events]
        .filter(([, owner]) => owner === id)
        .map(([e]) => e)
        .sort();
      groups.push(`${keys.join(' ')} | ${events.join(' ')}`);
    }
    return groups.sort();
  }
}

const holdsMap = (keys: readonly string[]) =>
  new Map(keys.map((k) => [namespaceOf(k), k] as [string, string]));

/** Runs a stream through the pure rules and the model; every event gets an answer. */
function play(stream: readonly StreamEvent[], unique: readonly string[]) {
  const model = new Model(unique);
  const answers = new Map<string, IdentityRejection | 'ACCEPTED'>();
  for (const e of stream) {
    const decision = resolveIdentity({
      field: e.kind === 'identify' ? 'identify' : 'order',
      mayCreate: e.kind === 'identify',
      customerId: null,
      customer: null,
      identifiers: e.identifiers,
      known: model.known(e.identifiers.map((i) => i.key)),
      displayName: null,
      sharedThreshold: THRESHOLD,
      uniqueNamespaces: unique,
      secret: SECRET,
    });
    if ('code' in decision) {
      answers.set(e.id, decision);
      continue;
    }
    const refused = model.apply(decision, e.id);
    if (refused) throw new Error(`the model refused a decision of the rules: ${refused}`);
    answers.set(e.id, 'ACCEPTED');
  }
  return { model, answers };
}

/**
 * Puts a permutation of a stream in an order where every order event comes after an identify
 * sharing one of its identifiers (an order about nobody known is rejected, whatever the rules
 * say about identifiers): orders are held back until then, everything else keeps its place.
 */
function identifiesFirst(stream: readonly StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  const seen = new Set<string>();
  let waiting: StreamEvent[] = [];
  for (const e of stream) {
    if (e.kind === 'order') {
      waiting.push(e);
    } else {
      out.push(e);
      for (const i of e.identifiers) seen.add(i.key);
    }
    const ready = waiting.filter((w) => w.identifiers.some((i) => seen.has(i.key)));
    waiting = waiting.filter((w) => !ready.includes(w));
    out.push(...ready);
  }
  if (waiting.length > 0) throw new Error('an order event shares nothing with any identify');
  return out;
}

/** A random order of a stream. */
const permutationOf = <T>(items: readonly T[]) =>
  fc
    .array(fc.double({ min: 0, max: 1, noNaN: true }), {
      minLength: items.length,
      maxLength: items.length,
    })
    .map((weights) =>
      items
        .map((item, i) => ({ item, w: weights[i] as number }))
        .sort((a, b) => a.w - b.w)
        .map((x) => x.item),
    );

/**
 * Consistent streams: events about a few true people, each event carrying some of one person's
 * identifiers, and no person holding two values of a unique namespace. Every order event shares
 * an identifier with an identify of the same person.
 */
const consistentStream = fc
  .record({
    unique: fc.subarray(['LOYALTY_ID', 'EMAIL', 'PHONE']),
    people: fc.integer({ min: 1, max: 4 }),
    picks: fc.array(
      fc.record({
        person: fc.nat(3),
        kind: fc.constantFrom('identify', 'order'),
        // Indexes into the person's identifiers; at least one.
        ids: fc.uniqueArray(fc.nat(5), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 14 },
    ),
  })
  .map(({ unique, people, picks }) => {
    const own = (p: number) => {
      const all = [
        ident('LOYALTY_ID', `LY-${p}`),
        ident('EMAIL', `p${p}@example.com`),
        // A second e-mail only where e-mail is not unique: a person with two is consistent then.
        ident('EMAIL', unique.includes('EMAIL') ? `p${p}@example.com` : `p${p}.work@example.com`),
        ident('PHONE', `+1555000${p}00`),
        ident('APP_INSTALL', `app-${p}`),
        ident('COOKIE', `ck-${p}`),
      ];
      return all;
    };
    const events: StreamEvent[] = picks.map((pick, n) => {
      const person = pick.person % people;
      const ids = own(person);
      const identifiers = [
        ...new Map(pick.ids.map((i) => ids[i] as Identifier).map((i) => [i.key, i])).values(),
      ];
      return { id: `e${n}`, kind: pick.kind as StreamEvent['kind'], identifiers };
    });
    // An order needs an identify of one of its identifiers somewhere in the stream.
    const identified = new Set(
      events.filter((e) => e.kind === 'identify').flatMap((e) => e.identifiers.map((i) => i.key)),
    );
    const stream = events.map((e) =>
      e.kind === 'order' && !e.identifiers.some((i) => identified.has(i.key))
        ? { ...e, kind: 'identify' as const }
        : e,
    );
    return { unique, stream };
  });

/** The people a consistent stream must end with: its identifiers tied by events, transitively. */
function components(stream: readonly StreamEvent[]): string[] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    const p = parent.get(k) ?? k;
    if (p === k) return k;
    const root = find(p);
    parent.set(k, root);
    return root;
  };
  for (const e of stream) {
    const [first, ...rest] = e.identifiers.map((i) => i.key);
    if (first === undefined) continue;
    if (!parent.has(first)) parent.set(first, first);
    for (const k of rest) {
      if (!parent.has(k)) parent.set(k, k);
      parent.set(find(k), find(first));
    }
  }
  const groups = new Map<string, { keys: string[]; events: string[] }>();
  for (const k of parent.keys()) {
    const root = find(k);
    if (!groups.has(root)) groups.set(root, { keys: [], events: [] });
    groups.get(root)?.keys.push(k);
  }
  for (const e of stream) {
    const root = find((e.identifiers[0] as Identifier).key);
    groups.get(root)?.events.push(e.id);
  }
  return [...groups.values()]
    .map((g) => `${g.keys.sort().join(' ')} | ${g.events.sort().join(' ')}`)
    .sort();
}

/**
 * Kiosk streams: true people each with a loyalty card of their own (LOYALTY_ID unique) and own
 * identifiers, and a few identifiers strangers share (a kiosk's phone, a store tablet's cookie).
 * Every event carries its person's loyalty card, some of their own identifiers and maybe some
 * shared ones; an order comes after an identify of its card.
 */
const kioskStream = fc
  .record({
    people: fc.integer({ min: 2, max: 5 }),
    picks: fc.array(
      fc.record({
        person: fc.nat(4),
        kind: fc.constantFrom('identify', 'order'),
        own: fc.subarray([0, 1, 2]),
        noise: fc.subarray([0, 1]),
      }),
      { minLength: 2, maxLength: 16 },
    ),
  })
  .map(({ people, picks }) => {
    const noise = [ident('PHONE', '+15550199999'), ident('COOKIE', 'kiosk-tablet')];
    const truth = new Map<string, number>();
    const stream: StreamEvent[] = picks.map((pick, n) => {
      const p = pick.person % people;
      const own = [
        ident('EMAIL', `k${p}@example.com`),
        ident('APP_INSTALL', `kapp-${p}`),
        ident('SOCIAL_HANDLE', `k${p}`),
      ];
      const loyalty = ident('LOYALTY_ID', `KLY-${p}`);
      const identifiers = [
        loyalty,
        ...pick.own.map((i) => own[i] as Identifier),
        ...pick.noise.map((i) => noise[i] as Identifier),
      ];
      for (const i of [loyalty, ...pick.own.map((x) => own[x] as Identifier)]) truth.set(i.key, p);
      truth.set(`event:e${n}`, p);
      return { id: `e${n}`, kind: pick.kind as StreamEvent['kind'], identifiers };
    });
    // An order of someone never identified is an identify instead.
    const identified = new Set(
      stream.filter((e) => e.kind === 'identify').map((e) => (e.identifiers[0] as Identifier).key),
    );
    return {
      noise: noise.map((i) => i.key),
      truth,
      stream: stream.map((e) =>
        e.kind === 'order' && !identified.has((e.identifiers[0] as Identifier).key)
          ? { ...e, kind: 'identify' as const }
          : e,
      ),
    };
  });

/** Loyalty-first order for kiosk streams: an order waits for its person's identify. */
function kioskOrder(stream: readonly StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  const seen = new Set<string>();
  let waiting: StreamEvent[] = [];
  for (const e of stream) {
    const card = (e.identifiers[0] as Identifier).key;
    if (e.kind === 'identify') {
      out.push(e);
      seen.add(card);
    } else waiting.push(e);
    const ready = waiting.filter((w) => seen.has((w.identifiers[0] as Identifier).key));
    waiting = waiting.filter((w) => !ready.includes(w));
    out.push(...ready);
  }
  return out;
}

/** Any stream: random events over a small pool of identifiers, conflicts and all. */
const anyStream = fc.record({
  unique: fc.subarray(['LOYALTY_ID', 'EMAIL', 'PHONE']),
  stream: fc
    .array(
      fc.record({
        kind: fc.constantFrom('identify', 'order'),
        ids: fc.uniqueArray(fc.nat(11), { minLength: 1, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 18 },
    )
    .map((picks) => {
      const pool = [
        ...[0, 1, 2].map((n) => ident('LOYALTY_ID', `ALY-${n}`)),
        ...[0, 1, 2].map((n) => ident('EMAIL', `a${n}@example.com`)),
        ...[0, 1].map((n) => ident('PHONE', `+1555010${n}000`)),
        ...[0, 1].map((n) => ident('APP_INSTALL', `aapp-${n}`)),
        ...[0, 1].map((n) => ident('COOKIE', `ack-${n}`)),
      ];
      return picks.map((p, n): StreamEvent => ({
        id: `e${n}`,
        kind: p.kind as StreamEvent['kind'],
        identifiers: p.ids.map((i) => pool[i] as Identifier),
      }));
    }),
});

/** Nobody holds two values of a unique namespace. */
function everyoneHoldsOneValue(model: Model) {
  for (const [id, p] of model.people) {
    if (p.mergedInto !== null) continue;
    const namespaces = model.holds(id).map(namespaceOf);
    expect(namespaces).toEqual([...new Set(namespaces)]);
  }
}

describe('identity properties on random streams', () => {
  it('nobody ever holds two values of a unique namespace, and every event gets an answer', () => {
    fc.assert(
      fc.property(anyStream, ({ unique, stream }) => {
        const { model, answers } = play(stream, unique);
        everyoneHoldsOneValue(model);
        expect(answers.size).toBe(stream.length);
        for (const [eventId, answer] of answers) {
          if (answer === 'ACCEPTED')
            expect(model.isCustomer(model.events.get(eventId) ?? '')).toBe(true);
          else expect(['UNKNOWN_REFERENCE', 'AMBIGUOUS']).toContain(answer.code);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('consistent streams end with the people their events tie together, in any order', () => {
    fc.assert(
      fc.property(
        consistentStream.chain((s) =>
          fc.record({ s: fc.constant(s), order: permutationOf(s.stream) }),
        ),
        ({ s, order }) => {
          const expected = components(s.stream);
          const inOrder = play(identifiesFirst(s.stream), s.unique);
          const shuffled = play(identifiesFirst(order), s.unique);
          expect([...inOrder.answers.values()]).toEqual(s.stream.map(() => 'ACCEPTED'));
          expect([...shuffled.answers.values()]).toEqual(s.stream.map(() => 'ACCEPTED'));
          expect(inOrder.model.partition()).toEqual(expected);
          expect(shuffled.model.partition()).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('kiosk streams keep every stranger apart and make a shared identifier shared, in any order', () => {
    fc.assert(
      fc.property(
        kioskStream.chain((s) => fc.record({ s: fc.constant(s), order: permutationOf(s.stream) })),
        ({ s, order }) => {
          const results = [
            play(kioskOrder(s.stream), ['LOYALTY_ID']),
            play(kioskOrder(order), ['LOYALTY_ID']),
          ];
          for (const { model, answers } of results) {
            expect([...answers.values()].every((a) => a === 'ACCEPTED')).toBe(true);
            everyoneHoldsOneValue(model);
            expect(model.merges).toEqual([]);
            // Each person is one true person: their own identifiers and events, all of them.
            const truePeople = new Map<number, string[]>();
            for (const [key, p] of s.truth) truePeople.set(p, [...(truePeople.get(p) ?? []), key]);
            const people = [...model.people.keys()].filter(model.isCustomer);
            const own = people
              .map((id) =>
                [
                  ...[...model.links]
                    .filter(([key, ids]) => ids.has(id) && !s.noise.includes(key))
                    .map(([key]) => key),
                  ...[...model.events].filter(([, o]) => o === id).map(([e]) => `event:${e}`),
                ].sort(),
              )
              .map((keys) => keys.join(' '))
              .sort();
            expect(own).toEqual(
              [...truePeople.values()].map((keys) => keys.sort().join(' ')).sort(),
            );
            // A shared identifier is shared once as many strangers as the threshold used it.
            for (const key of s.noise) {
              const users = new Set(
                s.stream
                  .filter((e) => e.identifiers.some((i) => i.key === key))
                  .map((e) => s.truth.get(`event:${e.id}`)),
              );
              const shared = model.identifiers.get(key)?.shared ?? false;
              expect(shared).toBe(users.size >= THRESHOLD);
              if (!shared && users.size > 0) {
                expect([...(model.links.get(key) ?? [])]).toHaveLength(1);
              }
            }
          }
          // So both orders give the same people. Only which of its users holds an identifier
          // fewer than the threshold share depends on arrival: it stays with the first of them.
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a merge of any two people then its undo restores everything exactly', () => {
    fc.assert(
      fc.property(anyStream, fc.nat(), fc.nat(), ({ unique, stream }, x, y) => {
        const { model } = play(stream, unique);
        const people = [...model.people.keys()].filter(model.isCustomer);
        if (people.length < 2) return;
        const survivor = people[x % people.length] as string;
        const others = people.filter((p) => p !== survivor);
        const absorbed = others[y % others.length] as string;
        const before = model.copy();
        const refused = model.merge(survivor, absorbed);
        if (refused) {
          // Refused only for two values of a unique namespace, and then nothing changed.
          expect(refused).toBe('unique conflict');
          expect(model.copy()).toEqual(before);
          return;
        }
        everyoneHoldsOneValue(model);
        model.undo((model.merges.at(-1) as { id: string }).id);
        const after = model.copy();
        expect(after.people).toEqual(before.people);
        expect(after.links).toEqual(before.links);
        expect(after.events).toEqual(before.events);
        expect(after.identifiers).toEqual(before.identifiers);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the two reported cases, on the rules', () => {
  it('split: three sign-ups tied by two purchases are one person, her e-mail hers alone', () => {
    const app = ident('APP_INSTALL', 'app-ana');
    const email = ident('EMAIL', 'ana@example.com');
    const loyalty = ident('LOYALTY_ID', 'LY-ana');
    const stream: StreamEvent[] = [
      { id: 's1', kind: 'identify', identifiers: [app] },
      { id: 's2', kind: 'identify', identifiers: [email] },
      { id: 's3', kind: 'identify', identifiers: [loyalty] },
      { id: 'o1', kind: 'order', identifiers: [email, app] },
      { id: 'o2', kind: 'order', identifiers: [loyalty, email] },
    ];
    const { model } = play(stream, ['LOYALTY_ID']);
    expect(model.partition()).toEqual([`${app.key} ${email.key} ${loyalty.key} | o1 o2 s1 s2 s3`]);
    expect(model.identifiers.get(email.key)?.shared).toBe(false);
  });

  it('fused: a kiosk phone never merges two loyalty members, and a third makes it shared', () => {
    const phone = ident('PHONE', '+15550142424');
    const cards = [1, 2, 3].map((n) => ident('LOYALTY_ID', `LY-${n}`));
    const stream: StreamEvent[] = [
      ...cards.map((c, n): StreamEvent => ({ id: `s${n}`, kind: 'identify', identifiers: [c] })),
      ...cards.map((c, n): StreamEvent => ({
        id: `o${n}`,
        kind: 'order',
        identifiers: [c, phone],
      })),
    ];
    const model = new Model(['LOYALTY_ID']);
    const answers: Array<IdentityChanges | IdentityRejection> = [];
    for (const e of stream) {
      const d = resolveIdentity({
        field: e.kind,
        mayCreate: e.kind === 'identify',
        customerId: null,
        customer: null,
        identifiers: e.identifiers,
        known: model.known(e.identifiers.map((i) => i.key)),
        displayName: null,
        sharedThreshold: THRESHOLD,
        uniqueNamespaces: ['LOYALTY_ID'],
        secret: SECRET,
      });
      answers.push(d);
      if (!('code' in d)) model.apply(d, e.id);
    }
    const [, , , first, second, third] = answers as IdentityChanges[];
    expect(first?.links.map((l) => l.key)).toEqual([phone.key]);
    // The second stranger's purchase is hers; the phone stays the first one's, unlinked here.
    expect(second?.merges).toEqual([]);
    expect(second?.unlinked).toEqual([
      {
        key: phone.key,
        path: 'identifiers[1]',
        namespace: 'LOYALTY_ID',
        message: `identifiers[1]: ${phone.key} was not linked: it would give one person two LOYALTY_ID values, and a person has at most one (IDENTITY_UNIQUE_NAMESPACES); the event is recorded without it`,
      },
    ]);
    // The third makes it shared: seen with three people who cannot be one.
    expect(third?.merges).toEqual([]);
    expect(third?.sightings).toEqual([
      expect.objectContaining({ key: cards[2]?.key, shared: false }),
      expect.objectContaining({ key: phone.key, shared: true }),
    ]);
    expect(model.partition()).toHaveLength(3);
    expect(model.merges).toEqual([]);
  });
});
