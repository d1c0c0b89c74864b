import { Runtime } from '@temporalio/worker';
import type { MetricsConfig } from '@experience-graph/config';

/**
 * Installs the Temporal runtime of this process with the SDK's Prometheus exporter on
 * METRICS_HOST:WORKER_TEMPORAL_METRICS_PORT (`/metrics`): workflow and activity task latencies,
 * the sticky cache's size, task slots, polls and request failures, named the Prometheus way
 * (`temporal_` prefix, counters in `_total`, durations in seconds). The runtime is one per
 * process and must be installed before the first connection; returns the scrape address.
 */
export function installTemporalMetrics(config: MetricsConfig): string {
  const bindAddress = `${config.host}:${config.workerTemporalPort}`;
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress,
          countersTotalSuffix: true,
          unitSuffix: true,
          useSecondsForDurations: true,
        },
        globalTags: { service: 'worker' },
      },
    },
  });
  return `http://${bindAddress}/metrics`;
}
