import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { eventBatches, operationCost, RateLimiter, usesIntrospection } from './limits';

const schema = buildSchema(`
  type Query { items(first: Int, ids: [ID!]): [Item!]! item(id: ID!): Item groups(ids: [[ID!]!]): Int }
  type Item { id: ID! name: String }
  input EventInput { id: ID! readings: [Int!] }
  type Mutation { recordEvents(events: [EventInput!]!): Int! other: Int }
`);

const operationOf = (source: string) => {
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  );
  if (!operation) throw new Error('no operation');
  return { document, operation };
};

describe('eventBatches', () => {
  it('counts each response key of recordEvents once, through fragments, with its batch size', () => {
    const { document, operation } = operationOf(`
      mutation ($e: [EventInput!]!) { ...F b: recordEvents(events: [{ id: "1" }, { id: "2" }]) }
      fragment F on Mutation { recordEvents(events: $e) recordEvents(events: $e) }`);
    expect(eventBatches(document, operation, { e: [{}, {}, {}] })).toEqual([
      { responseKey: 'recordEvents', events: 3 },
      { responseKey: 'b', events: 2 },
    ]);
  });

  it('counts a single object as a batch of one, and ignores queries', () => {
    const single = operationOf('mutation ($e: [EventInput!]!) { recordEvents(events: $e) }');
    expect(eventBatches(single.document, single.operation, { e: { id: '1' } })).toEqual([
      { responseKey: 'recordEvents', events: 1 },
    ]);
    const query = operationOf('{ item(id: "1") { id } }');
    expect(eventBatches(query.document, query.operation, {})).toEqual([]);
  });
});

describe('operationCost', () => {
  const cost = (source: string, variables: Record<string, unknown> = {}) => {
    const { document, operation } = operationOf(source);
    return operationCost(schema, document, operation, variables);
  };

  it('multiplies by first whether it is written inline or sent in a variable', () => {
    const inline = cost('{ items(first: 100) { id name } }');
    const variable = cost('query ($n: Int) { items(first: $n) { id name } }', { n: 100 });
    expect(inline).toBe(variable);
    expect(variable).toBeGreaterThan(cost('{ items(first: 1) { id name } }') * 50);
  });

  it('adds every item of a list argument, in variables and nested lists too', () => {
    const base = cost('mutation ($e: [EventInput!]!) { recordEvents(events: $e) }', { e: [] });
    const many = cost('mutation ($e: [EventInput!]!) { recordEvents(events: $e) }', {
      e: Array.from({ length: 10_000 }, (_, i) => ({ id: String(i) })),
    });
    expect(many - base).toBe(10_000);
    const flat = cost('query ($g: [[ID!]!]) { groups(ids: $g) }', { g: [] });
    const nested = cost('query ($g: [[ID!]!]) { groups(ids: $g) }', { g: [['1', '2', '3']] });
    expect(nested - flat).toBe(4);
  });

  it('counts an event batch by its events: what they nest is capped by the intake', () => {
    const base = cost('mutation ($e: [EventInput!]!) { recordEvents(events: $e) }', { e: [] });
    // The largest batch the intake takes: 500 events, 50,000 readings.
    const backfill = cost('mutation ($e: [EventInput!]!) { recordEvents(events: $e) }', {
      e: Array.from({ length: 500 }, (_, i) => ({
        id: String(i),
        readings: Array.from({ length: 100 }, (_, j) => j),
      })),
    });
    expect(backfill - base).toBe(500);
  });

  it('leaves introspection out', () => {
    expect(cost('{ __schema { types { name } } }')).toBe(0);
  });
});

describe('usesIntrospection', () => {
  it('finds __schema and __type in fragments, and not __typename', () => {
    const viaFragment = operationOf(
      '{ ...F } fragment F on Query { __type(name: "Item") { name } }',
    );
    expect(usesIntrospection(viaFragment.document, viaFragment.operation)).toBe(true);
    const typename = operationOf('{ __typename item(id: "1") { __typename } }');
    expect(usesIntrospection(typename.document, typename.operation)).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('allows the limit per principal and window, then says when to come back', () => {
    let now = 60_000 * 10 + 15_000;
    const limiter = new RateLimiter({ requests: 2, events: 5, windowSeconds: 60 }, () => now);
    expect(limiter.request('a')).toEqual({ ok: true });
    expect(limiter.request('a')).toEqual({ ok: true });
    expect(limiter.request('a')).toEqual({
      ok: false,
      retryAfterSeconds: 45,
      limit: '2 requests per 60 s',
    });
    expect(limiter.request('b')).toEqual({ ok: true });
    expect(limiter.events('a', 4)).toEqual({ ok: true });
    expect(limiter.events('a', 2)).toMatchObject({ ok: false });
    expect(limiter.events('a', 1)).toEqual({ ok: true });
    now += 45_000;
    expect(limiter.request('a')).toEqual({ ok: true });
    expect(limiter.events('a', 5)).toEqual({ ok: true });
  });
});
