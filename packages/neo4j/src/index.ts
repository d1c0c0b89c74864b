export {
  createDriver,
  createGraph,
  pipelinedTransaction,
  servingDeadlines,
  type CypherParams,
  type Graph,
  type GraphOptions,
  type GraphTransaction,
  type StatementInfo,
  type StatementObserver,
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
export {
  eachBounded,
  keyPageCondition,
  keyPages,
  prefixEnd,
  type KeyPage,
  type KeyPagesOf,
} from './key-pages';
