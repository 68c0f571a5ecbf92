/**
 * The embedded store's thread (started by db.ts): the only libsql connection, its statements prepared once per SQL
 * text (libsql never frees them), group commit and the migrations. Answers each request by its id.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import Database from 'libsql';
import { CLOSED, failed, type Failure, type Reply, type Request, type Row, type Settled, type Wire } from './db';
import { runMigrations } from './migrate';

/** Distinct statements kept; the history's queries have a few dozen shapes. */
const MAX_STATEMENTS = 256;

let database: Database.Database | undefined;
/** The SQL texts by number, as the main thread numbered them. */
const texts: string[] = [];
const statements = new Map<string, { statement: Database.Statement; reader: boolean }>();

function opened(): Database.Database {
  if (database === undefined) throw failed(CLOSED);
  return database;
}

function prepare(text: string): { statement: Database.Statement; reader: boolean } {
  let kept = statements.get(text);
  if (kept === undefined) {
    if (statements.size >= MAX_STATEMENTS) statements.clear();
    const statement = opened().prepare(text);
    kept = { statement, reader: statement.reader };
    statements.set(text, kept);
  }
  return kept;
}

const text = (s: Wire): string => (typeof s.sql === 'number' ? texts[s.sql] : s.sql);

function run(s: Wire): Row[] {
  const { statement, reader } = prepare(text(s));
  if (reader && s.first === true) {
    const row = statement.get(s.params) as Row | undefined;
    return row === undefined ? [] : [row];
  }
  if (reader) return statement.all(s.params) as Row[];
  statement.run(s.params);
  return [];
}

/** Runs `fn` between begin and commit (rolled back when it throws); IMMEDIATE: the write lock first (docs/history.md). */
function inTransaction<T>(fn: () => T): T {
  prepare('begin immediate').statement.run();
  try {
    const result = fn();
    prepare('commit').statement.run();
    return result;
  } catch (error) {
    if (database?.inTransaction === true) prepare('rollback').statement.run();
    throw error;
  }
}

/** The error's code and text (SQLite's text names no parameter). */
const failure = (error: unknown): Failure => ({
  message: error instanceof Error ? error.message : 'The history store failed.',
  code: typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'SQLITE_ERROR',
});

function alone(batch: readonly Wire[]): Settled {
  try {
    // A reader alone needs no transaction; a writer alone takes the write lock first, as any transaction.
    const reader = batch.length === 1 && prepare(text(batch[0])).reader;
    return { rows: reader ? [run(batch[0])] : inTransaction(() => batch.map(run)) };
  } catch (error) {
    return { error: failure(error) };
  }
}

/** The batches in one transaction; when that fails, each alone, so one batch's failure fails no other. */
function group(batches: readonly (readonly Wire[])[]): Settled[] {
  if (batches.length === 1) return [alone(batches[0])];
  try {
    return inTransaction(() => batches.map((batch) => batch.map(run))).map((rows) => ({ rows }));
  } catch {
    return batches.map(alone);
  }
}

async function answer(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'open':
      if (request.path !== ':memory:') mkdirSync(dirname(request.path), { recursive: true });
      database = new Database(request.path);
      // WAL: readers never wait for the writer; NORMAL sync is durable across a process crash (not a power cut).
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      database.pragma('busy_timeout = 5000');
      return undefined;
    case 'group':
      return group(request.batches);
    case 'run':
      return run(request.statement);
    case 'migrate': {
      // Kysely's own SQLite dialect on this connection, loaded only when a migration is pending.
      const { Kysely, SqliteDialect } = await import('kysely');
      return runMigrations(new Kysely<unknown>({ dialect: new SqliteDialect({ database: opened() }) }), 'embedded');
    }
    case 'close':
      statements.clear();
      database?.close();
      database = undefined;
      return undefined;
  }
}

parentPort?.on('message', (request: Request) => {
  if (request.texts !== undefined) texts.push(...request.texts);
  void answer(request).then(
    (value) => parentPort?.postMessage({ id: request.id, value } satisfies Reply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: failure(error) } satisfies Reply),
  );
});
