import {
  defaultPayloadConverter,
  WorkflowNotFoundError,
  type Client,
  type Payload,
} from '@temporalio/client';

/** What identifies a person, as a test knows it; any of it found in Temporal is a residue. */
export interface PersonMarks {
  customerId?: string;
  name?: string;
  email?: string;
  phone?: string;
  coordinates?: Array<{ latitude: number; longitude: number }>;
  /** Anything else that must not appear (an order id, a comment). */
  other?: string[];
}

/** Where a mark was found: an execution, the path inside what Temporal returned, an excerpt. */
export interface Sighting {
  workflowId: string;
  runId: string;
  where: string;
  mark: string;
  excerpt: string;
}

/** Which executions to read: workflow ids (every run of each) and visibility queries. */
export interface TemporalScope {
  workflowIds?: Iterable<string>;
  /** List filters such as `CustomerId = 'x'`; every execution they match, open or closed. */
  queries?: Iterable<string>;
  /**
   * Also read the executions these ones name: children they started and workflows they
   * signalled (an intervention of a device lifecycle). On by default.
   */
  follow?: boolean;
}

interface Run {
  workflowId: string;
  runId: string;
}

/** A text read out of Temporal, with where it came from. */
export interface TemporalText extends Run {
  where: string;
  text: string;
}

/** The strings that would give the person away, in the forms they may take in a payload. */
export function marksOf(person: PersonMarks): string[] {
  const marks = new Set<string>();
  const add = (s: string | undefined) => {
    if (s !== undefined && s.trim() !== '') marks.add(s);
  };
  add(person.customerId);
  add(person.name);
  add(person.email);
  add(person.email?.toLowerCase());
  if (person.phone !== undefined) {
    add(person.phone);
    const digits = person.phone.replace(/\D/g, '');
    add(digits);
    add(`+${digits}`);
  }
  for (const { latitude, longitude } of person.coordinates ?? []) {
    add(String(latitude));
    add(String(longitude));
  }
  for (const s of person.other ?? []) add(s);
  return [...marks];
}

function isPayload(value: object): value is Payload {
  const v = value as { metadata?: unknown; data?: unknown };
  return (
    typeof v.metadata === 'object' &&
    v.metadata !== null &&
    'encoding' in v.metadata &&
    (v.data === undefined || v.data === null || v.data instanceof Uint8Array)
  );
}

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/**
 * Every string in a value Temporal returned: payloads decoded by the SDK's payload converter
 * (and their raw bytes too, for encodings it cannot read), every other string, number and
 * byte array as it is. Nothing is skipped, so a new field or event type is read as well.
 */
export function textsOf(value: unknown, where = ''): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  const seen = new Set<object>();
  const walk = (v: unknown, path: string) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') {
      out.push({ where: path, text: v });
      return;
    }
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
      out.push({ where: path, text: String(v) });
      return;
    }
    if (v instanceof Uint8Array) {
      out.push({ where: path, text: utf8(v) });
      return;
    }
    if (typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (isPayload(v)) {
      try {
        const decoded: unknown = defaultPayloadConverter.fromPayload(v);
        out.push({
          where: `${path}(decoded)`,
          text: typeof decoded === 'string' ? decoded : (JSON.stringify(decoded) ?? ''),
        });
      } catch {
        // An encoding the converter does not know: its raw bytes are read below.
      }
      if (v.data) out.push({ where: `${path}.data`, text: utf8(v.data) });
      for (const [key, bytes] of Object.entries(v.metadata ?? {})) {
        if (bytes instanceof Uint8Array)
          out.push({ where: `${path}.metadata.${key}`, text: utf8(bytes) });
      }
      return;
    }
    // A protobuf Long prints as its number.
    if ('low' in v && 'high' in v && typeof (v as { toString: unknown }).toString === 'function') {
      out.push({ where: path, text: String(v) });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
      return;
    }
    for (const [key, x] of Object.entries(v)) walk(x, path === '' ? key : `${path}.${key}`);
  };
  walk(value, where);
  return out;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function isGone(error: unknown): boolean {
  return (
    error instanceof WorkflowNotFoundError ||
    (error instanceof Error && /not found|NOT_FOUND/i.test(error.message))
  );
}

/** Every run of a workflow id Temporal still has: visibility's list, the current run, and the
 * continue-as-new chain behind it. */
async function runsOf(client: Client, workflowId: string): Promise<Set<string>> {
  const runs = new Set<string>();
  for await (const w of client.workflow.list({ query: `WorkflowId = ${quote(workflowId)}` })) {
    runs.add(w.runId);
  }
  try {
    const current = await client.workflow.getHandle(workflowId).describe();
    runs.add(current.runId);
  } catch (error) {
    if (!isGone(error)) throw error;
  }
  // Walk each chain back through the runs it continued.
  const queue = [...runs];
  while (queue.length > 0) {
    const runId = queue.pop() as string;
    try {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      for (const previous of [
        started?.continuedExecutionRunId,
        started?.firstExecutionRunId,
        started?.originalExecutionRunId,
      ]) {
        if (previous && !runs.has(previous)) {
          runs.add(previous);
          queue.push(previous);
        }
      }
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  return runs;
}

/**
 * Reads every execution in scope, closed runs included: its description (memo, search
 * attributes, pending activities and children) and every event of its history (signal inputs,
 * activity inputs and results, markers, search-attribute upserts, continue-as-new inputs,
 * failures), with every payload decoded.
 */
export async function temporalTexts(client: Client, scope: TemporalScope): Promise<TemporalText[]> {
  const namespace = client.options.namespace;
  const ids = new Set(scope.workflowIds ?? []);
  for (const query of scope.queries ?? []) {
    for await (const w of client.workflow.list({ query })) ids.add(w.workflowId);
  }
  const texts: TemporalText[] = [];
  const done = new Set<string>();
  const pending = [...ids];
  while (pending.length > 0) {
    const workflowId = pending.shift() as string;
    if (done.has(workflowId)) continue;
    done.add(workflowId);
    for (const runId of await runsOf(client, workflowId)) {
      const push = (items: Array<{ where: string; text: string }>) => {
        for (const item of items) texts.push({ workflowId, runId, ...item });
      };
      try {
        const description = await client.workflowService.describeWorkflowExecution({
          namespace,
          execution: { workflowId, runId },
        });
        push(textsOf(description, 'describe'));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
      try {
        const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
        push(textsOf(history, 'history'));
        if (scope.follow !== false) {
          for (const event of history.events ?? []) {
            const named =
              event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ??
              event.signalExternalWorkflowExecutionInitiatedEventAttributes?.workflowExecution
                ?.workflowId ??
              event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes
                ?.workflowExecution?.workflowId;
            if (named && !done.has(named)) pending.push(named);
          }
        }
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    }
  }
  return texts;
}

/** Where in scope Temporal still holds any mark of the person; empty when nothing does. */
export async function findPersonInTemporal(
  client: Client,
  person: PersonMarks,
  scope: TemporalScope,
): Promise<Sighting[]> {
  const marks = marksOf(person).map((m) => [m, m.toLowerCase()] as const);
  const sightings: Sighting[] = [];
  for (const t of await temporalTexts(client, scope)) {
    const lower = t.text.toLowerCase();
    for (const [mark, needle] of marks) {
      const at = lower.indexOf(needle);
      if (at >= 0) {
        sightings.push({
          workflowId: t.workflowId,
          runId: t.runId,
          where: t.where,
          mark,
          excerpt: t.text.slice(Math.max(0, at - 60), at + needle.length + 60),
        });
      }
    }
  }
  return sightings;
}
