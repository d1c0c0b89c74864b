/**
 * The identity rules, with no I/O: which person an event is about, what it teaches about their
 * identifiers, which people it merges, and which merges are refused.
 */
import { createHmac } from 'node:crypto';
import { namespacePriority, type Identifier } from './identifiers';

/** A person as resolution needs them. */
export interface Person {
  id: string;
  /** ISO-8601; the earlier person survives a tie. */
  createdAt: string;
}

/** What the graph knows about one identifier. */
export interface KnownIdentifier {
  shared: boolean;
  /** Distinct people this identifier was seen with, at most the threshold. */
  seenWith: string[];
  /** The people it identifies now (one, unless it is shared). */
  owners: Person[];
}

export interface ResolutionRequest {
  /** The payload field, for error paths such as `purchase.customerId`. */
  field: string;
  /** `identify` events may create a person; the others must name a known one. */
  mayCreate: boolean;
  customerId: string | null;
  /** Null when `customerId` is null or names nobody (absorbed ids resolve to their survivor). */
  customer: Person | null;
  identifiers: Identifier[];
  known: ReadonlyMap<string, KnownIdentifier>;
  /** The display name for a person created by this event. */
  displayName: string | null;
  sharedThreshold: number;
  /** Keys the ids of people created from identifiers (IDENTITY_SECRET). */
  secret: string;
  /** What the sender may change in identities; absent: everything (first-party services). */
  rights?: LinkRights;
}

/**
 * What a sender may change in identities. Any sender may *name* a known person by a known
 * identifier; linking an identifier to a person, creating a person from identifiers, merging
 * people by an identifier or making an identifier shared needs its namespace here.
 */
export interface LinkRights {
  /** Namespaces by which its events may link identifiers to people or merge people. */
  namespaces: readonly string[];
  /**
   * A person sending about themselves: identifiers are linked to this person only, and nobody
   * is ever merged. Null for every other sender.
   */
  self: string | null;
}

export type IdentityErrorCode =
  'INVALID' | 'UNKNOWN_REFERENCE' | 'AMBIGUOUS' | 'CONFLICT' | 'IDENTITY_FORBIDDEN';

export interface IdentityRejection {
  code: IdentityErrorCode;
  /** Path under the event, such as `identifiers[0]`. */
  path: string;
  message: string;
}

/** One merge an event causes: `absorbedId` into `survivorId`, tied by `identifierKey`. */
export interface PlannedMerge {
  survivorId: string;
  absorbedId: string;
  identifierKey: string | null;
}

/** What an accepted event changes in identities, applied after its plan is accepted. */
export interface IdentityChanges {
  /** The person the event is about, after merges. */
  customerId: string;
  /** A person to create first (identify of unknown identifiers or an unknown customerId). */
  create: { id: string; displayName: string } | null;
  merges: PlannedMerge[];
  /** Identifiers to link to `customerId` (MERGE: already linked ones are left as they are). */
  links: Identifier[];
  /** Per identifier of the event: the people it has now been seen with, and whether shared. */
  sightings: Array<{ key: string; seenWith: string[]; shared: boolean }>;
}

/** The rank of the person named by `customerId`: above every identifier namespace. */
const CUSTOMER_ID_RANK = 100;

/**
 * The survivor of a merge: the person with the strongest identifier on the event (a named
 * `customerId` outranks them all), then the earliest created, then the smallest id — a total
 * order, so the choice never depends on the order things were read in.
 */
export function chooseSurvivor<P extends Person & { rank: number }>(people: readonly P[]): P {
  const sorted = [...people].sort(
    (a, b) =>
      b.rank - a.rank ||
      Date.parse(a.createdAt) - Date.parse(b.createdAt) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const first = sorted[0];
  if (!first) throw new Error('chooseSurvivor needs at least one person');
  return first;
}

/** The strongest of some identifiers: highest namespace priority, then smallest key. */
export function strongestIdentifier(identifiers: readonly Identifier[]): Identifier | undefined {
  return [...identifiers].sort(
    (a, b) =>
      namespacePriority(b.namespace) - namespacePriority(a.namespace) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  )[0];
}

/**
 * The id of a person created from identifiers alone: derived from the strongest one, so that a
 * resent sign-up creates nobody new. An HMAC under the server's identity secret, cut short: the
 * id carries no e-mail or phone, and without the secret nobody can compute the id of a known
 * e-mail address to test whether that person is a customer.
 */
export function personIdFor(identifier: Identifier, secret: string): string {
  const mac = createHmac('sha256', secret).update(identifier.key).digest('hex');
  return `person-${mac.slice(0, 20)}`;
}

/** The namespace part of an identifier key `<NAMESPACE>:<value>`. */
const namespaceOf = (key: string) => key.slice(0, key.indexOf(':'));

/**
 * Why an identity change is not the sender's to make, with no data about anyone in the
 * message: the path of the first identifier at fault (`identifiers[2]`), or of the customer id
 * for a person created from nothing but an id.
 */
function identityForbidden(req: ResolutionRequest, key: string | null): IdentityRejection {
  const index = key === null ? -1 : req.identifiers.findIndex((i) => i.key === key);
  const path = index >= 0 ? `identifiers[${index}]` : `${req.field}.customerId`;
  const what =
    req.rights?.self != null
      ? 'a person may link identifiers only to themselves, and never merges people'
      : key === null
        ? 'this sender may not create people'
        : `this sender may not link or merge people by ${namespaceOf(key)}`;
  return { code: 'IDENTITY_FORBIDDEN', path, message: `${path}: ${what}; nothing was changed` };
}

/**
 * The first identity change of a decision the sender may not make, or null: links in a
 * namespace it may not link by, a person created without such a right, merges (by any
 * identifier that brought a person in) or an identifier becoming shared.
 */
export function identityRefusal(
  req: ResolutionRequest,
  changes: IdentityChanges,
  context: { broughtBy: readonly string[]; becomesShared: readonly string[] },
): IdentityRejection | null {
  const rights = req.rights;
  if (!rights) return null;
  const may = (key: string) => rights.namespaces.includes(namespaceOf(key));
  if (rights.self !== null) {
    if (changes.customerId !== rights.self) return identityForbidden(req, null);
    const [merge] = changes.merges;
    if (merge) return identityForbidden(req, merge.identifierKey ?? context.broughtBy[0] ?? null);
    // Someone else's identifier does not become shared because a person claims it.
    const [shared] = context.becomesShared;
    if (shared !== undefined) return identityForbidden(req, shared);
  }
  if (changes.merges.length > 0) {
    const by = context.broughtBy.find((k) => !may(k));
    if (by !== undefined) return identityForbidden(req, by);
  }
  const shared = context.becomesShared.find((k) => !may(k));
  if (shared !== undefined) return identityForbidden(req, shared);
  const link = changes.links.find((l) => !may(l.key));
  if (link) return identityForbidden(req, link.key);
  if (changes.create && rights.self !== changes.create.id && rights.namespaces.length === 0) {
    return identityForbidden(req, null);
  }
  return null;
}

/**
 * For a sender with limited rights, an event naming no known person by its `customerId` is
 * refused IDENTITY_FORBIDDEN when an identifier on it (not shared) is in a namespace the sender
 * may not link by: had the person existed, the event would have linked or merged by it. So the
 * answer is the same whether the person exists or not.
 */
function unknownPersonRefusal(req: ResolutionRequest): IdentityRejection | null {
  const rights = req.rights;
  if (!rights) return null;
  const forbidden = req.identifiers.find(
    (i) => !req.known.get(i.key)?.shared && !rights.namespaces.includes(i.namespace),
  );
  return forbidden ? identityForbidden(req, forbidden.key) : null;
}

const names = (ids: readonly Identifier[]) => ids.map((i) => i.key).join(', ');

/**
 * Decides who an event is about and what it changes in identities.
 *
 * - A named `customerId` must exist (an `identify` event creates it); its person is always in.
 * - Every known, unshared identifier brings its owner in. An identifier that would now be seen
 *   with `sharedThreshold` distinct people becomes shared instead and brings nobody.
 * - Shared identifiers are ignored for resolution; alone they are ambiguous.
 * - No one in: an `identify` creates a person from its strongest new identifier, others are
 *   rejected naming the identifiers.
 * - Several people in: they merge into the survivor ({@link chooseSurvivor}).
 * - Every identifier of the event ends up linked to the person (learning).
 */
export function resolveIdentity(req: ResolutionRequest): IdentityRejection | IdentityChanges {
  const { customer, identifiers, known, sharedThreshold } = req;
  if (req.customerId === null && identifiers.length === 0) {
    return {
      code: 'INVALID',
      path: `${req.field}.customerId`,
      message: `${req.field}.customerId: give customerId or at least one identifier`,
    };
  }
  if (req.customerId !== null && customer === null && !req.mayCreate) {
    const refused = unknownPersonRefusal(req);
    if (refused) return refused;
    return {
      code: 'UNKNOWN_REFERENCE',
      path: `${req.field}.customerId`,
      message: `No customer has id ${req.customerId}`,
    };
  }

  // Candidates: the named customer, and the owners of known identifiers not yet shared.
  const ranked = new Map<string, Person & { rank: number; via: string | null }>();
  const bring = (p: Person, rank: number, via: string | null) => {
    const seen = ranked.get(p.id);
    if (!seen || seen.rank < rank) ranked.set(p.id, { ...p, rank, via });
  };
  if (customer) bring(customer, CUSTOMER_ID_RANK, null);
  const trusted = identifiers.filter((i) => {
    const k = known.get(i.key);
    return k !== undefined && !k.shared && k.owners.length > 0;
  });
  const candidates = new Set<string>(customer ? [customer.id] : []);
  for (const i of trusted) for (const o of known.get(i.key)?.owners ?? []) candidates.add(o.id);

  // An identifier that ties people who would make it seen with too many becomes shared now.
  const becomesShared = new Set<string>();
  for (const i of trusted) {
    const k = known.get(i.key) as KnownIdentifier;
    const seen = new Set([...k.seenWith, ...k.owners.map((o) => o.id), ...candidates]);
    if (seen.size >= sharedThreshold) becomesShared.add(i.key);
  }
  for (const i of trusted) {
    if (becomesShared.has(i.key)) continue;
    for (const o of known.get(i.key)?.owners ?? []) bring(o, namespacePriority(i.namespace), i.key);
  }

  let customerId: string;
  let create: IdentityChanges['create'] = null;
  const merges: PlannedMerge[] = [];
  const people = [...ranked.values()];
  if (people.length === 0) {
    const unknown = identifiers.filter((i) => !known.has(i.key));
    if (req.mayCreate && (req.customerId !== null || unknown.length > 0)) {
      const strongest = strongestIdentifier(unknown);
      customerId = req.customerId ?? personIdFor(strongest as Identifier, req.secret);
      create = { id: customerId, displayName: req.displayName ?? customerId };
    } else {
      const shared = identifiers.filter(
        (i) => known.get(i.key)?.shared || becomesShared.has(i.key),
      );
      if (shared.length > 0 && unknown.length === 0) {
        const counts = shared.map((i) => {
          const k = known.get(i.key) as KnownIdentifier;
          return new Set([...k.seenWith, ...k.owners.map((o) => o.id)]).size;
        });
        const index = identifiers.indexOf(shared[0] as Identifier);
        return {
          code: 'AMBIGUOUS',
          path: `identifiers[${index}]`,
          message: `${names(shared)} ${shared.length === 1 ? 'is' : 'are'} shared by ${Math.max(
            ...counts,
          )} people and cannot tell who this is: send customerId or a personal identifier`,
        };
      }
      return {
        code: 'UNKNOWN_REFERENCE',
        path: 'identifiers',
        message: `No customer is known by ${names(identifiers)}`,
      };
    }
  } else if (req.customerId !== null && customer === null) {
    // An identify naming a new id while its identifiers belong to someone already: creating the
    // id would absorb them into a stranger. The sender must say which.
    const [first] = people;
    const via = identifiers.find((i) => i.key === first?.via) ?? identifiers[0];
    // A sender without the right to merge by it is told only that, never whose it is.
    if (
      req.rights &&
      (req.rights.self !== null || !req.rights.namespaces.includes(via?.namespace ?? ''))
    ) {
      return identityForbidden(req, via?.key ?? null);
    }
    return {
      code: 'CONFLICT',
      path: `identifiers[${via ? identifiers.indexOf(via) : 0}]`,
      message: `No customer has id ${req.customerId}, and ${via?.key ?? 'an identifier'} already identifies customer ${first?.id}: send customerId ${first?.id} or leave customerId out`,
    };
  } else {
    const survivor = chooseSurvivor(people);
    customerId = survivor.id;
    for (const p of people) {
      if (p.id === survivor.id) continue;
      merges.push({ survivorId: survivor.id, absorbedId: p.id, identifierKey: p.via });
    }
  }

  // Learning: every identifier of the event is now linked to the person. Identifiers of absorbed
  // people move with them, so only the ones not yet owned by a merged person need a link.
  const merged = new Set([customerId, ...merges.map((m) => m.absorbedId)]);
  const links = identifiers.filter((i) => {
    const owners = known.get(i.key)?.owners ?? [];
    return !owners.some((o) => merged.has(o.id));
  });
  const sightings = identifiers.map((i) => {
    const k = known.get(i.key);
    const seen = [...new Set([...(k?.seenWith ?? []), ...(k?.owners ?? []).map((o) => o.id)])];
    for (const id of [customerId, ...merges.map((m) => m.absorbedId)]) {
      if (!seen.includes(id)) seen.push(id);
    }
    if (becomesShared.has(i.key))
      for (const id of candidates) if (!seen.includes(id)) seen.push(id);
    const shared = (k?.shared ?? false) || seen.length >= sharedThreshold;
    return { key: i.key, seenWith: seen.slice(0, sharedThreshold), shared };
  });
  const decided: IdentityChanges = { customerId, create, merges, links, sightings };
  const refused = identityRefusal(req, decided, {
    broughtBy: trusted.filter((i) => !becomesShared.has(i.key)).map((i) => i.key),
    becomesShared: [...becomesShared],
  });
  return refused ?? decided;
}

/** What the graph says about the referrals around two people about to merge. */
export interface MergeFacts {
  survivorId: string;
  absorbedId: string;
  /** Who referred each of them, if anyone. */
  survivorReferrer: string | null;
  absorbedReferrer: string | null;
  /** One referred the other directly. */
  referredEachOther: boolean;
  /** One reaches the other through two or more referral hops. */
  chainBetween: boolean;
  /** The survivor was itself merged into the absorbed one (by that merge's id). */
  survivorMergedIntoAbsorbed: string | null;
}

/**
 * Merges that would break the referral graph or the merge history are refused: a person with two
 * referrers, a referral between the two (a self-referral), a referral cycle, or merging a person
 * into someone merged into them.
 */
export function mergeBlocker(f: MergeFacts): string | null {
  const pair = `${f.absorbedId} into ${f.survivorId}`;
  if (f.survivorMergedIntoAbsorbed !== null) {
    return `Cannot merge ${pair}: ${f.survivorId} was merged into ${f.absorbedId} (merge ${f.survivorMergedIntoAbsorbed})`;
  }
  if (f.referredEachOther) {
    return `Cannot merge ${pair}: one referred the other, and the merged person would have referred themselves`;
  }
  if (f.chainBetween) {
    return `Cannot merge ${pair}: one is further down the other's referral chain, and merges that would form a cycle are refused`;
  }
  if (f.survivorReferrer !== null && f.absorbedReferrer !== null) {
    return `Cannot merge ${pair}: ${f.survivorId} was referred by ${f.survivorReferrer} and ${f.absorbedId} by ${f.absorbedReferrer}, and a person has one referrer`;
  }
  return null;
}
