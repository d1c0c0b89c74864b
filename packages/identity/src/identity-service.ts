import type { Graph } from '@experience-graph/neo4j';
import type { Identifier } from './identifiers';
import { createIdentityRepository } from './identity-repository';
import {
  resolveIdentity,
  type IdentityChanges,
  type IdentityRejection,
  type ResolutionRequest,
} from './identity-rules';

/** How identifiers resolve; see IDENTITY_SHARED_THRESHOLD. */
export interface IdentityOptions {
  sharedThreshold: number;
  /** Keys the ids of people created from identifiers (IDENTITY_SECRET). */
  secret: string;
  /** Namespaces a person holds at most one value of (IDENTITY_UNIQUE_NAMESPACES). */
  uniqueNamespaces: readonly string[];
}

/** Who an event is about, as its sender named them. */
export type EventPerson = Pick<
  ResolutionRequest,
  'field' | 'mayCreate' | 'customerId' | 'identifiers' | 'displayName' | 'rights'
>;

/**
 * Identity resolution for the event intake: read what the graph knows, decide with the pure
 * rules, and later apply the decision once the event is accepted.
 */
export function createIdentityService(graph: Graph, options: IdentityOptions) {
  const repo = createIdentityRepository(graph, { uniqueNamespaces: options.uniqueNamespaces });
  return {
    repository: repo,

    /** The person each id names now: absorbed people give their survivor; unknown ids are absent. */
    async canonicalIds(ids: readonly string[]): Promise<Map<string, string>> {
      const people = await repo.canonicalPeople(ids);
      return new Map([...people].map(([id, p]) => [id, p.id]));
    },

    /** Decides who the event is about; reads only. */
    async resolve(person: EventPerson): Promise<IdentityRejection | IdentityChanges> {
      const [people, known] = await Promise.all([
        person.customerId === null
          ? Promise.resolve(new Map())
          : repo.canonicalPeople([person.customerId]),
        repo.knownIdentifiers(person.identifiers.map((i: Identifier) => i.key)),
      ]);
      return resolveIdentity({
        ...person,
        customer: person.customerId === null ? null : (people.get(person.customerId) ?? null),
        known,
        sharedThreshold: options.sharedThreshold,
        uniqueNamespaces: options.uniqueNamespaces,
        secret: options.secret,
      });
    },

    /** Applies an accepted event's identity changes; see IdentityRepository.apply. */
    apply: repo.apply,
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
