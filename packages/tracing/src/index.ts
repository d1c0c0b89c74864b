/**
 * Tracing for every process. This entry only uses @opentelemetry/api, which does nothing until a
 * provider is registered: libraries (the graph wrapper, the outbox, the relay) import it freely.
 * Setting tracing up is `@experience-graph/tracing/register` (imported first by each `main.ts`)
 * or `/setup` (tests); Temporal's interceptors are in `/temporal`.
 */
export { cypherOperation, traceStatement, type TracedStatement } from './statements';
export { continueStoredTraces, currentTraceparent, spanContextOf } from './stored-context';
export {
  loadTracingConfig,
  OTLP_PROTOCOLS,
  SAMPLERS,
  TRACES_EXPORTERS,
  TracingConfigError,
  type OtlpProtocol,
  type SamplerName,
  type TracesExporter,
  type TracingConfig,
} from './config';
