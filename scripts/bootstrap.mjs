// Entry point of every npm command that sets things up. Plain Node with no dependencies, so it
// runs on a fresh clone: it checks Node, installs packages when they are missing or stale, loads
// `.env` if there is one, and hands over to the TypeScript command line.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Long-term-support lines only (even majors from 20: 20, 22, 24, ...); odd majors are
// short-lived releases that native packages such as the Temporal core bridge may not support.
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= 20 && major % 2 === 0)) {
  console.error(
    `Experience Graph needs Node.js 20, 22 or 24, a long-term-support release (found ${process.version}). ` +
      'Install the current one, for example with nvm: nvm install 24 (the version in .nvmrc).',
  );
  process.exit(1);
}

// Set-up steps report on stderr, so that a command's own output (`npm run -s token`) stays clean.
const run = (command, args, stdio = ['inherit', 2, 2]) => {
  const result = spawnSync(command, args, { cwd: root, stdio, env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  // `npm install` rather than `npm ci`: npm 11 writes lock files without other platforms'
  // optional binaries and then refuses them in `npm ci`. With the lock file in sync, install
  // resolves exactly the locked versions.
  console.error('Installing npm packages...');
  run('npm', ['install', '--no-audit', '--no-fund']);
}

// The command line imports the workspace packages, which run from their build output.
console.error('Building (codegen, supergraph check, tsc -b)...');
run('npm', ['run', '--silent', 'build']);

const envFile = path.join(root, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

run(
  process.execPath,
  [
    path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    path.join(root, 'scripts', 'src', 'cli.ts'),
    ...process.argv.slice(2),
  ],
  'inherit',
);
