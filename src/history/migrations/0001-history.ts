/** The history's first tables: entries, the last recorded set per pool, and leases. */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../db';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
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
    .addColumn('restored_from', pg ? 'bigint' : 'integer')
    .addColumn('detail', 'text')
    .addColumn('completed_ms', pg ? 'bigint' : 'integer')
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
    .addColumn('changed_ms', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('history_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_ms', pg ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('completed_ms', pg ? 'bigint' : 'integer')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('history_lease').execute();
  await db.schema.dropTable('history_pool_state').execute();
  await db.schema.dropTable('history_entry').execute();
}
