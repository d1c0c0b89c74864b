/**
 * Tracing as the processes run it: the built gateway (gateway/dist/main.js, CommonJS) started
 * with OTEL_TRACES_EXPORTER=otlp, registering tracing by its first import, exports its spans
 * over OTLP/HTTP (JSON) to a receiver in this test, with the official instrumentations of http,
 * express, graphql and undici and the gateway's own spans, and its subgraph request carries the
 * trace on. The in-process test (tracing.e2e.test.ts) cannot see express and graphql, which
 * Jest loads past the instrumentations' hooks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eventually } from '@experience-graph/test-kit';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}
interface Exported {
  service: string;
  scope: string;
  span: OtlpSpan;
}
interface OtlpRequest {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

/** A server on a free loopback port that hands each request's headers and body to `handle`. */
async function serve(
  handle: (request: http.IncomingMessage, body: string, response: http.ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => handle(request, body, response));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('tracing in the built gateway process', () => {
  const exported: Exported[] = [];
  const traceparents: string[] = [];
  let receiver: Awaited<ReturnType<typeof serve>>;
  let subgraph: Awaited<ReturnType<typeof serve>>;
  let gateway: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    // The OTLP receiver: what a collector or Jaeger would get, as OTLP/JSON.
    receiver = await serve((request, body, response) => {
      if (request.url === '/v1/traces') {
        const parsed = JSON.parse(body) as OtlpRequest;
        for (const resourceSpans of parsed.resourceSpans) {
          const service =
            resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value
              .stringValue ?? '';
          for (const scopeSpans of resourceSpans.scopeSpans) {
            for (const span of scopeSpans.spans) {
              exported.push({ service, scope: scopeSpans.scope.name, span });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    // Stands in for every subgraph: notes the trace context it is called with.
    subgraph = await serve((request, _body, response) => {
      const traceparent = request.headers['traceparent'];
      if (typeof traceparent === 'string') traceparents.push(traceparent);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: { customer: null } }));
    });
  });

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      gateway.kill('SIGKILL');
      await once(gateway, 'exit');
    }
    await subgraph?.close();
    await receiver?.close();
  });

  it('exports one trace from the gateway request through its subgraph fetch, over OTLP', async () => {
    const main = path.join(__dirname, '..', '..', 'gateway', 'dist', 'main.js');
    gateway = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        GATEWAY_METRICS_PORT: '0',
        PRODUCTS_URL: `${subgraph.url}/graphql`,
        CUSTOMERS_URL: `${subgraph.url}/graphql`,
        CAMPAIGNS_URL: `${subgraph.url}/graphql`,
        LOG_LEVEL: 'info',
        NODE_ENV: 'development',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await eventually(
      async () => /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(output)?.[1],
      (found) => found !== undefined,
      60_000,
    ).catch(() => {
      throw new Error(`The gateway did not start:\n${output}`);
    });

    const response = await fetch(url ?? '', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer experience-graph-local-key',
      },
      body: JSON.stringify({ query: 'query Traced { customer(id: "nobody") { id } }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { customer: null } });

    // Batched for 5 s by default; stopping the gateway flushes what is left.
    gateway.kill('SIGTERM');
    await once(gateway, 'exit');
    const spans = await eventually(
      async () => exported,
      (found) => found.some((e) => e.span.name === 'gateway.request'),
      30_000,
    ).catch(() => {
      throw new Error(`No gateway span was exported:\n${output}`);
    });

    const request = spans.find((e) => e.span.name === 'gateway.request');
    const trace = request?.span.traceId;
    const ofTrace = spans.filter((e) => e.span.traceId === trace);
    expect(new Set(ofTrace.map((e) => e.service))).toEqual(new Set(['gateway']));
    // Each official instrumentation saw its part of the request, and the gateway its own.
    const scopes = new Set(ofTrace.map((e) => e.scope));
    for (const scope of [
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-express',
      '@opentelemetry/instrumentation-graphql',
      '@opentelemetry/instrumentation-undici',
      'apollo/gateway-js',
    ]) {
      expect(scopes).toContain(scope);
    }
    // The subgraph was called within this trace, by the undici span of the gateway's fetch.
    const fetched = ofTrace.find((e) => e.span.name === 'gateway.fetch');
    const client = ofTrace.find(
      (e) =>
        e.scope === '@opentelemetry/instrumentation-undici' &&
        e.span.parentSpanId === fetched?.span.spanId,
    );
    expect(client).toBeDefined();
    expect(traceparents).toContain(`00-${trace}-${client?.span.spanId}-01`);
    // The servers' start-up parsing is no trace of its own: GraphQL spans belong to requests.
    expect(
      spans.filter(
        (e) => e.scope === '@opentelemetry/instrumentation-graphql' && !e.span.parentSpanId,
      ),
    ).toEqual([]);
    // Health checks are not traced.
    expect(ofTrace.every((e) => !JSON.stringify(e.span.attributes).includes('/health'))).toBe(true);
  });
});
