import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';

/**
 * Trace context that outlives a request: what the intake stores with each signal it owes, so the
 * relay that delivers it later, in another process, continues the same trace.
 */

/**
 * The W3C `traceparent` of the active span, or null when there is none (always, with tracing
 * off): what is stored with work done later.
 */
export function currentTraceparent(): string | null {
  if (trace.getSpan(context.active()) === undefined) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ?? null;
}

/** The span context a stored `traceparent` names, or undefined when it is absent or invalid. */
export function spanContextOf(traceparent: string | null | undefined): SpanContext | undefined {
  if (!traceparent) return undefined;
  const extracted = propagation.extract(ROOT_CONTEXT, { traceparent });
  const spanContext = trace.getSpanContext(extracted);
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

const tracer = trace.getTracer('@experience-graph/relay');

/**
 * Runs work done for stored items (a batch of owed signals) in a consumer span that continues
 * their traces: a child of the first item's stored context, so that one event's trace runs on
 * from the request that accepted it into the workflow, and linked to every item's context, so a
 * batch of several requests' events is found from each of them. Without any stored context (or
 * with tracing off) the work just runs.
 */
export function continueStoredTraces<T>(
  name: string,
  traceparents: ReadonlyArray<string | null | undefined>,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const stored = traceparents.map(spanContextOf).filter((c): c is SpanContext => c !== undefined);
  const [parent] = stored;
  if (parent === undefined) return work();
  const links: Link[] = stored.map((spanContext) => ({ context: spanContext }));
  return tracer.startActiveSpan(
    name,
    { kind: SpanKind.CONSUMER, attributes, links },
    trace.setSpanContext(ROOT_CONTEXT, parent),
    async (span) => {
      try {
        return await work();
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
