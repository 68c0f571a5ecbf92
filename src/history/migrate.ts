/** Schema migrations by Kysely's Migrator, in order, once (PostgreSQL: under its lock), with each engine's types. */
import type { Kysely } from 'kysely';
import type { Engine, HistoryDb } from './db';

/** A 64-bit integer column's type: SQLite's INTEGER is 64-bit already. */
const bigintOf = (engine: Engine): 'bigint' | 'integer' => (engine === 'postgres' ? 'bigint' : 'integer');

/** The history's first tables: entries, the last recorded set per pool, and leases. */
async function history(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const { sql } = await import('kysely');
  const pg = engine === 'postgres';
  const bigint = bigintOf(engine);
  await db.schema
    .createTable('history_entry')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('pool_id', 'text', (c) => c.notNull())
    .addColumn('at', pg ? 'timestamptz' : 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('operation', 'text')
    .addColumn('actor', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('targets_before', 'text')
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('added', 'text', (c) => c.notNull())
    .addColumn('updated', 'text', (c) => c.notNull())
    .addColumn('removed', 'text', (c) => c.notNull())
    .addColumn('assignments_version', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('graph_request_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('restored_from', bigint)
    .addColumn('detail', 'text')
    .addColumn('completed_ms', bigint)
    .execute();
  // A pool's page (newest first) and its writes still UNKNOWN; the feed pages over the primary key; retention by time.
  await db.schema.createIndex('history_entry_pool_id').on('history_entry').columns(['pool_id', 'id']).execute();
  await db.schema.createIndex('history_entry_at').on('history_entry').column('at').execute();
  await db.schema
    .createIndex('history_entry_unknown')
    .on('history_entry')
    .columns(['pool_id', 'id'])
    .where(sql.ref('outcome'), '=', 'UNKNOWN')
    .execute();
  await db.schema
    .createTable('history_pool_state')
    .addColumn('pool_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('changed_ms', bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('history_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_ms', bigint, (c) => c.notNull())
    .addColumn('completed_ms', bigint)
    .execute();
}

/** Idempotency keys: one row per caller and key, kept until `expires_ms` (IDEMPOTENCY_TTL_S after the first use). */
async function idempotency(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const bigint = bigintOf(engine);
  await db.schema
    .createTable('idempotency_key')
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('started_ms', bigint, (c) => c.notNull())
    .addColumn('running_until_ms', bigint, (c) => c.notNull())
    .addColumn('expires_ms', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_key_pk', ['caller', 'key'])
    .execute();
  // Retention deletes by expiry, in small batches.
  await db.schema.createIndex('idempotency_key_expires').on('idempotency_key').column('expires_ms').execute();
}

const MIGRATIONS = { '0001-history': history, '0002-idempotency': idempotency };

/** Applies every pending migration; resolves with the names applied now (empty: the schema was up to date). */
export async function migrateToLatest(database: HistoryDb): Promise<string[]> {
  // No migration table yet (a new store) or no answer: the migrator creates it, or reports the failure.
  const [rows] = await database.batch([{ text: 'select name from history_migration', params: [] }]).catch(() => [[]]);
  const applied = new Set(rows.map((row) => row.name));
  // All recorded as applied: Kysely is not even loaded.
  return Object.keys(MIGRATIONS).every((name) => applied.has(name)) ? [] : database.migrate();
}

/** Kysely's Migrator on `db`, the store's own connections (db.ts); resolves with the names applied. */
export async function runMigrations(db: Kysely<unknown>, engine: Engine): Promise<string[]> {
  const { Migrator } = await import('kysely');
  const migrations = Object.fromEntries(Object.entries(MIGRATIONS).map(([name, up]) => [name, { up: (on: Kysely<unknown>) => up(on, engine) }]));
  const provider = { getMigrations: () => Promise.resolve(migrations) };
  const migrator = new Migrator({ db, provider, migrationTableName: 'history_migration', migrationLockTableName: 'history_migration_lock' });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error')?.migrationName ?? '';
  if (error instanceof Error) throw new Error(`history migration ${failed} failed: ${error.message}`, { cause: error });
  if (error !== undefined) throw new Error(`history migration ${failed} failed`, { cause: error });
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
