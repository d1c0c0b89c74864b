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
  for (const { type, name, root } of fieldsUsed(schema, document, operation)) {
    if (root) {
      if (FEDERATION_ROOT_FIELDS.has(name)) continue;
      if (!mayUseRootField(principal, operation.operation, name)) {
        return {
          coordinate: `${type}.${name}`,
          message: `${describe(principal)} may not use ${name}`,
        };
      }
    } else if (!mayReadField(principal, type, name)) {
      return {
        coordinate: `${type}.${name}`,
        message: `${describe(principal)} may not read ${type}.${name}`,
      };
    }
  }
  return null;
}

/** A field an operation uses: its object type, its name, whether it is a root field. */
interface FieldUse {
  type: string;
  name: string;
  root: boolean;
}

/**
 * Operations are parsed once and their documents kept by the server (Apollo's document store),
 * so what an operation uses is worked out once per operation and schema, not per request: a
 * walk with type information costs more than the checks themselves.
 */
const usesBySchema = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, FieldUse[]>>();

/** The fields of the operation and then of the document's fragments, in document order. */
function fieldsUsed(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): FieldUse[] {
  let byOperation = usesBySchema.get(schema);
  if (!byOperation) {
    byOperation = new WeakMap();
    usesBySchema.set(schema, byOperation);
  }
  const known = byOperation.get(operation);
  if (known) return known;
  const uses: FieldUse[] = [];
  const rootType = schema.getRootType(operation.operation);
  if (rootType) {
    const typeInfo = new TypeInfo(schema);
    const walk = (node: DocumentNode | OperationDefinitionNode) =>
      visit(
        node,
        visitWithTypeInfo(typeInfo, {
          Field(field) {
            const parent = typeInfo.getParentType();
            if (!parent || !isObjectType(getNamedType(parent))) return;
            const type = getNamedType(parent).name;
            uses.push({ type, name: field.name.value, root: type === rootType.name });
          },
        }),
      );
    walk(operation);
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) walk(definition as never);
    }
  }
  byOperation.set(operation, uses);
  return uses;
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
