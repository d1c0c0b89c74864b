import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isObjectType,
  print,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** One field asked of an object, as its resolver will see it. */
export interface SelectedField {
  /** Its arguments with defaults and variables applied; unparsed (resolvers validate them). */
  args: Record<string, unknown>;
  /** The names of the fields asked of its value (one level down; fragments included). */
  fields: ReadonlySet<string>;
}

/**
 * The fields the current operation asks of the `typeName` object a resolver returns, by field
 * name, with their arguments: what a repository needs to read everything a selection wants in
 * one statement. Fragments (inline or named) apply when they name the type or none; `@skip` and
 * `@include` are honoured. A field asked twice under aliases with different arguments keeps the
 * first occurrence's; its other occurrences are resolved as usual by their own resolvers.
 */
export function selectedFields(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'schema' | 'variableValues'>,
  typeName: string,
): Map<string, SelectedField> {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type of the schema`);
  const definitions = type.getFields();
  const nodes = new Map<string, FieldNode[]>();
  // `on` null: below the object, where any fragment counts (only names are collected there).
  const visit = (
    set: SelectionSetNode | undefined,
    into: Map<string, FieldNode[]>,
    on: string | null,
  ) => {
    for (const selection of set?.selections ?? []) {
      if (!included(selection, info.variableValues)) continue;
      if (selection.kind === 'Field') {
        const name = selection.name.value;
        into.set(name, [...(into.get(name) ?? []), selection]);
      } else if (selection.kind === 'InlineFragment') {
        const condition = selection.typeCondition?.name.value;
        if (on === null || condition === undefined || condition === on) {
          visit(selection.selectionSet, into, on);
        }
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment && (on === null || fragment.typeCondition.name.value === on)) {
          visit(fragment.selectionSet, into, on);
        }
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, nodes, typeName);

  const selected = new Map<string, SelectedField>();
  for (const [name, [first, ...others]] of nodes) {
    const definition = definitions[name];
    if (!first || !definition) continue;
    const args = getArgumentValues(definition, first, info.variableValues);
    const below = new Map<string, FieldNode[]>();
    // Sub-fields of every occurrence with the same arguments (GraphQL merges them).
    for (const node of [first, ...others.filter((o) => sameArguments(o, first))]) {
      visit(node.selectionSet, below, null);
    }
    selected.set(name, { args, fields: new Set(below.keys()) });
  }
  return selected;
}

function included(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: Record<string, unknown>,
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.['if'] !== false;
}

const printedArguments = (node: FieldNode) => (node.arguments ?? []).map((a) => print(a)).join(',');
const sameArguments = (a: FieldNode, b: FieldNode) => printedArguments(a) === printedArguments(b);
