/**
 * The embedded store's thread (src/history/db-worker.ts): `:memory:` works (the thread owns the only connection);
 * each statement runs its own SQL (texts cross once, then by number); a statement's error keeps SQLite's code and
 * names no parameter; a dead thread fails every pending and later call with HistoryUnavailableError (no hang, no
 * crash); an open but idle store keeps no process alive.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { openDatabase, type HistoryDb } from '../../src/history/db';
import { migrateToLatest } from '../../src/history/migrate';
import { HistoryStore, HistoryUnavailableError } from '../../src/history/store';

const INSERT = 'insert into history_lease (name, holder, expires_ms) values (?, ?, ?)';
const SECRET = 'param-that-must-not-show';

/** Every thread the store starts, so a test can take its own down. */
const mockThreads: Worker[] = [];
jest.mock('node:worker_threads', () => {
  const actual = jest.requireActual<typeof WorkerThreads>('node:worker_threads');
  class Recorded extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      mockThreads.push(this);
    }
  }
  return { ...actual, Worker: Recorded };
});

let db: HistoryDb;
let thread: Worker;
beforeEach(async () => {
  mockThreads.length = 0;
  db = await openDatabase({ kind: 'embedded', path: ':memory:' });
  await migrateToLatest(db);
  expect(mockThreads).toHaveLength(1);
  thread = mockThreads[0];
});
afterEach(() => db.close());

it('keeps a :memory: store across calls: the thread owns its only connection', async () => {
  await db.batch([{ text: INSERT, params: ['a', 'test', 1] }]);
  await db.transaction((run) => run({ text: INSERT, params: ['b', 'test', 2] }));
  const [rows] = await db.batch([{ text: 'select name from history_lease order by name', params: [] }]);
  expect(rows.map((r) => r.name)).toEqual(['a', 'b']);
});

it('runs each statement by its own SQL, past the texts the thread keeps by number too', async () => {
  const texts = Array.from({ length: 1100 }, (_, i) => ({ text: `select ${i} as n`, params: [] }));
  // Twice: the first time each text crosses, the second time its number (or, past the kept ones, its text again).
  for (let round = 0; round < 2; round++) {
    const rows = await Promise.all(texts.map((s) => db.batch([s])));
    expect(rows.map(([[row]]) => row.n)).toEqual(texts.map((_, i) => i));
  }
});

it("answers a failed statement with SQLite's code and text, never its parameters", async () => {
  const results = await Promise.allSettled([db.batch([{ text: INSERT, params: [SECRET, 'test', 1] }]), db.batch([{ text: INSERT, params: [SECRET, 'test', 1] }])]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  const error = (results[1] as PromiseRejectedResult).reason as Error & { code: string };
  expect(error.code).toMatch(/^SQLITE_CONSTRAINT/);
  expect(error.message).toContain('history_lease.name');
  expect(error.message).not.toContain(SECRET);
});

it('fails every pending and later call with HistoryUnavailableError once its thread has died', async () => {
  const store = new HistoryStore(db);
  let inside!: () => void;
  const entered = new Promise<void>((resolve) => (inside = resolve));
  const open = store.transaction(async (run) => {
    await run({ text: INSERT, params: ['t', 'test', 1] });
    inside();
    // Pending while the thread dies.
    return run({ text: 'select 1 as one', params: [] });
  });
  await entered;
  const pending = store.query('select 1', []);
  // A message the thread cannot read: its handler throws, and the thread dies as on any uncaught error.
  thread.postMessage(null);
  for (const call of [open, pending]) await expect(call).rejects.toBeInstanceOf(HistoryUnavailableError);
  await expect(store.query('select 1', [])).rejects.toThrow('The history store could not answer (CLOSED).');
  await expect(store.transaction((run) => run({ text: 'select 1', params: [] }))).rejects.toBeInstanceOf(HistoryUnavailableError);
  // Closing a store whose thread is gone resolves.
  await store.close();
});

it('rejects calls after close with CLOSED', async () => {
  await db.close();
  await expect(db.batch([{ text: 'select 1', params: [] }])).rejects.toMatchObject({ code: 'CLOSED' });
  await expect(new HistoryStore(db).query('select 1', [])).rejects.toBeInstanceOf(HistoryUnavailableError);
});

it('keeps no process alive while open and idle', async () => {
  const built = join(__dirname, '..', '..', 'dist', 'history', 'db.js');
  const script = `require(${JSON.stringify(built)}).openDatabase({ kind: 'embedded', path: ':memory:' })
    .then((db) => db.batch([{ text: 'select 41 + 1 as n', params: [] }]))
    .then(([[row]]) => console.log(row.n));`;
  // Resolves only once the process has exited by itself: the store was never closed.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
  expect(stdout.trim()).toBe('42');
});

it('two stores on one file: a transaction and the other store\'s write wait for each other, neither fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-shared-'));
  const [a, b] = [await openDatabase({ kind: 'embedded', path: join(dir, 'h.db') }), await openDatabase({ kind: 'embedded', path: join(dir, 'h.db') })];
  try {
    await migrateToLatest(a);
    let other: Promise<unknown> = Promise.resolve();
    await a.transaction(async (run) => {
      await run({ text: 'select count(*) as n from history_lease', params: [] });
      other = b.batch([{ text: INSERT, params: ['from-b', 'test', 1] }]);
      // b's write must wait for a's lock. Were a's transaction deferred, b would commit here (ending the wait early)
      // and a's insert below would fail with SQLITE_BUSY_SNAPSHOT.
      await Promise.race([other.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await run({ text: INSERT, params: ['from-a', 'test', 1] });
    });
    await other;
    const [rows] = await b.batch([{ text: 'select name from history_lease order by name', params: [] }]);
    expect(rows.map((r) => r.name)).toEqual(['from-a', 'from-b']);
  } finally {
    await Promise.all([a.close(), b.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});

it('loads Kysely only when a migration is pending, and then on the store\'s thread alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-kysely-'));
  const dist = join(__dirname, '..', '..', 'dist', 'history');
  const loads = join(dir, 'loads');
  // Preloaded in every thread of the child: appends which thread asked for Kysely.
  const preload = join(dir, 'preload.js');
  writeFileSync(
    preload,
    `const Module = require('node:module');
    const load = Module._load;
    Module._load = function (request, ...rest) {
      if (request === 'kysely') require('node:fs').appendFileSync(${JSON.stringify(loads)}, require('node:worker_threads').isMainThread ? 'main\\n' : 'thread\\n');
      return load.call(this, request, ...rest);
    };`,
  );
  const script = `const { openDatabase } = require(${JSON.stringify(join(dist, 'db.js'))});
    const { migrateToLatest } = require(${JSON.stringify(join(dist, 'migrate.js'))});
    openDatabase({ kind: 'embedded', path: ${JSON.stringify(join(dir, 'h.db'))} })
      .then(async (db) => { const applied = await migrateToLatest(db); await db.close(); return applied; })
      .then((applied) => console.log(JSON.stringify(applied)));`;
  try {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const applied = JSON.parse((await promisify(execFile)(process.execPath, ['-r', preload, '-e', script])).stdout) as unknown;
      runs.push({ applied, loads: existsSync(loads) ? [...new Set(readFileSync(loads, 'utf8').split('\n').filter(Boolean))] : [] });
      rmSync(loads, { force: true });
    }
    expect(runs).toEqual([
      { applied: ['0001-history', '0002-idempotency'], loads: ['thread'] },
      { applied: [], loads: [] },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
