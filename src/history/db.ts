/**
 * The history's two engines behind one query layer (docs/history.md): PostgreSQL (DATABASE_URL), shared by the
 * replicas, or an embedded libsql file; each driver is loaded only when its store opens.
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type * as KyselyModule from 'kysely';
import type Libsql from 'libsql';
import { isRecord } from '../graph/json';
import { runMigrations } from './migrate';

export type Engine = 'postgres' | 'embedded';

/** One statement: SQL with `?` placeholders (PostgreSQL gets `$1`…) and its parameters. */
export interface Statement {
  text: string;
  params: readonly unknown[];
  /** Only its first row is wanted (libsql's `get`: half the cost of `all`). */
  first?: boolean;
}

export type Row = Record<string, unknown>;

/** Runs one statement on a transaction's connection; resolves with its rows (none without RETURNING). */
export type RunStatement = (statement: Statement) => Promise<Row[]>;

export interface HistoryDb {
  engine: Engine;
  /** Applies the pending migrations on this store's connections (migrate.ts); resolves with the names applied. */
  migrate(): Promise<string[]>;
  /** Closes the connections; later calls reject with CLOSED. */
  close(): Promise<void>;
  /** Runs the statements in one transaction (one alone: without one); resolves with each one's rows. */
  batch(statements: readonly Statement[]): Promise<Row[][]>;
  /** A transaction with reads between its statements. */
  transaction<T>(fn: (run: RunStatement) => Promise<T>): Promise<T>;
}

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'embedded'; path: string };

/** How long a query may wait for a PostgreSQL connection before the store counts as down. */
const CONNECT_TIMEOUT_MS = 5_000;

export async function openDatabase(location: StoreLocation): Promise<HistoryDb> {
  if (location.kind === 'postgres') {
    const kysely = await import('kysely');
    const { Pool, types } = await import('pg');
    // int8 as a JS number: ids and epoch ms stay far below 2^53.
    types.setTypeParser(types.builtins.INT8, (value) => Number(value));
    const pool = new Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
    // An idle client's error (the server went away) must not crash the process: the next query reports it.
    pool.on('error', () => undefined);
    return postgres(kysely, new kysely.Kysely<unknown>({ dialect: new kysely.PostgresDialect({ pool }) }));
  }
  return embedded(location.path);
}

/** PostgreSQL: each statement's placeholders numbered (`?` → `$n`), run through Kysely's pool and transactions. */
function postgres({ CompiledQuery }: typeof KyselyModule, db: KyselyModule.Kysely<unknown>): HistoryDb {
  const numbered = (text: string): string => {
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  };
  const on =
    (q: KyselyModule.Kysely<unknown>): RunStatement =>
    async (s) =>
      (await q.executeQuery<Row>(CompiledQuery.raw(numbered(s.text), [...s.params]))).rows;
  return {
    engine: 'postgres',
    migrate: () => runMigrations(db, 'postgres'),
    close: () => db.destroy(),
    async batch(statements) {
      if (statements.length === 1) return [await on(db)(statements[0])];
      return db.transaction().execute(async (tx) => {
        const out: Row[][] = [];
        for (const s of statements) out.push(await on(tx)(s));
        return out;
      });
    },
    transaction: (fn) => db.transaction().execute((tx) => fn(on(tx))),
  };
}

type Failure = { message: string; code: string };
const CLOSED: Failure = { message: 'The history store is closed.', code: 'CLOSED' };
const SYNC_FAILED: Failure = { message: 'The history store could not sync its file to the disk.', code: 'SYNC_FAILED' };

/** Group commits between two checkpoints (a few frames each: the WAL stays within a few MB). */
const CHECKPOINT_EVERY = 256;

/** Flushes a file to the disk on libuv's thread pool (a file not there yet has nothing to flush). */
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    if (isRecord(error) && error.code === 'ENOENT') return undefined;
    throw error;
  });
  try {
    await handle?.sync();
  } finally {
    await handle?.close();
  }
}

/** Distinct statements kept; the history's queries have a few dozen shapes. */
const MAX_STATEMENTS = 256;

/** A batch waiting for the next group commit. */
type Waiting = { list: readonly Statement[]; resolve: (rows: Row[][]) => void; reject: (error: unknown) => void };

/**
 * The embedded engine: one libsql connection, statements prepared once per SQL text (libsql never frees them); the
 * batches of one event-loop turn commit together (group commit, docs/history.md); transactions and migrations are
 * exclusive sections, in order, that groups wait for.
 */
async function embedded(path: string): Promise<HistoryDb> {
  const { default: Database } = await import('libsql');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  try {
    // WAL: readers never wait for the writer. SQLite syncs nothing itself: checkpoint() makes NORMAL's syncs, awaited.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = OFF');
    database.pragma('wal_autocheckpoint = 0');
    database.pragma('busy_timeout = 5000');
    // 512 KiB of page cache, not SQLite's 2 MiB: the journal's hot pages (the table's last, each pool's index leaves) fit.
    database.pragma('cache_size = -512');
  } catch (error) {
    // Not a database (or not ours to write): closed here, reported by the caller with the variable's name.
    database.close();
    throw error;
  }
  /** Set once closed, or once a sync failed: every call then fails with it. */
  let closed: Failure | undefined;
  /** Commits since the last checkpoint. */
  let commits = 0;
  const statements = new Map<string, { statement: Libsql.Statement; reader: boolean }>();
  const prepare = (text: string): { statement: Libsql.Statement; reader: boolean } => {
    if (closed) throw Object.assign(new Error(closed.message), { code: closed.code });
    let kept = statements.get(text);
    if (kept === undefined) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      const statement = database.prepare(text);
      kept = { statement, reader: statement.reader };
      statements.set(text, kept);
    }
    return kept;
  };
  const run = ({ text, params, first }: Statement): Row[] => {
    const { statement, reader } = prepare(text);
    if (reader && first === true) {
      const row = statement.get(params) as Row | undefined;
      return row === undefined ? [] : [row];
    }
    if (reader) return statement.all(params) as Row[];
    statement.run(params);
    return [];
  };
  // IMMEDIATE: the write lock first, so that another process's write waits instead of failing (docs/history.md).
  const begin = (): void => void prepare('begin immediate').statement.run();
  const commit = (): void => {
    prepare('commit').statement.run();
    if (++commits === CHECKPOINT_EVERY) void checkpoint().catch(() => undefined);
  };
  const rollback = (): void => {
    if (closed === undefined && database.inTransaction) prepare('rollback').statement.run();
  };
  /** Runs `fn` between begin and commit, synchronously (rolled back when it throws). */
  const inTransaction = <T>(fn: () => T): T => {
    begin();
    try {
      const result = fn();
      commit();
      return result;
    } catch (error) {
      rollback();
      throw error;
    }
  };
  /** A batch alone: a reader needs no transaction; a writer alone takes the write lock first, as any transaction. */
  const alone = ({ list, resolve, reject }: Waiting): void => {
    try {
      resolve(list.length === 1 && prepare(list[0].text).reader ? [run(list[0])] : inTransaction(() => list.map(run)));
    } catch (error) {
      reject(error);
    }
  };

  let tail: Promise<unknown> = Promise.resolve();
  let sections = 0;
  /** Runs `fn` alone: after every section before it, before every one after it. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    sections++;
    const result = tail.then(fn).finally(() => sections--);
    tail = result.catch(() => undefined);
    return result;
  };

  /**
   * NORMAL's syncs without blocking the event loop (docs/history.md): the WAL synced, its frames copied into the
   * database file, that file synced, all before the next write may reuse the WAL; writes wait meanwhile.
   */
  const checkpoint = (): Promise<void> =>
    exclusive(async () => {
      commits = 0;
      if (closed || path === ':memory:') return;
      try {
        await syncFile(`${path}-wal`);
        database.pragma('wal_checkpoint(PASSIVE)');
        await syncFile(path);
      } catch (error) {
        // The WAL must not be reused unsynced: the store refuses every later call, as a store that is down does.
        closed = SYNC_FAILED;
        statements.clear();
        database.close();
        throw error;
      }
    });
  const queue: Waiting[] = [];
  /** The batches queued in one transaction; when that fails, each alone, so one batch's failure fails no other. */
  const flush = (): void => {
    const group = queue.splice(0);
    if (group.length === 1) return alone(group[0]);
    let results: Row[][][];
    try {
      results = inTransaction(() => group.map(({ list }) => list.map(run)));
    } catch {
      return group.forEach(alone);
    }
    group.forEach(({ resolve }, i) => resolve(results[i]));
  };

  return {
    engine: 'embedded',
    migrate: () =>
      exclusive(async () => {
        // Kysely's own SQLite dialect on this connection, loaded only when a migration is pending.
        const { Kysely, SqliteDialect } = await import('kysely');
        return runMigrations(new Kysely<unknown>({ dialect: new SqliteDialect({ database }) }), 'embedded');
      }),
    close: async () => {
      if (closed) return;
      // Synced first; SQLite's own checkpoint at close (of what other processes wrote since) then syncs as NORMAL.
      await checkpoint().catch(() => undefined);
      if (closed) return;
      closed = CLOSED;
      statements.clear();
      database.pragma('synchronous = NORMAL');
      database.close();
    },
    batch: (list) =>
      new Promise((resolve, reject) => {
        if (queue.push({ list, resolve, reject }) === 1) setImmediate(() => (sections === 0 ? flush() : void exclusive(async () => flush())));
      }),
    transaction: (fn) =>
      exclusive(async () => {
        begin();
        try {
          const result = await fn(async (statement) => run(statement));
          commit();
          return result;
        } catch (error) {
          rollback();
          throw error;
        }
      }),
  };
}
