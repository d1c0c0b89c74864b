/**
 * Committed workflow histories: one folder per released version under `workflows/histories`,
 * each with a manifest naming the commit that recorded it and one History JSON file per
 * scenario (the format of `temporal workflow show --output json`). The replay test replays every
 * set against the current workflow code; the recording command writes a new set.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { temporal } from '@temporalio/proto';
import { historyFromJson } from './history-json';

/** The folder of committed sets; the same from `src/histories` and `dist/histories`. */
export const HISTORIES_DIR = resolve(__dirname, '../../histories');

/**
 * The display name of every customer the recording makes. Workflow payloads carry ids only, so
 * it must never appear in a history; the replay test checks that it does not.
 */
export const FIXTURE_NAME = 'History Fixture Person';

/** One recorded history of a set. */
export interface HistoryEntryManifest {
  /** The file in the set's folder: `<workflow type>-<scenario>.json`. */
  file: string;
  workflowType: string;
  workflowId: string;
  runId: string;
  /** What the run went through: signals, timers, children, continue-as-new, ... */
  scenario: string;
  /** How the run stood when it was recorded (a continued-as-new run, one still open, ...). */
  status: string;
  events: number;
}

/** What a set's `manifest.json` says. */
export interface HistorySetManifest {
  /** The set's folder name: the day and the short commit of the version that recorded it. */
  version: string;
  /** The commit whose workflow code produced the histories. */
  commit: string;
  recordedAt: string;
  sdk: string;
  /** The source files of the workflow bundle, relative to the repository. */
  workflowSources: string[];
  histories: HistoryEntryManifest[];
}

export interface HistorySet {
  dir: string;
  manifest: HistorySetManifest;
}

/** Every committed set, oldest first (folder names start with the day they were recorded). */
export function readHistorySets(dir = HISTORIES_DIR): HistorySet[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      dir: join(dir, name),
      manifest: JSON.parse(
        readFileSync(join(dir, name, 'manifest.json'), 'utf8'),
      ) as HistorySetManifest,
    }));
}

/** A set's histories, parsed, each with the workflow id it was recorded under. */
export function loadHistories(
  set: HistorySet,
): Array<HistoryEntryManifest & { history: temporal.api.history.v1.History }> {
  return set.manifest.histories.map((entry) => ({
    ...entry,
    history: historyFromJson(JSON.parse(readFileSync(join(set.dir, entry.file), 'utf8'))),
  }));
}
