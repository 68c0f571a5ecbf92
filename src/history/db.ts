/**
 * The history's two engines behind one query layer (docs/history.md): PostgreSQL (DATABASE_URL), shared by the
 * replicas, or an embedded libsql file on its own thread; each driver is loaded only when its store opens.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as KyselyModule from 'kysely';
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
  /** Closes the connections (the embedded store's thread ends). */
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

/** A statement as it crosses to the thread: its SQL by number once the thread has its text (`texts`), else the text. */
export type Wire = { sql: number | string; params: readonly unknown[]; first?: boolean };
/** A request to the embedded store's thread (db-worker.ts), answered by a Reply with its id; `texts` get the next numbers. */
export type Request = { id: number; texts?: string[] } & (
  { op: 'open'; path: string } | { op: 'group'; batches: Wire[][] } | { op: 'run'; statement: Wire } | { op: 'migrate' | 'close' }
);
/** A database error as it crosses threads: its code (SQLITE_*, CLOSED) and SQLite's text. */
export type Failure = { message: string; code: string };
export type Settled = { rows: Row[][] } | { error: Failure };
export type Reply = { id: number; value?: unknown; error?: Failure };

export const failed = ({ message, code }: Failure): Error => Object.assign(new Error(message), { code });
export const CLOSED: Failure = { message: 'The history store is closed.', code: 'CLOSED' };

/** The thread's compiled script: beside this module in dist/; from src/ (ts-jest), the build's copy. */
function workerScript(): string {
  const script = __filename.endsWith('.ts') ? join(__dirname, '../../dist/history/db-worker.js') : join(__dirname, 'db-worker.js');
  if (!existsSync(script)) throw new Error(`The embedded history store's thread script ${script} is missing: run npm run build.`);
  return script;
}

/** SQL texts numbered; past this, statements cross with their text. */
const MAX_TEXTS = 1024;

/** A batch waiting for the next group commit. */
type Waiting = { list: readonly Statement[]; resolve: (rows: Row[][]) => void; reject: (error: unknown) => void };

/**
 * The embedded engine: libsql on its own thread (db-worker.ts). The batches of one event-loop turn commit together
 * (group commit, docs/history.md); transactions and migrations are exclusive sections, in order, that groups wait for.
 */
async function embedded(path: string): Promise<HistoryDb> {
  const worker = new Worker(workerScript());
  const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  let next = 0;
  /** Set once closed or the thread has gone: every call then rejects with it. */
  let gone: Failure | undefined;
  const end = (failure: Failure): void => {
    gone ??= failure;
    for (const call of calls.values()) call.reject(failed(gone));
    calls.clear();
  };
  worker.on('message', ({ id, value, error }: Reply) => {
    const call = calls.get(id);
    calls.delete(id);
    // An idle store's thread keeps no process alive.
    if (calls.size === 0) worker.unref();
    if (error !== undefined) call?.reject(failed(error));
    else call?.resolve(value);
  });
  // The thread's own failure (its script or libsql could not load): no statement's parameters in it.
  worker.on('error', (error) => end({ message: `The history store's thread failed: ${error.message}`, code: 'CLOSED' }));
  worker.on('exit', () => end(CLOSED));
  // A group's SQL texts were two thirds of its cost to copy across: each text crosses once, then its number.
  const numbers = new Map<string, number>();
  let texts: string[] = [];
  const wire = ({ text, params, first }: Statement): Wire => {
    let sql: number | string | undefined = numbers.get(text);
    if (sql === undefined && numbers.size < MAX_TEXTS) {
      numbers.set(text, (sql = numbers.size));
      texts.push(text);
    }
    return { sql: sql ?? text, params, first };
  };
  /** Posts the request with the texts numbered since the last one (the thread reads requests in order). */
  const call = (request: Request): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (gone !== undefined) return reject(failed(gone));
      if (calls.size === 0) worker.ref();
      calls.set(request.id, { resolve, reject });
      if (texts.length > 0) [request.texts, texts] = [texts, []];
      worker.postMessage(request);
    });
  const run: RunStatement = (statement) => call({ id: ++next, op: 'run', statement: wire(statement) }) as Promise<Row[]>;

  let tail: Promise<unknown> = Promise.resolve();
  let sections = 0;
  /** Runs `fn` alone: after every section before it, before every one after it. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    sections++;
    const result = tail.then(fn).finally(() => sections--);
    tail = result.catch(() => undefined);
    return result;
  };

  const queue: Waiting[] = [];
  const flush = async (): Promise<void> => {
    const group = queue.splice(0);
    try {
      const results = (await call({ id: ++next, op: 'group', batches: group.map((waiting) => waiting.list.map(wire)) })) as Settled[];
      group.forEach((waiting, i) => {
        const settled = results[i];
        if ('rows' in settled) waiting.resolve(settled.rows);
        else waiting.reject(failed(settled.error));
      });
    } catch (error) {
      group.forEach((waiting) => waiting.reject(error));
    }
  };

  const close = async (): Promise<void> => {
    if (gone !== undefined) return;
    await call({ id: ++next, op: 'close' }).catch(() => undefined);
    end(CLOSED);
    await worker.terminate();
  };

  try {
    await call({ id: ++next, op: 'open', path });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    engine: 'embedded',
    migrate: () => exclusive(() => call({ id: ++next, op: 'migrate' })) as Promise<string[]>,
    close,
    batch: (list) =>
      new Promise((resolve, reject) => {
        if (queue.push({ list, resolve, reject }) === 1) setImmediate(() => void (sections === 0 ? flush() : exclusive(flush)));
      }),
    transaction: (fn) =>
      exclusive(async () => {
        await run({ text: 'begin immediate', params: [] });
        try {
          const result = await fn(run);
          await run({ text: 'commit', params: [] });
          return result;
        } catch (error) {
          await run({ text: 'rollback', params: [] }).catch(() => undefined);
          throw error;
        }
      }),
  };
}
