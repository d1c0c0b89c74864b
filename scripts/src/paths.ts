import { homedir } from 'node:os';
import path from 'node:path';

/** The repository's root folder. */
export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The variable naming another data folder: a second, isolated stack on this machine (the fault
 * matrix and the soak run theirs under `.data/chaos/<run>`) keeps its stores, pid files and logs
 * there instead of in `.data`. Relative paths are taken from the repository's root.
 */
export const DATA_DIR_VARIABLE = 'EXPERIENCE_GRAPH_DATA_DIR';

/** The data folder `env` names: `.data` unless {@link DATA_DIR_VARIABLE} says otherwise. */
export function dataDirOf(env: Record<string, string | undefined>): string {
  const named = env[DATA_DIR_VARIABLE]?.trim();
  return named ? path.resolve(ROOT, named) : path.join(ROOT, '.data');
}

/** Everything the local system keeps between runs; git-ignored. */
export const DATA_DIR = dataDirOf(process.env);
export const LOG_DIR = path.join(DATA_DIR, 'logs');
export const RUN_DIR = path.join(DATA_DIR, 'run');
/**
 * Built tools shared by every clone on this machine, so a fresh clone (as in CI) does not
 * rebuild the Temporal CLI.
 */
export const TOOLS_DIR = path.join(
  process.env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'),
  'experience-graph',
);
