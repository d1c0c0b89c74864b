import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';

/**
 * What the running tracer provider exports through, for spans made outside it: the workflow
 * spans that Temporal's interceptors build in the workflow sandbox and hand out through a sink.
 */
export interface Pipeline {
  processors: readonly SpanProcessor[];
  resource: Resource;
}

let current: Pipeline | null = null;

export function setPipeline(pipeline: Pipeline | null): void {
  current = pipeline;
}

/** The running pipeline, or null when tracing is off in this process. */
export function tracingPipeline(): Pipeline | null {
  return current;
}
