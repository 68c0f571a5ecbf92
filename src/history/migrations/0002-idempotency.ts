/** Idempotency keys: one row per caller and key, kept until `expires_ms` (IDEMPOTENCY_TTL_S after the first use). */
import type { Kysely } from 'kysely';
import type { Engine } from '../db';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
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

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_key').execute();
}
