/**
 * The history's database: its tables as Kysely sees them, and the two engines behind one query layer. PostgreSQL
 * (DATABASE_URL, `pg`'s pool) is shared by every replica; the embedded store is a libsql file of this process
 * (better-sqlite3's API, which Kysely's SqliteDialect drives as it is). docs/history.md says why these two.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, type Generated, type SqliteDatabase, type SqliteStatement } from 'kysely';
import Database from 'libsql';
import { Pool, types } from 'pg';

export type Engine = 'postgres' | 'embedded';

/** JSON documents are kept as text in both engines (one code path; nothing queries inside them). */
export interface EntryTable {
  id: Generated<number | string>;
  pool_id: string;
  /** timestamptz (PostgreSQL) or ISO-8601 text (embedded); read back as either. */
  at: Date | string;
  kind: string;
  operation: string | null;
  actor: string | null;
  outcome: string;
  targets_before: string | null;
  targets: string;
  added: string;
  updated: string;
  removed: string;
  assignments_version: string;
  request_id: string | null;
  graph_request_id: string | null;
  error_code: string | null;
  restored_from: number | string | null;
  detail: string | null;
  /** Epoch ms when the write's Graph call ended (null: in flight, or never ended); null for observations. */
  completed_ms: number | string | null;
}

/** The last set recorded per pool: what a read is compared with to see an outside change. */
export interface PoolStateTable {
  pool_id: string;
  version: string;
  targets: string;
  /** Epoch ms of the change: a read that started before it is older than the state and is not compared. */
  changed_ms: number | string;
}

/** Named leases (the sweep's): one holder at a time, until `expires_ms`. */
export interface LeaseTable {
  name: string;
  holder: string;
  expires_ms: number | string;
  /** Epoch ms when the last sweep under this lease finished (for the lag metric). */
  completed_ms: number | string | null;
}

/** Idempotency keys (idempotency.ts): a caller's key, the hash of its first request, and that request's state. */
export interface IdempotencyKeyTable {
  caller: string;
  key: string;
  operation: string;
  request_hash: string;
  /** RUNNING, DONE, PARTIAL (done, a repeat runs again with it) or UNKNOWN (Graph may have written). */
  state: string;
  /** The attempt holding the key (a random token). */
  owner: string;
  /** JSON: what rebuilds the answer (ids, targets, names; never an activation code or a token). */
  result: string | null;
  /** Epoch ms when the first attempt started. */
  started_ms: number | string;
  /** Epoch ms after which a RUNNING attempt is taken as dead (its outcome unknown). */
  running_until_ms: number | string;
  expires_ms: number | string;
}

export interface HistoryDatabase {
  history_entry: EntryTable;
  history_pool_state: PoolStateTable;
  history_lease: LeaseTable;
  idempotency_key: IdempotencyKeyTable;
}

export interface HistoryDb {
  engine: Engine;
  db: Kysely<HistoryDatabase>;
}

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'embedded'; path: string };

/** How long a query may wait for a PostgreSQL connection before the store counts as down. */
const CONNECT_TIMEOUT_MS = 5_000;

export function openDatabase(location: StoreLocation): HistoryDb {
  if (location.kind === 'postgres') {
    const pool = new Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
    // An idle client's error (the server went away) must not crash the process: the next query reports it.
    pool.on('error', () => undefined);
    return { engine: 'postgres', db: new Kysely<HistoryDatabase>({ dialect: new PostgresDialect({ pool }) }) };
  }
  if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
  const database = new Database(location.path);
  // WAL: readers never wait for the writer; NORMAL sync is durable across a process crash (not a power cut).
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return { engine: 'embedded', db: new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) }) };
}

/** Distinct statements kept; the history's queries have a few dozen shapes. */
const MAX_STATEMENTS = 256;

/**
 * Kysely prepares a statement per query, and libsql keeps about 3 KB of native memory per prepared statement that
 * garbage collection never returns (measured: +66 MB RSS after 20 000 prepares). Statements are kept per SQL text
 * and reused instead: Kysely's driver runs one query at a time on this connection, so no two uses overlap.
 */
function reusingStatements(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text: string): SqliteStatement {
      let statement = statements.get(text);
      if (statement === undefined) {
        if (statements.size >= MAX_STATEMENTS) statements.clear();
        statement = database.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/** int8 as a JS number: ids and epoch ms stay far below 2^53. */
types.setTypeParser(types.builtins.INT8, (value) => Number(value));
