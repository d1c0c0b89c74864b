import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Graph } from './graph';

/** A versioned schema change: a file `NNNN-name.cypher` of `;`-terminated statements. */
export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Where the project's migrations live, beside the compiled and the source code alike. */
export const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');

const FILE_PATTERN = /^(\d{4})-([a-z0-9-]+)\.cypher$/;

/** Splits a migration into statements, dropping `//` comment lines. */
export function parseMigration(fileName: string, text: string): Migration {
  const match = FILE_PATTERN.exec(fileName);
  if (!match) {
    throw new Error(`Migration file ${fileName}: name must look like 0001-some-name.cypher`);
  }
  const body = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  const statements = body
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (statements.length === 0) throw new Error(`Migration file ${fileName} has no statements`);
  return {
    version: Number(match[1]),
    name: match[2] ?? '',
    checksum: createHash('sha256').update(text).digest('hex'),
    statements,
  };
}

/** Reads every migration in `dir`, ordered by version; versions must be unique. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cypher')).sort();
  const migrations = await Promise.all(
    files.map(async (f) => parseMigration(f, await readFile(path.join(dir, f), 'utf8'))),
  );
  const seen = new Set<number>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new Error(`Two migrations have version ${m.version}`);
    seen.add(m.version);
  }
  return migrations;
}

export interface MigrationReport {
  applied: Migration[];
  alreadyApplied: number;
}

/**
 * Applies the migrations that the database has not recorded yet, in order.
 *
 * Each statement must be idempotent (`IF NOT EXISTS`), so two processes migrating at once, or a
 * run interrupted between a statement and its record, converge on the same schema. An applied
 * migration whose file has changed since is an error: migrations are append-only.
 */
export async function migrate(graph: Graph, migrations: Migration[]): Promise<MigrationReport> {
  await graph.write(
    'CREATE CONSTRAINT schema_migration_version IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE',
  );
  const recorded = await graph.read<{ version: number; checksum: string }>(
    'MATCH (m:SchemaMigration) RETURN m.version AS version, m.checksum AS checksum',
  );
  const checksums = new Map(recorded.map((r) => [r.version, r.checksum]));
  const applied: Migration[] = [];
  for (const migration of migrations) {
    const known = checksums.get(migration.version);
    if (known !== undefined) {
      if (known !== migration.checksum) {
        throw new Error(
          `Migration ${migration.version}-${migration.name} was changed after it was applied; add a new migration instead`,
        );
      }
      continue;
    }
    for (const statement of migration.statements) await graph.write(statement);
    await graph.write(
      `MERGE (m:SchemaMigration {version: $version})
       ON CREATE SET m.name = $name, m.checksum = $checksum, m.appliedAt = datetime()`,
      { version: migration.version, name: migration.name, checksum: migration.checksum },
    );
    applied.push(migration);
  }
  return { applied, alreadyApplied: migrations.length - applied.length };
}
