/**
 * Tracing for a process, set up by importing this module first in its `main.ts`, before any
 * module that the instrumentations patch (http, express, graphql) is required: in the CommonJS
 * build imports run in order, so this needs no `--require` flag and works the same on Node 20,
 * 22 and 24, under `npm start`, in the image and in compose.
 *
 * Off (OTEL_TRACES_EXPORTER unset or none) it only validates the variables: the SDK is not even
 * loaded.
 */
import path from 'node:path';
import { loadTracingConfig } from './config';
import type * as Setup from './setup';

/** The process's name: its package's folder (`gateway`, `products`, `relay`; the worker's). */
function processName(): string {
  const main = require.main?.filename;
  if (!main) return 'experience-graph';
  const folder = path.basename(path.dirname(path.dirname(main)));
  return folder === 'workflows' ? 'worker' : folder;
}

const config = loadTracingConfig(process.env);

const tracing: Setup.Tracing | null =
  config.exporter === 'none'
    ? null
    : // Required here, not imported at the top, so that with tracing off the SDK is never loaded.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('./setup') as typeof Setup).startTracing(config, {
        serviceName: processName(),
      });

/**
 * Sends what is still buffered and stops the provider: the last of a process's closers, so the
 * spans of its shutdown are exported too. Does nothing with tracing off.
 */
export async function flushTracing(): Promise<void> {
  await tracing?.shutdown();
}
