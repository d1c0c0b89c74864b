/**
 * Records a set of workflow histories of a released version, for the replay test:
 *
 *   npm run histories:record -w workflows [-- --from=<commit>]
 *
 * The version is a commit (HEAD unless told otherwise), taken from git, not from the working
 * tree: its `workflows/src` is extracted to a temporary folder, this recorder's scenarios are
 * laid over it, and they run there (through tsx, with the repository's node_modules) against the
 * Temporal and Neo4j of the configuration (`npm run services -- up`). So a set is always the
 * history of code someone can check out, whatever is being edited meanwhile. The set is written
 * to `workflows/histories/<day>-<short commit>/`; commit it.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { HISTORIES_DIR } from './history-sets';

const REPOSITORY = resolve(__dirname, '../../..');
/** The recorder's own sources, in the working tree. */
const RECORDER = join(REPOSITORY, 'workflows/src/histories');

const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: REPOSITORY, encoding: 'utf8' }).trim();

/** Runs a child to its end; a signal to this process ends the child first. */
function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop).once('SIGTERM', stop);
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      if (code === 0) done();
      else fail(new Error(`The scenarios failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

async function main() {
  const from = process.argv.find((arg) => arg.startsWith('--from='))?.slice('--from='.length);
  const commit = git('rev-parse', '--verify', `${from ?? 'HEAD'}^{commit}`);
  const version = `${git('show', '-s', '--format=%cs', commit)}-${commit.slice(0, 7)}`;
  const out = join(HISTORIES_DIR, version);
  if (existsSync(out)) {
    throw new Error(`${relative(REPOSITORY, out)} exists already; remove it to record again`);
  }
  const tree = mkdtempSync(join(tmpdir(), 'eg-histories-'));
  try {
    const archive = join(tree, 'workflows.tar');
    git('archive', '--format=tar', `--output=${archive}`, commit, 'workflows/src');
    execFileSync('tar', ['-xf', archive, '-C', tree]);
    symlinkSync(join(REPOSITORY, 'node_modules'), join(tree, 'node_modules'));
    const target = join(tree, 'workflows/src/histories');
    mkdirSync(target, { recursive: true });
    for (const file of readdirSync(RECORDER)) {
      if (file.endsWith('.ts') && !file.endsWith('.test.ts') && file !== 'record-histories.ts') {
        copyFileSync(join(RECORDER, file), join(target, file));
      }
    }
    console.log(
      `Recording the workflows of ${commit.slice(0, 7)} into ${relative(REPOSITORY, out)}`,
    );
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(target, 'record-scenarios.ts'),
        `--out=${out}`,
        `--commit=${commit}`,
        `--version=${version}`,
      ],
      join(tree, 'workflows'),
    );
  } catch (error) {
    rmSync(out, { recursive: true, force: true }); // never a half-written set
    throw error;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
