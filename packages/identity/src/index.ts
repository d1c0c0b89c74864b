/**
 * Identity resolution: identifiers in namespaces, the rules that resolve an event to a person
 * and merge people, and the Cypher that records and undoes merges.
 */
export * from './identifiers';
export * from './identity-rules';
export * from './identity-repository';
export * from './identity-service';
