/**
 * Checks one GraphQL operation against the rights table and the field rules, for the gateway (on
 * the supergraph's API schema) and again for each subgraph (on its own schema, where `_entities`
 * selections are checked like any other field).
 */
import {
  getNamedType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { mayReadField } from './fields';
import { principalKey, type Principal } from './principal';
import { mayUseRootField, rightsOf } from './rights';

/** Why an operation was refused: what the principal may not use, and where. */
export interface Refusal {
  message: string;
  /** `Query.customer`, `Device.owner`, ... */
  coordinate: string;
}

/** Root fields federation adds to a subgraph, which only the (signed) gateway calls. */
const FEDERATION_ROOT_FIELDS = new Set(['_entities', '_service']);

/**
 * The first field of the operation the principal may not use, or null. Fragments are followed;
 * every field of the document counts, whether a directive would skip it or not.
 */
export function refusalOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  principal: Principal,
): Refusal | null {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const who = describe(principal);
  let refusal: Refusal | null = null;
  const typeInfo = new TypeInfo(schema);
  const check = (node: DocumentNode | OperationDefinitionNode) =>
    visit(
      node,
      visitWithTypeInfo(typeInfo, {
        Field(field) {
          if (refusal) return false;
          const parent = typeInfo.getParentType();
          if (!parent || !isObjectType(getNamedType(parent))) return undefined;
          const type = getNamedType(parent).name;
          const name = field.name.value;
          if (type === rootType.name) {
            if (FEDERATION_ROOT_FIELDS.has(name)) return undefined;
            if (!mayUseRootField(principal, operation.operation, name)) {
              refusal = {
                coordinate: `${type}.${name}`,
                message: `${who} may not use ${name}`,
              };
              return false;
            }
            return undefined;
          }
          if (!mayReadField(principal, type, name)) {
            refusal = {
              coordinate: `${type}.${name}`,
              message: `${who} may not read ${type}.${name}`,
            };
            return false;
          }
          return undefined;
        },
      }),
    );
  check(operation);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) check(definition as never);
  }
  return refusal;
}

/** How a refusal names the principal: by kind and role, never by key or token. */
export function describe(principal: Principal): string {
  switch (principal.kind) {
    case 'partner':
      return `Partner ${principal.id} (${principal.role})`;
    case 'employee':
      return `Employee ${principal.id} (${rightsOf(principal).describe})`;
    case 'person':
      return 'A person using the app';
    case 'service':
      return `Service ${principalKey(principal)}`;
  }
}
