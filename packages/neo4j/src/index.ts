export {
  createDriver,
  createGraph,
  type CypherParams,
  type Graph,
  type GraphTransaction,
} from './graph';
export {
  loadMigrations,
  migrate,
  parseMigration,
  MIGRATIONS_DIR,
  type Migration,
  type MigrationReport,
} from './migrations';
export { isoInstant } from './instants';
