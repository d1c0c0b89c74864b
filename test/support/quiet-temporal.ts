// Temporal's worker runtime logs every bundle and state change at INFO; tests only want
// warnings. The runtime is per process and can be installed once.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by an earlier test file in this jest worker.
}
