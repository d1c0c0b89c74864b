import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import pino from 'pino';
import type { Principal } from '@experience-graph/access';
import type { GatewayContext } from './auth';
import { createSubgraphAgent, SignedSubgraphSource } from './subgraph-source';

/** A subgraph that holds every request until told to answer, and counts what it got. */
function heldSubgraph() {
  const bodies: string[] = [];
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(body);
      waiting.push(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { answer: bodies.length } }));
      });
    });
  });
  return { server, bodies, waiting };
}

const ana: Principal = { kind: 'person', id: 'ana', customerId: 'cust-ana' };
const ben: Principal = { kind: 'person', id: 'ben', customerId: 'cust-ben' };

const call = (principal: Principal, query: string, abort = new AbortController()) =>
  ({
    request: { query, variables: { id: 'x' } },
    context: { principal, abort } as unknown as GatewayContext,
  }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;

async function until(condition: () => boolean) {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 20 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('a subgraph source', () => {
  const subgraph = heldSubgraph();
  const agent = createSubgraphAgent();
  let source: SignedSubgraphSource;
  let shared = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
    const { port } = subgraph.server.address() as AddressInfo;
    source = new SignedSubgraphSource({
      name: 'customers',
      url: `http://127.0.0.1:${port}/graphql`,
      secret: 'a-test-signing-secret-of-enough-length',
      agent,
      logger: pino({ level: 'silent' }),
      onShared: () => shared++,
    });
  });
  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => subgraph.server.close(resolve));
  });
  beforeEach(() => {
    subgraph.bodies.length = 0;
    subgraph.waiting.length = 0;
  });
  const answerAll = () => subgraph.waiting.splice(0).forEach((answer) => answer());

  it('sends an identical read of the same principal once while it is in flight, each caller getting its own copy', async () => {
    const query = 'query($id: ID!) { customer(id: $id) { name } }';
    const before = shared;
    const first = source.process(call(ana, query));
    await until(() => subgraph.bodies.length === 1);
    const second = source.process(call(ana, query));
    answerAll();
    const [a, b] = await Promise.all([first, second]);
    expect(subgraph.bodies).toHaveLength(1);
    expect(shared).toBe(before + 1);
    expect(a).toEqual({ data: { answer: 1 } });
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    // Once answered, the same read goes out again.
    const third = source.process(call(ana, query));
    await until(() => subgraph.bodies.length === 2);
    answerAll();
    await expect(third).resolves.toEqual({ data: { answer: 2 } });
  });

  it('never shares between principals, nor a mutation', async () => {
    const read = 'query($id: ID!) { customer(id: $id) { name } }';
    const write = 'mutation($id: ID!) { forget(id: $id) }';
    const calls = [
      source.process(call(ana, read)),
      source.process(call(ben, read)),
      source.process(call(ana, write)),
      source.process(call(ana, write)),
    ];
    await until(() => subgraph.bodies.length === 4);
    answerAll();
    await Promise.all(calls);
    expect(subgraph.bodies).toHaveLength(4);
  });

  it('lets one caller give up without failing the others that share its read', async () => {
    const query = 'query($id: ID!) { device(id: $id) { serial } }';
    const impatient = new AbortController();
    const first = source.process(call(ana, query, impatient));
    await until(() => subgraph.bodies.length === 1);
    const second = source.process(call(ana, query));
    impatient.abort(new Error('past its deadline'));
    await expect(first).rejects.toThrow('past its deadline');
    answerAll();
    await expect(second).resolves.toEqual({ data: { answer: 1 } });
  });
});
