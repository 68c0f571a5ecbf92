/**
 * The history's two engines behind one query layer: PostgreSQL (DATABASE_URL), shared by the replicas, or an
 * embedded libsql file (docs/history.md). Each engine's driver is loaded only when its store is opened.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as KyselyModule from 'kysely';
import type { Kysely, SqliteStatement } from 'kysely';
import type Database from 'libsql';

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
  /** Kysely on the same connections, for the migrations and for closing (`destroy`). */
  db: Kysely<unknown>;
  /** Runs the statements in one transaction (one alone: without one); resolves with each one's rows. */
  batch(statements: readonly Statement[]): Promise<Row[][]>;
  /** A transaction with reads between its statements. */
  transaction<T>(fn: (run: RunStatement) => Promise<T>): Promise<T>;
}

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'embedded'; path: string };

/** How long a query may wait for a PostgreSQL connection before the store counts as down. */
const CONNECT_TIMEOUT_MS = 5_000;

export async function openDatabase(location: StoreLocation): Promise<HistoryDb> {
  const kysely = await import('kysely');
  if (location.kind === 'postgres') {
    const { Pool, types } = await import('pg');
    // int8 as a JS number: ids and epoch ms stay far below 2^53.
    types.setTypeParser(types.builtins.INT8, (value) => Number(value));
    const pool = new Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
    // An idle client's error (the server went away) must not crash the process: the next query reports it.
    pool.on('error', () => undefined);
    return postgres(kysely, new kysely.Kysely<unknown>({ dialect: new kysely.PostgresDialect({ pool }) }));
  }
  const { default: Libsql } = await import('libsql');
  if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
  const database = new Libsql(location.path);
  // WAL: readers never wait for the writer; NORMAL sync is durable across a process crash (not a power cut).
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return embedded(kysely, database);
}

/** PostgreSQL: each statement's placeholders numbered (`?` → `$n`), run through Kysely's pool and transactions. */
function postgres({ CompiledQuery }: typeof KyselyModule, db: Kysely<unknown>): HistoryDb {
  const numbered = (text: string): string => {
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  };
  const on =
    (q: Kysely<unknown>): RunStatement =>
    async (s) =>
      (await q.executeQuery<Row>(CompiledQuery.raw(numbered(s.text), [...s.params]))).rows;
  return {
    engine: 'postgres',
    db,
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

/** Distinct statements kept; the history's queries have a few dozen shapes. */
const MAX_STATEMENTS = 256;

type Prepared = { statement: SqliteStatement & Database.Statement; reader: boolean };

/** A batch waiting for the next group commit. */
type Waiting = { list: readonly Statement[]; resolve: (rows: Row[][]) => void; reject: (error: unknown) => void };

/**
 * The embedded engine: statements prepared once per SQL text (libsql never frees them), and group commit: the
 * batches of one event-loop turn in one transaction, each caller resolving once committed (docs/history.md).
 */
function embedded({ Kysely, SqliteDialect }: typeof KyselyModule, database: Database.Database): HistoryDb {
  const statements = new Map<string, Prepared>();
  let closed = false;
  const prepare = (text: string): Prepared => {
    if (closed) throw Object.assign(new Error('The history store is closed.'), { code: 'CLOSED' });
    let kept = statements.get(text);
    if (kept === undefined) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      const statement = database.prepare(text);
      kept = { statement, reader: statement.reader };
      statements.set(text, kept);
    }
    return kept;
  };
  const runNow = (s: Statement): Row[] => {
    const { statement, reader } = prepare(s.text);
    if (reader && s.first === true) {
      const row = statement.get(s.params) as Row | undefined;
      return row === undefined ? [] : [row];
    }
    if (reader) return statement.all(s.params) as Row[];
    statement.run(s.params);
    return [];
  };
  const rollback = (): void => {
    if (!closed && database.inTransaction) prepare('rollback').statement.run();
  };
  /** Runs `fn` between begin and commit (rolled back when it throws). */
  const inTransaction = <T>(fn: () => T): T => {
    prepare('begin').statement.run();
    try {
      const result = fn();
      prepare('commit').statement.run();
      return result;
    } catch (error) {
      rollback();
      throw error;
    }
  };
  const alone = (waiting: Waiting): void => {
    try {
      waiting.resolve(waiting.list.length === 1 ? [runNow(waiting.list[0])] : inTransaction(() => waiting.list.map(runNow)));
    } catch (error) {
      waiting.reject(error);
    }
  };
  const queue: Waiting[] = [];
  const flush = (): void => {
    const group = queue.splice(0);
    if (group.length === 1) return alone(group[0]);
    let results: Row[][][];
    try {
      results = inTransaction(() => group.map((waiting) => waiting.list.map(runNow)));
    } catch {
      // One batch's failure must not fail the others: each alone, in its own transaction.
      return group.forEach(alone);
    }
    group.forEach((waiting, i) => waiting.resolve(results[i]));
  };
  /** The group of this turn, now, or once the transaction holding the connection has ended. */
  const flushWhenFree = (): void => {
    if (closed || !database.inTransaction) return flush();
    db.connection()
      .execute(async () => flush())
      .catch((error: unknown) => queue.splice(0).forEach((waiting) => waiting.reject(error)));
  };
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({
      database: {
        close: () => {
          closed = true;
          database.close();
        },
        prepare: (text) => prepare(text).statement,
      },
    }),
  });
  return {
    engine: 'embedded',
    db,
    batch: (list) =>
      new Promise((resolve, reject) => {
        if (queue.push({ list, resolve, reject }) === 1) setImmediate(flushWhenFree);
      }),
    transaction: (fn) =>
      db.connection().execute(async () => {
        prepare('begin').statement.run();
        try {
          const result = await fn(async (s) => runNow(s));
          prepare('commit').statement.run();
          return result;
        } catch (error) {
          rollback();
          throw error;
        }
      }),
  };
}
