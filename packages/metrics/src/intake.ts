import type { Principal } from '@experience-graph/access';
import { BoundedLabel, principalLabel } from './labels';
import { counter, type ServiceMetrics } from './registry';

/** One event's result, as the intake answers it. */
export interface IntakeResult {
  index: number;
  status: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  error: { code: string } | null;
}

/** Counts the events of each batch the intake answered. */
export interface IntakeMetrics {
  recorded(
    events: ReadonlyArray<Record<string, unknown>>,
    results: readonly IntakeResult[],
    principal: Principal,
  ): void;
}

/**
 * `eg_intake_events_total{kind, status, code, principal}`: every event of every batch answered,
 * by its kind (the payload field it carries; `unknown` when it carries none or several), its
 * status (`accepted`, `duplicate`, `rejected`), the rejection's code (`none` otherwise: such as
 * `INVALID`, `UNKNOWN_REFERENCE`, `CONFLICT`, `UNAVAILABLE`) and who sent it. A batch refused
 * whole (over the caps) has no per-event results and shows only in the GraphQL metrics.
 */
export function intakeMetrics(
  metrics: ServiceMetrics,
  options: { kinds: readonly string[] },
): IntakeMetrics {
  const events = counter(metrics, {
    name: 'eg_intake_events_total',
    help: 'Events the intake answered, by kind, status (accepted, duplicate, rejected), rejection code and principal',
    labelNames: ['kind', 'status', 'code', 'principal'] as const,
  });
  const kinds = new Set(options.kinds);
  const codes = new BoundedLabel(50);
  const principals = new BoundedLabel(100);
  const kindOf = (event: Record<string, unknown> | undefined) => {
    const present = Object.keys(event ?? {}).filter(
      (key) => kinds.has(key) && event?.[key] !== null && event?.[key] !== undefined,
    );
    return present.length === 1 ? (present[0] as string) : 'unknown';
  };
  return {
    recorded(batch, results, principal) {
      const who = principals.value(principalLabel(principal));
      for (const result of results) {
        events.inc({
          kind: kindOf(batch[result.index]),
          status: result.status.toLowerCase(),
          code: result.error ? codes.value(result.error.code) : 'none',
          principal: who,
        });
      }
    },
  };
}
