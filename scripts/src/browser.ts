/**
 * The browser the console's end-to-end tests drive: Debian's Chromium, installed with apt-get
 * the first time the tests need it. Nothing is downloaded but Debian packages.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { runCommand, SetupError } from './processes';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const INSTALL_HINT = 'apt-get update && apt-get install -y chromium';

/**
 * Whether a jest run with these arguments includes the end-to-end tier, where the browser tests
 * are: every run does, unless `--selectProjects` names only other tiers.
 */
export function runsBrowserTests(jestArgs: readonly string[]): boolean {
  const selected: string[] = [];
  for (let i = 0; i < jestArgs.length; i += 1) {
    const arg = jestArgs[i] ?? '';
    if (arg.startsWith('--selectProjects=')) {
      selected.push(...arg.slice('--selectProjects='.length).split(','));
    } else if (arg === '--selectProjects') {
      for (let j = i + 1; j < jestArgs.length && !(jestArgs[j] ?? '').startsWith('-'); j += 1) {
        selected.push(jestArgs[j] ?? '');
      }
    }
  }
  return selected.length === 0 || selected.includes('e2e');
}

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Installs Chromium from Debian's packages unless it is there; idempotent. Its progress shows on
 * one line, the output of apt-get goes to `.data/logs/chromium-*.log`.
 */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM_PATH)) return;
  if (!has('apt-get')) {
    throw new SetupError(
      `The console's browser tests need Chromium at ${CHROMIUM_PATH}, and this machine has no apt-get to install it with. To fix: install Debian's chromium package, or run the other tiers only (npm test -- --selectProjects unit integration).`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new SetupError(
      `The console's browser tests need Chromium at ${CHROMIUM_PATH}. Installing it needs root; to fix: sudo sh -c '${INSTALL_HINT}'`,
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand('apt-get', ['update'], {
    env,
    what: `Updating Debian's package lists for Chromium (to fix by hand: ${INSTALL_HINT})`,
    progress: {
      label: 'Chromium',
      activity: 'updating package lists (apt-get update)',
      done: 'package lists updated',
      log: 'chromium-apt-update',
      tracking: { counters: [{ pattern: /^(Get|Hit):\d+/, one: 'list read', many: 'lists read' }] },
    },
  });
  await runCommand('apt-get', ['install', '-y', 'chromium'], {
    env,
    what: `Installing Chromium for the browser tests (to fix by hand: ${INSTALL_HINT})`,
    progress: {
      label: 'Chromium',
      activity: 'installing for the browser tests (apt-get install chromium)',
      done: 'installed',
      log: 'chromium-install',
      tracking: {
        counters: [
          { pattern: /^Get:\d+/, one: 'package downloaded', many: 'packages downloaded' },
          { pattern: /^Setting up /, one: 'package set up', many: 'packages set up' },
        ],
      },
    },
  });
  if (!existsSync(CHROMIUM_PATH)) {
    throw new SetupError(
      `apt-get installed chromium, but there is no ${CHROMIUM_PATH}; see .data/logs/chromium-install.log`,
    );
  }
}
