import { homedir } from 'node:os';
import path from 'node:path';

/** The repository's root folder. */
export const ROOT = path.resolve(__dirname, '..', '..');
/** Everything the local system keeps between runs; git-ignored. */
export const DATA_DIR = path.join(ROOT, '.data');
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
