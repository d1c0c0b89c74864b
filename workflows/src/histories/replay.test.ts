/**
 * Every committed history set (workflows/histories/<version>/), recorded from a released
 * version, replayed against the current workflow code: a change that would break executions of
 * that version still open (a command added, removed or reordered without `patched()`) fails here
 * with Temporal's DeterminismViolationError. No server is needed: replay runs in the worker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import * as workflows from '../workflows';
import { FIXTURE_NAME, loadHistories, readHistorySets } from './history-sets';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Installed already in this jest worker.
}

// The bundler's entry, as the worker names it; not imported from the worker, which would load
// the activities and their dependencies into a test that needs none.
const WORKFLOWS_PATH = require.resolve('../workflows');
const sets = readHistorySets();
let code: string;

beforeAll(async () => {
  // One bundle of the current code for every replay, as a worker would build it.
  ({ code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: new DefaultLogger('ERROR'),
  }));
}, 120_000);

/** Replays histories; resolves with the files whose replay failed, and why. */
async function replay(histories: ReturnType<typeof loadHistories>) {
  const failures: Array<{ file: string; error: string; determinism: boolean }> = [];
  const byRun = new Map(histories.map((h) => [h.runId, h.file]));
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { code }, replayName: 'committed-histories' },
    histories.map(({ workflowId, history }) => ({ workflowId, history })),
  )) {
    if (result.error) {
      failures.push({
        file: byRun.get(result.runId) ?? result.workflowId,
        error: result.error.message,
        determinism: result.error instanceof DeterminismViolationError,
      });
    }
  }
  return failures;
}

describe('committed workflow histories', () => {
  it('exist, and between them cover every workflow type the worker registers', () => {
    expect(sets.length).toBeGreaterThan(0);
    const recorded = new Set(sets.flatMap((s) => s.manifest.histories.map((h) => h.workflowType)));
    expect(Object.keys(workflows).filter((type) => !recorded.has(type))).toEqual([]);
  });

  it.each(sets.map((s) => [s.manifest.version, s] as const))(
    'of %s replay against the current workflow code',
    async (_version, set) => {
      const histories = loadHistories(set);
      expect(histories.length).toBe(set.manifest.histories.length);
      expect(await replay(histories)).toEqual([]);
    },
    120_000,
  );

  it('fail the replay when the code no longer does what a history says it did', async () => {
    // The replayer itself, on a history altered as a changed workflow would disagree with it:
    // the first activity the lifecycle scheduled is now one the code never calls.
    const set = sets[sets.length - 1]!;
    const lifecycle = loadHistories(set).find((h) => h.workflowType === 'deviceLifecycle')!;
    const scheduled = lifecycle.history.events!.find(
      (e) => e.activityTaskScheduledEventAttributes,
    )!.activityTaskScheduledEventAttributes!;
    scheduled.activityType = { name: 'notAnActivityTheCodeCalls' };
    const failures = await replay([lifecycle]);
    expect(failures).toEqual([
      expect.objectContaining({ file: lifecycle.file, determinism: true }),
    ]);
    expect(failures[0]?.error).toMatch(/notAnActivityTheCodeCalls/);
  }, 120_000);

  it('hold ids only: no name and no e-mail address in any payload', () => {
    const texts: string[] = [];
    // Payloads are base64 JSON inside History JSON: decode every `data` to read what they say.
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === 'data' && typeof inner === 'string') {
            texts.push(Buffer.from(inner, 'base64').toString('utf8'));
          } else walk(inner);
        }
      }
    };
    for (const set of sets) {
      for (const { file } of set.manifest.histories) {
        const raw = readFileSync(join(set.dir, file), 'utf8');
        texts.push(raw);
        walk(JSON.parse(raw));
      }
    }
    expect(texts.length).toBeGreaterThan(sets.length);
    // At least one payload was decoded and reads as JSON text, so the check looked inside.
    expect(texts.some((t) => t.startsWith('{"serial":'))).toBe(true);
    // An e-mail address ends in a domain name; `@temporalio/worker@1.24.0` (the SDK) does not.
    const email = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b/gi;
    const personal = texts.flatMap((t) => [
      ...(t.includes(FIXTURE_NAME) ? [FIXTURE_NAME] : []),
      ...(t.match(email) ?? []),
    ]);
    expect(personal).toEqual([]);
  });
});
