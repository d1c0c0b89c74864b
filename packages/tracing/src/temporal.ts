/**
 * Temporal's OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry), wired to this
 * process's tracer provider: clients put the active trace context in the headers of what they
 * start and signal, workflows continue it in their sandbox (spans handed out through a sink) and
 * pass it on to their activities, and activities run in it. With tracing off, nothing is added.
 */
import { createTraceState } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type {
  OpenTelemetrySinks,
  SerializableSpan,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { tracingPipeline, type Pipeline } from './pipeline';

/**
 * The workflow interceptor modules: given to the worker (`interceptors.workflowModules`) when it
 * bundles at start, and to `bundleWorkflowCode({ workflowInterceptorModules })` for a prebuilt
 * bundle, which ignores the worker's.
 */
export const WORKFLOW_TRACING_MODULES: readonly string[] = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** Interceptors for a Temporal client, or undefined with tracing off. */
export function temporalClientInterceptors(): ClientInterceptors | undefined {
  if (tracingPipeline() === null) return undefined;
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/**
 * A workflow span as the 2.x SDK reads it. The interceptors' sandbox builds spans with the 1.x
 * SDK (`parentSpanId`, `instrumentationLibrary`); the 2.x exporters read `parentSpanContext`
 * and `instrumentationScope`, and would fail on the old shape.
 */
export function workflowReadableSpan(
  span: SerializableSpan,
  workflow: { workflowId: string; runId: string; workflowType: string; taskQueue: string },
  resource: Pipeline['resource'],
): ReadableSpan {
  const { traceState, ...rest } = span.spanContext;
  const spanContext = {
    ...rest,
    ...(traceState ? { traceState: createTraceState(traceState) } : {}),
  };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    ...(span.parentSpanId
      ? {
          parentSpanContext: {
            traceId: spanContext.traceId,
            spanId: span.parentSpanId,
            traceFlags: spanContext.traceFlags,
          },
        }
      : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: {
      ...span.attributes,
      temporalWorkflowId: workflow.workflowId,
      temporalRunId: workflow.runId,
      temporalWorkflowType: workflow.workflowType,
      temporalTaskQueue: workflow.taskQueue,
    },
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/**
 * The sink the workflow interceptors export through. It is needed whenever the workflow code
 * holds the interceptors (a prebuilt bundle holds them either way), so with tracing off it is
 * still there and drops what it gets; replays never call it.
 */
export function workflowSpanSinks(): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const pipeline = tracingPipeline();
          if (pipeline === null) return;
          for (const span of spans) {
            const readable = workflowReadableSpan(span, info, pipeline.resource);
            for (const processor of pipeline.processors) processor.onEnd(readable);
          }
        },
      },
    },
  };
}

/** What a worker needs to join traces: its interceptors and the workflow span sink. */
export interface WorkerTracing {
  interceptors?: WorkerInterceptors;
  sinks?: InjectedSinks<OpenTelemetrySinks>;
}

/**
 * The worker options for tracing. With tracing off: none, unless the workflow code is a prebuilt
 * bundle (then only the sink, for the interceptors built into it).
 */
export function workerTracing(options: { prebuiltBundle: boolean }): WorkerTracing {
  const on = tracingPipeline() !== null;
  if (!on) return options.prebuiltBundle ? { sinks: workflowSpanSinks() } : {};
  return {
    interceptors: {
      client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
      workflowModules: [...WORKFLOW_TRACING_MODULES],
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: workflowSpanSinks(),
  };
}
