/**
 * The OpenTelemetry SDK for one process: a Node tracer provider (AsyncLocalStorage context, W3C
 * trace-context and baggage propagation), the exporter the configuration names, and the official
 * instrumentations of what our processes run on: http (servers and their clients), undici (the
 * gateway's subgraph fetches, and fetch), express and graphql. The gateway's own spans
 * (@apollo/gateway emits them through @opentelemetry/api) and Temporal's (interceptors, see
 * `temporal.ts`) join through the global provider registered here.
 *
 * Versions: the 2.x SDK (2.12) and its experimental 0.223 packages, the last line that runs on
 * Node 20 (3.x needs Node 22.15). @temporalio/interceptors-opentelemetry 1.24.0 still builds its
 * workflow spans with SDK 1.x; `temporal.ts` converts them.
 */
import { diag, DiagConsoleLogger, DiagLogLevel, trace, type Context } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations, type InstrumentationBase } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from './config';
import { setPipeline } from './pipeline';

export interface TracingOptions {
  /** The process's service.name, unless OTEL_SERVICE_NAME gives one. */
  serviceName: string;
  /** Processors besides (or, with exporter none, instead of) the configured exporter's: tests. */
  spanProcessors?: SpanProcessor[];
}

/** A running tracer provider. */
export interface Tracing {
  /**
   * The instrumentations registered. They patch modules as they are required; a module loaded
   * outside Node's `require` (Jest's registry) can be patched through their module definitions.
   */
  readonly instrumentations: readonly InstrumentationBase[];
  /** Exports what is buffered; resolves when it has been sent (or failed to be). */
  flush(): Promise<void>;
  /** Flushes, then stops the instrumentations and the provider. */
  shutdown(): Promise<void>;
}

/**
 * Drops GraphQL spans that belong to no trace: the servers parse their schemas and the gateway
 * its federation documents as they start, dozens of one-span traces that say nothing about a
 * request. Inside a request they are sampled as everything else.
 */
class GraphQLInRequests implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    name: string,
    ...rest: Parameters<Sampler['shouldSample']> extends [unknown, unknown, unknown, ...infer R]
      ? R
      : never
  ): SamplingResult {
    if (name.startsWith('graphql.') && trace.getSpanContext(context) === undefined) {
      return { decision: SamplingDecision.NOT_RECORD };
    }
    return this.inner.shouldSample(context, traceId, name, ...rest);
  }

  toString(): string {
    return `GraphQLInRequests{${this.inner.toString()}}`;
  }
}

function sampler({ name, ratio }: TracingConfig['sampler']): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function exporterProcessor(config: TracingConfig): SpanProcessor | null {
  if (config.exporter === 'none') return null;
  if (config.exporter === 'console') {
    // Printed as each span ends: for looking at traces locally, not for production.
    return new SimpleSpanProcessor(new ConsoleSpanExporter());
  }
  const exporter: SpanExporter =
    config.otlp.protocol === 'http/json'
      ? new OtlpJsonExporter({ url: config.otlp.url })
      : new OtlpProtobufExporter({ url: config.otlp.url });
  return new BatchSpanProcessor(exporter);
}

/** Paths never traced: health checks are polled by orchestrators every few seconds. */
const untracedPath = (url: string | undefined) => url?.startsWith('/health') ?? false;

/**
 * Starts tracing in this process, or does nothing (and returns null) when the configuration
 * exports nowhere and no processor is given: tracing off loads no SDK code paths and patches
 * nothing. Must run before the instrumented modules (http, express, graphql) are first required.
 */
export function startTracing(config: TracingConfig, options: TracingOptions): Tracing | null {
  const processors = [
    ...(options.spanProcessors ?? []),
    ...[exporterProcessor(config)].filter((p): p is SpanProcessor => p !== null),
  ];
  if (processors.length === 0) return null;
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  const resource = resourceFromAttributes({
    'service.name': config.serviceName ?? options.serviceName,
    'service.namespace': 'experience-graph',
  });
  const provider = new NodeTracerProvider({
    resource,
    sampler: new GraphQLInRequests(sampler(config.sampler)),
    spanProcessors: processors,
  });
  // W3C traceparent/tracestate and baggage, in an AsyncLocalStorage context manager.
  provider.register();
  const instrumentations: InstrumentationBase[] = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => untracedPath(request.url),
      requireParentforOutgoingSpans: true,
    }),
    // The gateway's subgraph fetches: a client span each, and the traceparent header on them.
    new UndiciInstrumentation({ requireParentforSpans: true }),
    new ExpressInstrumentation(),
    // Values in documents are masked (allowValues false): variables hold personal data.
    new GraphQLInstrumentation({ allowValues: false, ignoreTrivialResolveSpans: true }),
  ];
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  setPipeline({ processors, resource });
  return {
    instrumentations,
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      setPipeline(null);
      await provider.shutdown();
    },
  };
}
