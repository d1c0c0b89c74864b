import { proxyActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities';

/**
 * The lifecycle activities as workflows call them. A graph that is down for a while only delays
 * a lifecycle, so retries go on; business errors are non-retryable failures from the activity.
 */
export const activities = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Continue-as-new well before Temporal's own limits, so a device living for years stays cheap. */
export const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * Waits for the next signal, or until `dueAt` (epoch ms, workflow time) if there is one.
 * Resolves true when there is something to process, false when the deadline passed.
 */
export async function nextWake(
  hasWork: () => boolean,
  dueAt: number | null,
  condition: (fn: () => boolean, timeoutMs?: number) => Promise<boolean | void>,
): Promise<boolean> {
  if (dueAt === null) {
    await condition(hasWork);
    return true;
  }
  return (await condition(hasWork, Math.max(1, dueAt - Date.now()))) === true;
}
