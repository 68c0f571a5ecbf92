/**
 * The history's tables as Kysely sees them and its two engines: PostgreSQL (DATABASE_URL), shared by the replicas,
 * or an embedded libsql file (docs/history.md).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, type Generated, type SqliteStatement } from 'kysely';
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
  /** The query builder, for what is not on a write's path (pages, leases, retention, keys, migrations). */
  db: Kysely<HistoryDatabase>;
  /** Runs the statements in one transaction (one alone: without one); resolves with each one's rows. */
  batch(statements: readonly Statement[]): Promise<Row[][]>;
  /** A transaction with reads between its statements. */
  transaction<T>(fn: (run: RunStatement) => Promise<T>): Promise<T>;
}

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'embedded'; path: string };

/** How long a query may wait for a PostgreSQL connection before the store counts as down. */
const CONNECT_TIMEOUT_MS = 5_000;

export function openDatabase(location: StoreLocation): HistoryDb {
  if (location.kind === 'postgres') {
    const pool = new Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
    // An idle client's error (the server went away) must not crash the process: the next query reports it.
    pool.on('error', () => undefined);
    return postgres(new Kysely<HistoryDatabase>({ dialect: new PostgresDialect({ pool }) }));
  }
  if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
  const database = new Database(location.path);
  // WAL: readers never wait for the writer; NORMAL sync is durable across a process crash (not a power cut).
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  return embedded(database);
}

/** PostgreSQL: each statement's text numbered once (`?` → `$n`), run through Kysely's pool and transactions. */
function postgres(db: Kysely<HistoryDatabase>): HistoryDb {
  const texts = new Map<string, string>();
  const numbered = (text: string): string => {
    let out = texts.get(text);
    if (out === undefined) {
      let n = 0;
      out = text.replace(/\?/g, () => `$${++n}`);
      texts.set(text, out);
    }
    return out;
  };
  const on =
    (q: Kysely<HistoryDatabase>): RunStatement =>
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
function embedded(database: Database.Database): HistoryDb {
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
  let queue: Waiting[] = [];
  let scheduled = false;
  const flush = (): void => {
    const group = queue;
    queue = [];
    scheduled = false;
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
  const flushWhenFree = (): void => {
    if (closed || !database.inTransaction) return flush();
    db.connection()
      .execute(async () => flush())
      .catch((error: unknown) => {
        const group = queue;
        queue = [];
        scheduled = false;
        for (const waiting of group) waiting.reject(error);
      });
  };
  const db = new Kysely<HistoryDatabase>({
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
        queue.push({ list, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flushWhenFree);
        }
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

/** int8 as a JS number: ids and epoch ms stay far below 2^53. */
types.setTypeParser(types.builtins.INT8, (value) => Number(value));
