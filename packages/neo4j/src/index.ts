export { createDriver, createGraph, type CypherParams, type Graph } from './graph';
export {
  loadMigrations,
  migrate,
  parseMigration,
  MIGRATIONS_DIR,
  type Migration,
  type MigrationReport,
} from './migrations';
