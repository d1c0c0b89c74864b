/**
 * Traces (issue 13, item 1): one trace per request, from the gateway through each subgraph fetch
 * to each Neo4j statement; and for an event, from the request that accepted it through the
 * outbox and the relay into the lifecycle workflow and its activities.
 */
// First: tracing must be registered before what it instruments is loaded.
import { finishedSpans, stopTracing } from '../support/tracing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { deviceLifecycleWorkflowId } from '@experience-graph/workflows';
import { eventually, startSystem, uniqueKey, type TestSystem } from '../support/system';

const VIEW = readFileSync(
  path.join(__dirname, '..', '..', 'schema', 'operations', 'customer-view.graphql'),
  'utf8',
);
const SUBGRAPHS = ['products', 'customers', 'campaigns'] as const;

const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const traceId = (span: ReadableSpan) => span.spanContext().traceId;
const inTrace = (trace: string) =>
  finishedSpans.getFinishedSpans().filter((s) => traceId(s) === trace);

/** What a span is, for a failure message: its name, kind, ids and attributes. */
const describeSpan = (s: ReadableSpan) =>
  `${s.name} [${SpanKind[s.kind]}] ${spanId(s)} <- ${s.parentSpanContext?.spanId ?? '-'} ${JSON.stringify(s.attributes)}`;

/** The trace's exported spans once `done` holds of them; fails listing them past the deadline. */
async function traceWhen(
  trace: string,
  done: (spans: ReadableSpan[]) => boolean,
  timeoutMs: number,
): Promise<ReadableSpan[]> {
  try {
    return await eventually(async () => inTrace(trace), done, timeoutMs);
  } catch {
    throw new Error(`The trace is incomplete:\n${inTrace(trace).map(describeSpan).join('\n')}`);
  }
}

/** The spans from `span` up to its trace's root, as far as they were exported. */
function ancestry(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(spans.map((s) => [spanId(s), s]));
  const chain = [span];
  let parent = span.parentSpanContext?.spanId;
  while (parent !== undefined) {
    const next = byId.get(parent);
    if (!next) break;
    chain.push(next);
    parent = next.parentSpanContext?.spanId;
  }
  return chain;
}

const isStatement = (span: ReadableSpan) => span.attributes['db.system.name'] === 'neo4j';
/** The HTTP server span of a request to the given port: one per process a request entered. */
const servedOn = (port: number) => (span: ReadableSpan) =>
  span.kind === SpanKind.SERVER &&
  (span.attributes['net.host.port'] === port || span.attributes['server.port'] === port);

describe('traces through the gateway, the subgraphs, the graph and the workflows', () => {
  let system: TestSystem;
  const run = uniqueKey('trace');
  const id = (name: string) => `${run}-${name}`;
  const sku = id('LJ-200');
  const ana = id('ana');
  const portOf = (name: (typeof SUBGRAPHS)[number]) =>
    Number(new URL(system.subgraphUrls[name]).port);
  const gatewayPort = () => Number(new URL(system.gatewayUrl).port);

  beforeAll(async () => {
    system = await startSystem();
    await system.data(
      `mutation ($m: RegisterProductModelInput!, $c: CreateCampaignInput!, $ana: RegisterCustomerInput!) {
        registerProductModel(input: $m) { sku }
        createCampaign(input: $c) { id }
        ana: registerCustomer(input: $ana) { id }
      }`,
      {
        m: { sku, name: 'LJ-200 inkjet printer' },
        c: {
          id: id('social'),
          name: 'LJ-200 launch',
          channel: 'SOCIAL_AD',
          journeyStage: 'INTERESTED',
          productSku: sku,
        },
        ana: { id: ana, displayName: 'Ana' },
      },
    );
    await system.recordAccepted([
      {
        eventId: id('ad'),
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        adClick: { customerId: ana, campaignId: id('social') },
      },
    ]);
  });

  afterAll(async () => {
    for (const serial of [id('PRN-1')]) {
      await system?.client.workflow
        .getHandle(deviceLifecycleWorkflowId(serial))
        .terminate('test over')
        .catch(() => undefined);
    }
    await system?.graph.write(
      `MATCH (n) WHERE any(key IN ['id', 'sku', 'serial', 'eventId'] WHERE n[key] IS :: STRING AND n[key] CONTAINS $run)
       DETACH DELETE n`,
      { run },
    );
    await system?.stop();
    await stopTracing();
  });

  it('follows a CustomerView from the gateway through each subgraph fetch to its Neo4j statements', async () => {
    finishedSpans.reset();
    const { customer } = await system.data<{ customer: { id: string } | null }>(VIEW, { id: ana });
    expect(customer?.id).toBe(ana);

    const [request] = finishedSpans.getFinishedSpans().filter((s) => s.name === 'gateway.request');
    if (!request) throw new Error('the gateway made no request span');
    const trace = traceId(request);
    // Every subgraph's statements, ended before their responses, are exported by now; waited
    // for all the same, since the last spans of a request end as its response is written.
    const spans = await traceWhen(
      trace,
      (found) =>
        SUBGRAPHS.every((name) =>
          found.some((s) => isStatement(s) && ancestry(s, found).some(servedOn(portOf(name)))),
        ),
      30_000,
    );

    // The gateway served the request and fetched from each subgraph, all in this one trace.
    expect(spans.filter(servedOn(gatewayPort()))).toHaveLength(1);
    const fetched = spans
      .filter((s) => s.name === 'gateway.fetch')
      .map((s) => s.attributes['service'])
      .sort();
    expect(fetched).toEqual([...SUBGRAPHS].sort());
    for (const name of SUBGRAPHS) {
      const served = spans.filter(servedOn(portOf(name)));
      expect(served).toHaveLength(1);
      const [entry] = served;
      if (!entry) continue;
      // The subgraph's request continues the gateway's fetch of it: the signed request still
      // carries the traceparent (undici's client span in between).
      const path = ancestry(entry, spans);
      const fetch = path.find((s) => s.name === 'gateway.fetch');
      expect(fetch?.attributes['service']).toBe(name);
      expect(path.some((s) => s.kind === SpanKind.CLIENT)).toBe(true);
      expect(path.at(-1)).toBe(spans.find(servedOn(gatewayPort())));
      expect(path).toContain(request);
      // Its statements are children of that request, named by operation and database.
      const statements = spans.filter((s) => isStatement(s) && ancestry(s, spans).includes(entry));
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.kind).toBe(SpanKind.CLIENT);
        expect(statement.attributes).toMatchObject({
          'db.system.name': 'neo4j',
          'db.namespace': system.config.neo4j.database,
        });
        expect(statement.name).toBe(
          `${String(statement.attributes['db.operation.name'])} ${system.config.neo4j.database}`,
        );
      }
    }
    // Parameters are never recorded: no attribute anywhere holds the customer's id.
    for (const span of spans) {
      for (const value of Object.values(span.attributes)) {
        expect(JSON.stringify(value)).not.toContain(ana);
      }
    }
  });

  it('follows an event from recordEvents through the outbox and the relay into the workflow and its activities', async () => {
    const serial = id('PRN-1');
    await system.data(
      `mutation ($d: RegisterDeviceInput!) { registerDevice(input: $d) { serial } }`,
      {
        d: { serial, sku },
      },
    );
    finishedSpans.reset();
    await system.recordAccepted([
      {
        eventId: id('buys'),
        occurredAt: new Date(Date.now() - 30_000).toISOString(),
        purchase: {
          customerId: ana,
          serial,
          orderId: id('order-1'),
          amount: 20_000,
          currency: 'USD',
          promisedDeliveryAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
        },
      },
    ]);
    const [request] = finishedSpans.getFinishedSpans().filter((s) => s.name === 'gateway.request');
    if (!request) throw new Error('the gateway made no request span');
    const trace = traceId(request);
    const workflowId = deviceLifecycleWorkflowId(serial);

    // The lifecycle records the stage in an activity: its statements, and the workflow's span
    // of starting it (exported from the sandbox once the workflow has the activity's result).
    const runs = (found: ReadableSpan[]) =>
      found.filter(
        (s) =>
          s.name.startsWith('RunActivity:') && s.attributes['temporalWorkflowId'] === workflowId,
      );
    const spans = await traceWhen(
      trace,
      (found) =>
        found.some(
          (s) => isStatement(s) && ancestry(s, found).some((a) => runs(found).includes(a)),
        ) && runs(found).every((r) => found.some((s) => spanId(s) === r.parentSpanContext?.spanId)),
      60_000,
    );

    // The intake's request owed the signal in the products subgraph...
    const intake = spans.find(servedOn(portOf('products')));
    if (!intake) throw new Error('no products request in the trace');
    expect(ancestry(intake, spans)).toContain(request);
    // ...and the relay's delivery continues that request's trace, as its child.
    const delivery = spans.find(
      (s) =>
        s.name === 'deliver deviceLifecycle' && s.attributes['temporalWorkflowId'] === workflowId,
    );
    if (!delivery) throw new Error('no relay delivery in the trace');
    expect(delivery.kind).toBe(SpanKind.CONSUMER);
    expect(ancestry(delivery, spans)).toContain(intake);
    expect(delivery.links.map((l) => l.context.traceId)).toContain(trace);
    // Around its signalWithStart, Temporal's client interceptor...
    const signalled = spans.find(
      (s) =>
        s.name === 'SignalWithStartWorkflow:deviceLifecycle' &&
        s.attributes['temporalWorkflowId'] === workflowId,
    );
    if (!signalled) throw new Error('no signalWithStart in the trace');
    expect(signalled.parentSpanContext?.spanId).toBe(spanId(delivery));
    // ...put the trace in the workflow: its spans (from the sandbox) start the activities, whose
    // executions on the worker run the statements.
    const activities = runs(spans);
    expect(activities.length).toBeGreaterThan(0);
    for (const activity of activities) {
      const started = spans.find((s) => spanId(s) === activity.parentSpanContext?.spanId);
      expect(started?.name).toBe(activity.name.replace('RunActivity:', 'StartActivity:'));
      expect(started?.attributes['temporalWorkflowId']).toBe(workflowId);
    }
    const recorded = spans.filter(
      (s) => isStatement(s) && ancestry(s, spans).some((a) => activities.includes(a)),
    );
    expect(recorded.length).toBeGreaterThan(0);
  });
});
