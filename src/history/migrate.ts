/**
 * Schema migrations by Kysely's Migrator, in order, once (on PostgreSQL under its advisory lock); the files of
 * ./migrations are listed here so the build needs no file scan.
 */
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { HistoryDb } from './db';
import * as m0001 from './migrations/0001-history';
import * as m0002 from './migrations/0002-idempotency';

const MIGRATIONS = { '0001-history': m0001, '0002-idempotency': m0002 } as const;

class StaticMigrations implements MigrationProvider {
  constructor(private readonly db: HistoryDb) {}

  getMigrations(): Promise<Record<string, Migration>> {
    const { engine } = this.db;
    const out: Record<string, Migration> = {};
    for (const [name, migration] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db) => migration.up(db, engine), down: (db) => migration.down(db) };
    }
    return Promise.resolve(out);
  }
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Applies every pending migration; resolves with the names applied now (empty: the schema was up to date). */
export async function migrateToLatest(db: HistoryDb): Promise<string[]> {
  const migrator = new Migrator({
    db: db.db,
    provider: new StaticMigrations(db),
    migrationTableName: 'history_migration',
    migrationLockTableName: 'history_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(`history migration ${failed ?? ''} failed: ${messageOf(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
