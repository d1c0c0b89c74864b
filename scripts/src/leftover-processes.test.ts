import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths';

const SCRIPT = path.join(ROOT, 'scripts', 'leftover-processes.sh');

/** The script judges the checkout it lies in: a copy in a folder of the test's own. */
function checkout(): { dir: string; script: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leftovers-'));
  mkdirSync(path.join(dir, 'scripts'));
  const script = path.join(dir, 'scripts', 'leftover-processes.sh');
  copyFileSync(SCRIPT, script);
  return { dir, script };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('scripts/leftover-processes.sh', () => {
  it('passes when nothing of the checkout runs', () => {
    const { dir, script } = checkout();
    try {
      expect(spawnSync('bash', [script]).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a process left running in the checkout, and with --stop ends it', async () => {
    const { dir, script } = checkout();
    const left = spawn('sleep', ['300'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise((resolve) => left.once('exit', resolve));
    try {
      const pid = left.pid as number;
      const report = spawnSync('bash', [script], { encoding: 'utf8' });
      expect(report.status).toBe(1);
      expect(report.stderr).toContain(`${pid} sleep 300`);
      expect(alive(pid)).toBe(true);

      const stopped = spawnSync('bash', [script, '--stop'], { encoding: 'utf8' });
      expect(stopped.status).toBe(1);
      await exited;
      expect(spawnSync('bash', [script]).status).toBe(0);
    } finally {
      left.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown argument', () => {
    const { dir, script } = checkout();
    try {
      const run = spawnSync('bash', [script, '--kill'], { encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('Usage:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
