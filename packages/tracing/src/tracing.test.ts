import { execFileSync, spawnSync } from 'node:child_process';
import { context, SpanKind, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import {
  continueStoredTraces,
  currentTraceparent,
  cypherOperation,
  loadTracingConfig,
  traceStatement,
  TracingConfigError,
} from './index';
import { workflowReadableSpan } from './temporal';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = trace.getTracer('test');

afterEach(() => exporter.reset());
afterAll(() => provider.shutdown());

/** Runs `work` in a span of its own, which ends after it. */
const inSpan = <T>(name: string, work: () => Promise<T>) =>
  tracer.startActiveSpan(name, async (span) => {
    try {
      return await work();
    } finally {
      span.end();
    }
  });
const spanNamed = (name: string): ReadableSpan => {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name}`);
  return span;
};

describe('loadTracingConfig', () => {
  it('is off by default, and exports to the local OTLP endpoint once asked', () => {
    expect(loadTracingConfig({})).toEqual({
      exporter: 'none',
      otlp: { url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf' },
      serviceName: null,
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
    expect(
      loadTracingConfig({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'gateway-eu',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toEqual({
      exporter: 'otlp',
      otlp: { url: 'http://collector:4318/v1/traces', protocol: 'http/json' },
      serviceName: 'gateway-eu',
      sampler: { name: 'parentbased_traceidratio', ratio: 0.25 },
    });
  });

  it('takes the traces endpoint and protocol as given, and OTEL_SDK_DISABLED turns it all off', () => {
    const config = loadTracingConfig({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    });
    expect(config.otlp).toEqual({
      url: 'https://traces.example.com/ingest',
      protocol: 'http/json',
    });
    expect(
      loadTracingConfig({ OTEL_TRACES_EXPORTER: 'console', OTEL_SDK_DISABLED: 'true' }).exporter,
    ).toBe('none');
  });

  it('names every variable it refuses, and ignores empty ones', () => {
    expect(loadTracingConfig({ OTEL_TRACES_EXPORTER: '' }).exporter).toBe('none');
    let error: unknown;
    try {
      loadTracingConfig({
        OTEL_TRACES_EXPORTER: 'jaeger',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
        OTEL_TRACES_SAMPLER_ARG: '2',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TracingConfigError);
    const problems = (error as TracingConfigError).problems.join('\n');
    expect(problems).toMatch(/OTEL_TRACES_EXPORTER: must be one of none, otlp, console.*"jaeger"/);
    expect(problems).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json/);
    expect(problems).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(problems).toMatch(/OTEL_TRACES_SAMPLER_ARG: must be between 0 and 1/);
  });
});

describe('statement spans', () => {
  it('names a statement by its first clause', () => {
    expect(cypherOperation('\n  MATCH (n) RETURN n')).toBe('MATCH');
    expect(cypherOperation('// the queue first\nunwind $rows AS row MERGE (n {id: row.id})')).toBe(
      'UNWIND',
    );
    expect(cypherOperation('CYPHER replan=skip\nCALL () { MATCH (n) RETURN n } RETURN 1')).toBe(
      'CALL',
    );
    expect(cypherOperation('/* owed */ optional  match (s:OwedSignal) RETURN s')).toBe(
      'OPTIONAL MATCH',
    );
    expect(cypherOperation('')).toBe('CYPHER');
  });

  it('traces a statement inside a trace, with its text and never its parameters', async () => {
    const rows = await inSpan('request', () =>
      traceStatement(
        'neo4j',
        { cypher: 'MATCH (c:Customer {id: $id}) RETURN c', mode: 'read' },
        async () => ['row'],
      ),
    );
    expect(rows).toEqual(['row']);
    const statement = spanNamed('MATCH neo4j');
    expect(statement.kind).toBe(SpanKind.CLIENT);
    expect(statement.parentSpanContext?.spanId).toBe(spanNamed('request').spanContext().spanId);
    expect(statement.attributes).toEqual({
      'db.system.name': 'neo4j',
      'db.system': 'neo4j',
      'db.namespace': 'neo4j',
      'db.operation.name': 'MATCH',
      'db.query.text': 'MATCH (c:Customer {id: $id}) RETURN c',
      'db.neo4j.mode': 'read',
    });
  });

  it('records a failure by its code, not by its message, which may hold values', async () => {
    const failure = Object.assign(new Error('Node already exists with email = ana@example.com'), {
      code: 'Neo.ClientError.Schema.ConstraintValidationFailed',
    });
    await expect(
      inSpan('request', () =>
        traceStatement('neo4j', { cypher: 'CREATE (c:Customer)', mode: 'write' }, () =>
          Promise.reject(failure),
        ),
      ),
    ).rejects.toBe(failure);
    const statement = spanNamed('CREATE neo4j');
    expect(statement.status).toEqual({ code: 2 });
    expect(statement.attributes['error.type']).toBe(
      'Neo.ClientError.Schema.ConstraintValidationFailed',
    );
    const { attributes, status, events } = statement;
    expect(JSON.stringify({ attributes, status, events })).not.toContain('ana@example.com');
  });

  it('starts no trace of its own: a statement outside any is not traced', async () => {
    await traceStatement('neo4j', { cypher: 'MATCH (n) RETURN n', mode: 'read' }, async () => 1);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('trace context kept for later', () => {
  it('is the traceparent of the active span, and null outside any', async () => {
    expect(currentTraceparent()).toBeNull();
    const stored = await inSpan('request', async () => currentTraceparent());
    const request = spanNamed('request').spanContext();
    expect(stored).toBe(`00-${request.traceId}-${request.spanId}-01`);
  });

  it('is continued as the child of the first stored context, linked to all of them', async () => {
    const first = await inSpan('first', async () => currentTraceparent());
    const second = await inSpan('second', async () => currentTraceparent());
    const active = await continueStoredTraces(
      'deliver deviceLifecycle',
      [null, first, 'not a traceparent', second],
      { 'messaging.batch.message_count': 4 },
      async () => trace.getSpan(context.active())?.spanContext(),
    );
    const delivery = spanNamed('deliver deviceLifecycle');
    expect(active?.spanId).toBe(delivery.spanContext().spanId);
    expect(delivery.kind).toBe(SpanKind.CONSUMER);
    expect(delivery.spanContext().traceId).toBe(spanNamed('first').spanContext().traceId);
    expect(delivery.parentSpanContext?.spanId).toBe(spanNamed('first').spanContext().spanId);
    expect(delivery.links.map((l) => l.context.spanId)).toEqual([
      spanNamed('first').spanContext().spanId,
      spanNamed('second').spanContext().spanId,
    ]);
    // Nothing stored: the work just runs, untraced.
    exporter.reset();
    await expect(continueStoredTraces('deliver', [null], {}, async () => 'done')).resolves.toBe(
      'done',
    );
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('workflow spans from the sandbox', () => {
  it('are converted to what the OTLP exporters read, with their parent and scope', () => {
    // As the interceptors' 1.x sandbox serialises a span.
    const serialised: SerializableSpan = {
      name: 'StartActivity:recordDeviceState',
      kind: SpanKind.INTERNAL,
      spanContext: {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
        traceState: 'vendor=value',
      },
      parentSpanId: '00f067aa0ba902b7',
      startTime: [1_700_000_000, 0],
      endTime: [1_700_000_001, 0],
      status: { code: 0 },
      attributes: { temporalWorkflowId: 'device:PRN-1' },
      links: [],
      events: [],
      duration: [1, 0],
      ended: true,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
    };
    const resource = resourceFromAttributes({ 'service.name': 'worker' });
    const span = workflowReadableSpan(
      serialised,
      {
        workflowId: 'device:PRN-1',
        runId: 'run-1',
        workflowType: 'deviceLifecycle',
        taskQueue: 'q',
      },
      resource,
    );
    // Serialised as the OTLP/JSON exporter serialises what it sends.
    const body = new TextDecoder().decode(JsonTraceSerializer.serializeRequest([span]));
    const request = JSON.parse(body) as {
      resourceSpans: Array<{
        scopeSpans: Array<{
          scope: { name: string };
          spans: Array<{ parentSpanId: string; traceState: string; attributes: unknown[] }>;
        }>;
      }>;
    };
    const [scopeSpans] = request.resourceSpans[0]?.scopeSpans ?? [];
    expect(scopeSpans?.scope.name).toBe('@temporalio/interceptor-workflow');
    expect(scopeSpans?.spans[0]).toMatchObject({
      parentSpanId: '00f067aa0ba902b7',
      traceState: 'vendor=value',
    });
    expect(scopeSpans?.spans[0]?.attributes).toContainEqual({
      key: 'temporalRunId',
      value: { stringValue: 'run-1' },
    });
  });
});

describe('registering tracing', () => {
  it('with tracing off loads no SDK and patches nothing', () => {
    const probe = `
      require(${JSON.stringify(require.resolve('@experience-graph/tracing/register'))});
      const loaded = Object.keys(require.cache).filter((p) => p.includes('@opentelemetry/sdk-trace'));
      const http = require('node:http');
      console.log(JSON.stringify({ loaded, patched: '__wrapped' in http.request }));`;
    const out = execFileSync(process.execPath, ['-e', probe], {
      env: { PATH: process.env['PATH'] ?? '' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ loaded: [], patched: false });
  });

  it('with an exporter patches http and graphql, loaded after it', () => {
    const probe = `
      require(${JSON.stringify(require.resolve('@experience-graph/tracing/register'))});
      const http = require('node:http');
      const { parse } = require('graphql');
      console.log(JSON.stringify({ patched: '__wrapped' in http.request && '__wrapped' in parse }));`;
    const probed = spawnSync(process.execPath, ['-e', probe], {
      env: { PATH: process.env['PATH'] ?? '', OTEL_TRACES_EXPORTER: 'console' },
      encoding: 'utf8',
    });
    // The SDK warns of each module it may not instrument because it came first: none may.
    expect(probed.stderr).not.toMatch(/has been loaded before/);
    expect(JSON.parse(probed.stdout)).toEqual({ patched: true });
  });
});
