import 'server-only';
export { getDb, openDatabase, useDatabase, closeDb, configFromEnv, type Database, type DatabaseConfig } from './connection';
export { migrateToLatest } from './migrate';
export { APP_ROLE, switchToAppRole } from './app-role';
export { DataDirLockedError } from './data-dir-lock';
export type * from './schema';
