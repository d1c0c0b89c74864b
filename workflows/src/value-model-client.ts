import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import {
  VALUE_MODEL_WORKFLOW,
  valueModelScheduleId,
  valueModelWorkflowId,
  type ValueModelInput,
  type ValueModelRun,
  type ValueModelSummary,
} from './value-model-contracts';

/** How the API starts and follows value-model fits; an interface so servers build without I/O. */
export interface ValueModelJobs {
  /** Starts the fit's workflow; starting a fit id that already ran is harmless. */
  start(run: ValueModelRun): Promise<{ workflowId: string }>;
  /** Waits for a fit's workflow to finish and returns its summary (tests and benchmarks). */
  result(fitId: string): Promise<ValueModelSummary>;
}

export function createValueModelJobs(client: Client, taskQueue: string): ValueModelJobs {
  return {
    async start(run) {
      const workflowId = valueModelWorkflowId(run.fitId);
      const input: ValueModelInput = { ...run };
      try {
        await client.workflow.start(VALUE_MODEL_WORKFLOW, { workflowId, taskQueue, args: [input] });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { workflowId };
    },
    async result(fitId) {
      return client.workflow
        .getHandle(valueModelWorkflowId(fitId))
        .result() as Promise<ValueModelSummary>;
    },
  };
}

/** The nightly refit: when, and with which horizon. */
export interface ValueModelScheduleOptions {
  taskQueue: string;
  /** A cron expression, UTC (VALUE_MODEL_SCHEDULE). */
  cron: string;
  horizonDays: number;
}

/**
 * Creates the nightly schedule of the value model over every customer, or brings an existing
 * one in line with the configuration: safe to call at every start of every worker. A run that
 * would overlap a fit still running is skipped.
 */
export async function ensureValueModelSchedule(
  client: Client,
  options: ValueModelScheduleOptions,
): Promise<'created' | 'updated'> {
  const scheduleId = valueModelScheduleId(options.taskQueue);
  const input: ValueModelInput = {
    fitId: null,
    asOf: null,
    horizonDays: options.horizonDays,
    population: { idPrefix: null },
  };
  const spec = { cronExpressions: [options.cron] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: VALUE_MODEL_WORKFLOW,
    workflowId: `value-model:nightly:${options.taskQueue}`,
    taskQueue: options.taskQueue,
    args: [input],
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    ...previous,
    spec,
    action,
    policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP },
  }));
  return 'updated';
}
