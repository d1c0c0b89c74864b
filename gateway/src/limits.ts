/**
 * Limits a client cannot multiply or dodge: one event batch per request, the batch size counted
 * per request, an operation cost that counts the lists passed in variables, and a rate per
 * principal for requests and for events.
 */
import {
  getNamedType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** The batch a request may send through `recordEvents` (the intake's own cap, checked first here). */
export const MAX_EVENTS_PER_REQUEST = 500;

/** The weights of armor's cost analysis, which this one extends with variables and list arguments. */
export const COST_WEIGHTS = { objectCost: 2, scalarCost: 1, depthCostFactor: 1.5 } as const;

type Variables = Record<string, unknown> | undefined;

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  return fragments;
}

/** The fields of a selection set with fragments flattened (fragment cycles fail validation first). */
function fieldsOf(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string> = new Set(),
): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      return fieldsOf(selection.selectionSet, fragments, seen);
    }
    const name = selection.name.value;
    const fragment = fragments.get(name);
    if (!fragment || seen.has(name)) return [];
    return fieldsOf(fragment.selectionSet, fragments, new Set([...seen, name]));
  });
}

/** The value of an argument with its variables filled in, as the client sent it. */
export function valueOf(node: ValueNode, variables: Variables): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    case Kind.LIST:
      return node.values.map((v) => valueOf(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(
        node.fields.map((f) => [f.name.value, valueOf(f.value, variables)]),
      );
    case Kind.NULL:
      return null;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
  }
}

/** Every `recordEvents` the operation would run, by response key, with the batch it sends. */
export function eventBatches(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
): Array<{ responseKey: string; events: number }> {
  if (operation.operation !== 'mutation') return [];
  const batches = new Map<string, number>();
  for (const field of fieldsOf(operation.selectionSet, fragmentsOf(document))) {
    if (field.name.value !== 'recordEvents') continue;
    const argument = field.arguments?.find((a) => a.name.value === 'events');
    const value = argument ? valueOf(argument.value, variables) : undefined;
    // A single object where a list is expected is coerced to a list of one.
    const events = Array.isArray(value) ? value.length : value == null ? 0 : 1;
    // Fields with one response key execute once (validation makes their arguments equal).
    const key = field.alias?.value ?? field.name.value;
    batches.set(key, Math.max(batches.get(key) ?? 0, events));
  }
  return [...batches].map(([responseKey, events]) => ({ responseKey, events }));
}

/** Every list item in a value, at every depth: what a list passed as an argument asks to process. */
function listItems(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, item) => n + 1 + listItems(item), 0);
  if (value !== null && typeof value === 'object') {
    return Object.values(value).reduce<number>((n, item) => n + listItems(item), 0);
  }
  return 0;
}

/**
 * The cost of an operation: armor's formula (objects 2, scalars 1, each level 1.5 times deeper,
 * multiplied by `first`/`last`) with two gaps closed: `first`/`last` count when they come in
 * variables too, and every item of a list passed as an argument (a 10,000-event variable, a list
 * of ids, nested lists) adds to the cost, whether written inline or sent in variables. An event
 * batch counts one per event (see MAX_READINGS_PER_BATCH for what its events may nest).
 * Introspection costs nothing, as in armor.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
): number {
  const fragments = fragmentsOf(document);
  const root = schema.getRootType(operation.operation);
  const costOf = (
    selectionSet: SelectionSetNode,
    parent: GraphQLObjectType | undefined,
    seen: Set<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        const type = typeName ? schema.getType(typeName) : parent;
        total +=
          COST_WEIGHTS.depthCostFactor *
          costOf(selection.selectionSet, isObjectType(type) ? type : undefined, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        total +=
          COST_WEIGHTS.depthCostFactor *
          costOf(
            fragment.selectionSet,
            isObjectType(type) ? type : undefined,
            new Set([...seen, name]),
          );
        continue;
      }
      if (selection.name.value === '__schema' || selection.name.value === '__type') continue;
      const definition: GraphQLField<unknown, unknown> | undefined =
        parent?.getFields()[selection.name.value];
      let inputs = 0;
      let multiplier = 1;
      const batch = parent === schema.getMutationType() && selection.name.value === 'recordEvents';
      for (const argument of selection.arguments ?? []) {
        const value = valueOf(argument.value, variables);
        // An event batch counts its events: what they nest (telemetry readings, identifiers) is
        // capped by the intake's own limits, per event and per batch, checked before any work.
        inputs += batch && Array.isArray(value) ? value.length : listItems(value);
        const name = argument.name.value;
        if ((name === 'first' || name === 'last') && typeof value === 'number') {
          multiplier = Math.max(multiplier, Math.floor(value));
        }
      }
      let cost: number = COST_WEIGHTS.scalarCost;
      if (selection.selectionSet) {
        const type = definition ? getNamedType(definition.type) : undefined;
        const child = isObjectType(type) ? type : undefined;
        cost =
          COST_WEIGHTS.objectCost +
          COST_WEIGHTS.depthCostFactor * costOf(selection.selectionSet, child, seen);
        cost *= multiplier;
      }
      total += cost + inputs * COST_WEIGHTS.scalarCost;
    }
    return total;
  };
  return costOf(operation.selectionSet, root ?? undefined, new Set());
}

/** Whether an operation asks about the schema itself (`__schema` or `__type`, in any fragment). */
export function usesIntrospection(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  const fragments = fragmentsOf(document);
  const walk = (selectionSet: SelectionSetNode, seen: Set<string>): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') return true;
        return selection.selectionSet ? walk(selection.selectionSet, seen) : false;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return walk(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(selection.name.value)) return false;
      return walk(fragment.selectionSet, new Set([...seen, selection.name.value]));
    });
  return walk(operation.selectionSet, new Set());
}

/** What a rate limit answers: allowed, or refused with when to try again. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number; limit: string };

interface Window {
  start: number;
  requests: number;
  events: number;
}

/**
 * A fixed-window rate limit per principal, in memory: each principal may send `requests`
 * requests and `events` events per window. One gateway process keeps its own counts; several
 * instances behind a balancer each allow the limit (see the README).
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;

  constructor(
    private readonly limits: { requests: number; events: number; windowSeconds: number },
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = limits.windowSeconds * 1000;
  }

  private windowOf(key: string): Window {
    const now = this.now();
    const start = now - (now % this.windowMs);
    let window = this.windows.get(key);
    if (!window || window.start !== start) {
      if (this.windows.size > 10_000) this.sweep(start);
      window = { start, requests: 0, events: 0 };
      this.windows.set(key, window);
    }
    return window;
  }

  private sweep(current: number): void {
    for (const [key, window] of this.windows) {
      if (window.start !== current) this.windows.delete(key);
    }
  }

  private refuse(window: Window, limit: string): RateDecision {
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil((window.start + this.windowMs - this.now()) / 1000),
    );
    return { ok: false, retryAfterSeconds, limit };
  }

  /** Counts one request of a principal; refused once the window's requests are used up. */
  request(key: string): RateDecision {
    const window = this.windowOf(key);
    if (window.requests >= this.limits.requests) {
      return this.refuse(
        window,
        `${this.limits.requests} requests per ${this.limits.windowSeconds} s`,
      );
    }
    window.requests += 1;
    return { ok: true };
  }

  /** Counts a batch of events; a batch that would pass the window's events is refused whole. */
  events(key: string, count: number): RateDecision {
    const window = this.windowOf(key);
    if (window.events + count > this.limits.events) {
      return this.refuse(window, `${this.limits.events} events per ${this.limits.windowSeconds} s`);
    }
    window.events += count;
    return { ok: true };
  }
}
