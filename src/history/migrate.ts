/**
 * Schema migrations by Kysely's Migrator, in order, once (on PostgreSQL under its advisory lock); the files of
 * ./migrations are listed here so the build needs no file scan.
 */
import { Migrator, type Kysely } from 'kysely';
import type { HistoryDb } from './db';
import * as m0001 from './migrations/0001-history';
import * as m0002 from './migrations/0002-idempotency';

const MIGRATIONS = { '0001-history': m0001, '0002-idempotency': m0002 };

/** Applies every pending migration; resolves with the names applied now (empty: the schema was up to date). */
export async function migrateToLatest({ db, engine }: HistoryDb): Promise<string[]> {
  const migrations = Object.fromEntries(Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (on: Kysely<unknown>) => m.up(on, engine), down: m.down }]));
  const provider = { getMigrations: () => Promise.resolve(migrations) };
  const migrator = new Migrator({ db, provider, migrationTableName: 'history_migration', migrationLockTableName: 'history_migration_lock' });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error')?.migrationName ?? '';
  if (error instanceof Error) throw new Error(`history migration ${failed} failed: ${error.message}`, { cause: error });
  if (error !== undefined) throw new Error(`history migration ${failed} failed`, { cause: error });
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
