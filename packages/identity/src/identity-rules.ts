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
  /** Keys of the person's identifiers in unique namespaces (see `uniqueNamespaces`). */
  holds?: readonly string[];
}

/** What the graph knows about one identifier. */
export interface KnownIdentifier {
  shared: boolean;
  /**
   * People this identifier was seen with, as they are now: an absorbed person's id reads as its
   * survivor's, so people merged into one count as one.
   */
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
  /**
   * Namespaces a person holds at most one value of (IDENTITY_UNIQUE_NAMESPACES); none when
   * absent.
   */
  uniqueNamespaces?: readonly string[];
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
  /**
   * Identifiers of the event that are not linked to its person, because that would give one
   * person two values of a unique namespace: recorded as seen with the person, and answered.
   */
  unlinked: UnlinkedIdentifier[];
}

/** An identifier of an accepted event that was not linked to its person (see `unlinked`). */
export interface UnlinkedIdentifier {
  key: string;
  /** Its path under the event, such as `identifiers[1]`. */
  path: string;
  /** The unique namespace in which linking it (or merging its owner) would give two values. */
  namespace: string;
  message: string;
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
 * The unique namespace in which one more set of identifier keys would give a person a second
 * value, given the values it holds (namespace to key), or null when none would.
 */
export function uniqueConflict(
  holds: ReadonlyMap<string, string>,
  keys: readonly string[],
  uniqueNamespaces: readonly string[],
): string | null {
  for (const key of keys) {
    const namespace = namespaceOf(key);
    if (!uniqueNamespaces.includes(namespace)) continue;
    const held = holds.get(namespace);
    if (held !== undefined && held !== key) return namespace;
  }
  return null;
}

/** What a person holds in unique namespaces, namespace to key (the first of each namespace). */
function holdsOf(keys: readonly string[], uniqueNamespaces: readonly string[]) {
  const holds = new Map<string, string>();
  for (const key of [...keys].sort()) {
    const namespace = namespaceOf(key);
    if (uniqueNamespaces.includes(namespace) && !holds.has(namespace)) holds.set(namespace, key);
  }
  return holds;
}

/** The message of an identifier left unlinked: the same for every sender, naming no one. */
const unlinkedMessage = (path: string, key: string, namespace: string) =>
  `${path}: ${key} was not linked: it would give one person two ${namespace} values, and a person has at most one (IDENTITY_UNIQUE_NAMESPACES); the event is recorded without it`;

/**
 * Decides who an event is about and what it changes in identities.
 *
 * - A named `customerId` must exist (an `identify` event creates it); its person is always in.
 * - Claims are taken strongest first: the named customer, then each identifier by namespace
 *   priority (known people before unknown identifiers, then the earliest created, the smallest
 *   id or key). A known, unshared identifier claims its owner; an unknown one claims a link.
 * - A claim is refused when it would give the person two values of a unique namespace
 *   (`uniqueNamespaces`): a refused person is not merged, a refused identifier is not linked,
 *   and both are listed in `unlinked`. So which identifier wins is decided by strength, never
 *   by which event came first.
 * - An identifier is shared once it has been seen with `sharedThreshold` distinct people, people
 *   merged into one counting as one: shared identifiers are ignored for resolution and alone are
 *   ambiguous. Only people who could not be merged add up, so sharing marks an identifier that
 *   truly names several people (a kiosk's phone, a family tablet's cookie).
 * - No person claimed: an `identify` creates one from its strongest new identifier, others are
 *   rejected naming the identifiers.
 * - Several people claimed: they merge into the first ({@link chooseSurvivor}'s order).
 */
export function resolveIdentity(req: ResolutionRequest): IdentityRejection | IdentityChanges {
  const { customer, identifiers, known, sharedThreshold } = req;
  const uniqueNamespaces = req.uniqueNamespaces ?? [];
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

  const trusted = identifiers.filter((i) => {
    const k = known.get(i.key);
    return k !== undefined && !k.shared && k.owners.length > 0;
  });
  const pathOf = (key: string) => `identifiers[${identifiers.findIndex((i) => i.key === key)}]`;

  // An identify naming a new id while its identifiers belong to someone already: creating the
  // id would absorb them into a stranger. The sender must say which. (An identifier the new
  // person would make shared belongs to no one any more.)
  const owning = trusted.filter((i) => {
    const k = known.get(i.key) as KnownIdentifier;
    return new Set([...k.seenWith, ...k.owners.map((o) => o.id)]).size + 1 < sharedThreshold;
  });
  if (req.customerId !== null && customer === null && owning.length > 0) {
    const ownerOf = (i: Identifier) => (known.get(i.key) as KnownIdentifier).owners;
    const via = strongestIdentifier(owning) as Identifier;
    const first = chooseSurvivor(ownerOf(via).map((o) => ({ ...o, rank: 0 })));
    // A sender without the right to merge by it is told only that, never whose it is.
    if (
      req.rights &&
      (req.rights.self !== null || !req.rights.namespaces.includes(via.namespace))
    ) {
      return identityForbidden(req, via.key);
    }
    return {
      code: 'CONFLICT',
      path: pathOf(via.key),
      message: `No customer has id ${req.customerId}, and ${via.key} already identifies customer ${first.id}: send customerId ${first.id} or leave customerId out`,
    };
  }

  // The claims, strongest first.
  type Claim =
    { person: Person; rank: number; via: string | null } | { identifier: Identifier; rank: number };
  const claims: Claim[] = [];
  if (customer) claims.push({ person: customer, rank: CUSTOMER_ID_RANK, via: null });
  const shared: Identifier[] = [];
  for (const i of identifiers) {
    const k = known.get(i.key);
    const rank = namespacePriority(i.namespace);
    if (k?.shared) shared.push(i);
    else if (k && k.owners.length > 0) {
      // A new person named by id claims no one: these identifiers become shared (see above).
      if (req.customerId !== null && customer === null) continue;
      for (const o of k.owners) claims.push({ person: o, rank, via: i.key });
    } else claims.push({ identifier: i, rank });
  }
  claims.sort((a, b) => {
    if (a.rank !== b.rank) return b.rank - a.rank;
    if ('person' in a && 'person' in b) {
      return (
        Date.parse(a.person.createdAt) - Date.parse(b.person.createdAt) ||
        (a.person.id < b.person.id ? -1 : a.person.id > b.person.id ? 1 : 0) ||
        ((a.via ?? '') < (b.via ?? '') ? -1 : 1)
      );
    }
    if ('person' in a) return -1;
    if ('person' in b) return 1;
    return a.identifier.key < b.identifier.key ? -1 : 1;
  });

  const members: Array<Person & { rank: number; via: string | null }> = [];
  const holds = new Map<string, string>();
  const refusedPeople = new Map<string, string>();
  const pending: Identifier[] = [];
  const unlinked = new Map<string, string>();
  for (const claim of claims) {
    if ('person' in claim) {
      const { person, via } = claim;
      if (members.some((m) => m.id === person.id)) continue;
      const refusedIn = refusedPeople.get(person.id);
      if (refusedIn !== undefined) {
        if (via !== null) unlinked.set(via, refusedIn);
        continue;
      }
      const conflict = uniqueConflict(holds, person.holds ?? [], uniqueNamespaces);
      if (conflict !== null) {
        refusedPeople.set(person.id, conflict);
        if (via !== null) unlinked.set(via, conflict);
        continue;
      }
      members.push({ ...person, rank: claim.rank, via });
      for (const [namespace, key] of holdsOf(person.holds ?? [], uniqueNamespaces)) {
        if (!holds.has(namespace)) holds.set(namespace, key);
      }
    } else {
      const { identifier } = claim;
      const conflict = uniqueConflict(holds, [identifier.key], uniqueNamespaces);
      if (conflict !== null) {
        unlinked.set(identifier.key, conflict);
        continue;
      }
      if (uniqueNamespaces.includes(identifier.namespace)) {
        holds.set(identifier.namespace, identifier.key);
      }
      pending.push(identifier);
    }
  }
  // Sharing: the people each identifier has been seen with, the event's person (with everyone
  // it merges) counting as one.
  const memberIds = new Set(members.map((m) => m.id));
  const EVENT = '\u0000event';
  const distinctWith = (k: KnownIdentifier) =>
    new Set(
      [...k.seenWith, ...k.owners.map((o) => o.id), EVENT].map((id) =>
        memberIds.has(id) ? EVENT : id,
      ),
    ).size;
  const becomesShared = new Set(
    trusted
      .filter((i) => distinctWith(known.get(i.key) as KnownIdentifier) >= sharedThreshold)
      .map((i) => i.key),
  );

  // A shared identifier (or one becoming shared now) claims no one: it is linked to everyone who
  // uses it, unless that would give them two values of a unique namespace.
  const sharedLinks = [...shared, ...trusted.filter((i) => becomesShared.has(i.key))].filter(
    (i) => {
      unlinked.delete(i.key);
      const conflict = uniqueConflict(holds, [i.key], uniqueNamespaces);
      if (conflict !== null) unlinked.set(i.key, conflict);
      else if (uniqueNamespaces.includes(i.namespace)) holds.set(i.namespace, i.key);
      return conflict === null;
    },
  );

  let customerId: string;
  let create: IdentityChanges['create'] = null;
  const merges: PlannedMerge[] = [];
  if (members.length === 0) {
    if (req.mayCreate && (req.customerId !== null || pending.length > 0)) {
      customerId =
        req.customerId ?? personIdFor(strongestIdentifier(pending) as Identifier, req.secret);
      create = { id: customerId, displayName: req.displayName ?? customerId };
    } else {
      const unknown = identifiers.filter((i) => !known.has(i.key));
      const sharedNow = identifiers.filter(
        (i) => known.get(i.key)?.shared || becomesShared.has(i.key),
      );
      if (sharedNow.length > 0 && unknown.length === 0 && refusedPeople.size === 0) {
        const counts = sharedNow.map((i) => distinctWith(known.get(i.key) as KnownIdentifier) - 1);
        const index = identifiers.indexOf(sharedNow[0] as Identifier);
        return {
          code: 'AMBIGUOUS',
          path: `identifiers[${index}]`,
          message: `${names(sharedNow)} ${sharedNow.length === 1 ? 'is' : 'are'} shared by ${Math.max(
            ...counts,
          )} people and cannot tell who this is: send customerId or a personal identifier`,
        };
      }
      if (refusedPeople.size > 0) {
        // The strongest identifiers name no one known, and the known ones name people who hold
        // another value of a unique namespace: this is someone else, not yet known.
        const named = [...unlinked.keys()];
        return {
          code: 'UNKNOWN_REFERENCE',
          path: 'identifiers',
          message: `No customer is known by ${names(pending)}, and ${named.join(', ')} ${named.length === 1 ? 'identifies' : 'identify'} someone holding another ${[...new Set(unlinked.values())].join(', ')}`,
        };
      }
      return {
        code: 'UNKNOWN_REFERENCE',
        path: 'identifiers',
        message: `No customer is known by ${names(identifiers)}`,
      };
    }
  } else {
    const survivor = members[0] as (typeof members)[number];
    customerId = survivor.id;
    for (const p of members.slice(1)) {
      merges.push({ survivorId: survivor.id, absorbedId: p.id, identifierKey: p.via });
    }
  }

  const linked = new Set([...pending, ...sharedLinks].map((i) => i.key));
  const links = identifiers.filter((i) => linked.has(i.key));
  const sightings = identifiers.map((i) => {
    const k = known.get(i.key);
    const seen = [...new Set([...(k?.seenWith ?? []), ...(k?.owners ?? []).map((o) => o.id)])];
    for (const id of [customerId, ...merges.map((m) => m.absorbedId)]) {
      if (!seen.includes(id)) seen.push(id);
    }
    const isShared = (k?.shared ?? false) || becomesShared.has(i.key);
    return {
      key: i.key,
      seenWith: isShared ? seen.slice(0, sharedThreshold) : seen,
      shared: isShared,
    };
  });
  const decided: IdentityChanges = {
    customerId,
    create,
    merges,
    links,
    sightings,
    unlinked: identifiers
      .filter((i) => unlinked.has(i.key))
      .map((i) => {
        const path = pathOf(i.key);
        const namespace = unlinked.get(i.key) as string;
        return { key: i.key, path, namespace, message: unlinkedMessage(path, i.key, namespace) };
      }),
  };
  const refused = identityRefusal(req, decided, {
    broughtBy: members.flatMap((m) => (m.via === null || becomesShared.has(m.via) ? [] : [m.via])),
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
