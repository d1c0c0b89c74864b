import { proxyActivities } from '@temporalio/workflow';
import { ERASURE_STEPS, type ErasureInput } from '../contracts';
import type { ErasureActivities } from '../erasure/erasure-activities';

// An erasure must finish: a graph or Temporal that is down only delays it, so retries go on
// without limit; every step is idempotent, so a retry after a lost answer is harmless.
const steps = proxyActivities<ErasureActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Erases one customer, keyed by the erasure id (a salted hash of their id): runs the steps in
 * order. Interrupted anywhere (a worker crash, a deploy), Temporal resumes it at the step it
 * was on, and that step finds whatever part of its work was already done.
 */
export async function customerErasure(input: ErasureInput): Promise<{ completedAt: string }> {
  let completedAt = '';
  for (const step of ERASURE_STEPS) {
    const result = await steps[step]({ erasureId: input.erasureId });
    if (step === 'completeErasure') completedAt = (result as { completedAt: string }).completedAt;
  }
  return { completedAt };
}
