/**
 * Tracing for a test file, into memory: import this module before any other (its first import),
 * so that the instrumentations are registered before the system's modules load.
 *
 * Jest loads modules through its own registry, which the instrumentations' require hooks never
 * see: express and graphql stay uninstrumented here (the process test covers them), undici is
 * instrumented through its diagnostics channels, and Node's http module, which Jest shares with
 * Node, is patched below by the HTTP instrumentation's own definition, as its hook would.
 */
import http from 'node:http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { loadTracingConfig } from '@experience-graph/tracing';
import { startTracing } from '@experience-graph/tracing/setup';

export const finishedSpans = new InMemorySpanExporter();

const tracing = startTracing(loadTracingConfig({}), {
  serviceName: 'experience-graph-test',
  spanProcessors: [new SimpleSpanProcessor(finishedSpans)],
});
if (tracing === null) throw new Error('tracing did not start');

const httpDefinitions = tracing.instrumentations
  .flatMap((instrumentation) => instrumentation.getModuleDefinitions())
  .filter((definition) => definition.name === 'http');
for (const definition of httpDefinitions) definition.patch?.(http, process.versions.node);

/**
 * Restores http (shared with every later test file of this Jest worker) and stops the provider.
 */
export async function stopTracing(): Promise<void> {
  for (const definition of httpDefinitions) definition.unpatch?.(http, process.versions.node);
  await tracing?.shutdown();
}
