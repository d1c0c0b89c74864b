import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ValueModelActivities } from '../value-model-activities';
import type { ValueModelInput, ValueModelRun, ValueModelSummary } from '../value-model-contracts';

// One long activity that heartbeats while it reads, fits and writes: a worker that dies is
// noticed within the heartbeat timeout and the fit restarts (it is idempotent).
const { fitCustomerValueModel } = proxyActivities<ValueModelActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

const { recordValueModelFailure } = proxyActivities<ValueModelActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Fits the lifetime-value models (BG/NBD and gamma-gamma) to a population's purchase history
 * and stores every customer's predictions: a background job, started by an administrator or by
 * the nightly schedule, never by a read. Customers the models cannot describe (implausible
 * purchases, a likelihood or prediction that cannot be computed) are skipped and counted in the
 * summary; only a population with nobody left to fit fails.
 */
export async function customerValueModel(input: ValueModelInput): Promise<ValueModelSummary> {
  const run: ValueModelRun = {
    fitId: input.fitId ?? workflowInfo().workflowId,
    // Workflow time is deterministic: a replay resolves the same day.
    asOf: input.asOf ?? new Date().toISOString().slice(0, 10),
    horizonDays: input.horizonDays,
    population: input.population,
    earliestPurchase: input.earliestPurchase ?? null,
  };
  try {
    return await fitCustomerValueModel(run);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const message = cause instanceof Error ? cause.message : String(cause);
    await recordValueModelFailure({ run, message });
    throw ApplicationFailure.nonRetryable(`Value model fit ${run.fitId} failed: ${message}`);
  }
}
