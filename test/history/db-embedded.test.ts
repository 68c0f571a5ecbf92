/**
 * The embedded store (src/history/db.ts): `:memory:` works (one connection); each statement runs its own SQL, past
 * the statements kept prepared; a statement's error keeps SQLite's code and names no parameter, and fails no other
 * batch of its group; a store closes once its open transaction has ended, then fails every call with CLOSED; an
 * idle store keeps no process alive; the WAL is checkpointed into the file, and a failed sync fails every later call; another process's write lock is waited for; Kysely loads only for a pending migration.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, promises as fsPromises, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'libsql';
import { openDatabase, type HistoryDb } from '../../src/history/db';
import { migrateToLatest } from '../../src/history/migrate';
import { HistoryStore, HistoryUnavailableError } from '../../src/history/store';

const INSERT = 'insert into history_lease (name, holder, expires_ms) values (?, ?, ?)';
const SECRET = 'param-that-must-not-show';
const DIST = join(__dirname, '..', '..', 'dist', 'history');

let db: HistoryDb;
beforeEach(async () => {
  db = await openDatabase({ kind: 'embedded', path: ':memory:' });
  await migrateToLatest(db);
});
afterEach(() => db.close());

it('keeps a :memory: store across calls: one connection', async () => {
  await db.batch([{ text: INSERT, params: ['a', 'test', 1] }]);
  await db.transaction((run) => run({ text: INSERT, params: ['b', 'test', 2] }));
  const [rows] = await db.batch([{ text: 'select name from history_lease order by name', params: [] }]);
  expect(rows.map((r) => r.name)).toEqual(['a', 'b']);
});

it('runs each statement by its own SQL, past the statements it keeps prepared', async () => {
  const texts = Array.from({ length: 300 }, (_, i) => ({ text: `select ${i} as n`, params: [] }));
  // Twice: the first time each is prepared, the second time some are kept and the rest prepared again.
  for (let round = 0; round < 2; round++) {
    const rows = await Promise.all(texts.map((s) => db.batch([s])));
    expect(rows.map(([[row]]) => row.n)).toEqual(texts.map((_, i) => i));
  }
});

it("answers a failed statement with SQLite's code and text, never its parameters, and fails no other batch", async () => {
  // One turn, one group: the second insert fails, the first and third commit.
  const results = await Promise.allSettled([
    db.batch([{ text: INSERT, params: [SECRET, 'test', 1] }]),
    db.batch([{ text: INSERT, params: [SECRET, 'test', 1] }]),
    db.batch([{ text: INSERT, params: ['other', 'test', 1] }]),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  const error = (results[1] as PromiseRejectedResult).reason as Error & { code: string };
  expect(error.code).toMatch(/^SQLITE_CONSTRAINT/);
  expect(error.message).toContain('history_lease.name');
  expect(error.message).not.toContain(SECRET);
  const [rows] = await db.batch([{ text: 'select count(*) as n from history_lease', params: [] }]);
  expect(rows[0].n).toBe(2);
});

it('closes once the open transaction has ended; every later call fails with HistoryUnavailableError (CLOSED)', async () => {
  const store = new HistoryStore(db);
  let inside!: () => void;
  const entered = new Promise<void>((resolve) => (inside = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const open = store.transaction(async (run) => {
    await run({ text: INSERT, params: ['t', 'test', 1] });
    inside();
    await released;
    return run({ text: 'select count(*) as n from history_lease', params: [] });
  });
  await entered;
  let closed = false;
  const closing = store.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(closed).toBe(false);
  release();
  await expect(open).resolves.toEqual([{ n: 1 }]);
  await closing;
  await expect(store.query('select 1', [])).rejects.toThrow('The history store could not answer (CLOSED).');
  await expect(store.transaction((run) => run({ text: 'select 1', params: [] }))).rejects.toBeInstanceOf(HistoryUnavailableError);
  await expect(db.batch([{ text: 'select 1', params: [] }])).rejects.toMatchObject({ code: 'CLOSED' });
  // Closing again resolves.
  await store.close();
});

it('copies the WAL into the database file every 256 commits (synced, off the event loop) and at close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-checkpoint-'));
  const path = join(dir, 'h.db');
  const file = await openDatabase({ kind: 'embedded', path });
  /** The leases in the database file itself, the WAL ignored. */
  const inFile = (): unknown => {
    const peek = new Database(`file:${path}?immutable=1`);
    try {
      return (peek.prepare('select count(*) as n from history_lease').get() as { n: number }).n;
    } finally {
      peek.close();
    }
  };
  try {
    await migrateToLatest(file);
    // One commit each.
    for (let i = 0; i < 300; i++) await file.batch([{ text: INSERT, params: [`lease-${i}`, 'test', i] }]);
    expect(inFile()).toBe(256);
    await file.close();
    expect(inFile()).toBe(300);
  } finally {
    await file.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('refuses every later call with SYNC_FAILED once a checkpoint could not sync (the WAL is never reused unsynced)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-sync-'));
  const path = join(dir, 'h.db');
  const file = await openDatabase({ kind: 'embedded', path });
  // The disk's failure, which no test can cause for real: the WAL's open for its sync fails once.
  const opened = jest.spyOn(fsPromises, 'open').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, open'), { code: 'EIO' }));
  try {
    await migrateToLatest(file);
    for (let i = 0; i < 256; i++) await file.batch([{ text: INSERT, params: [`lease-${i}`, 'test', i] }]);
    await expect(file.batch([{ text: 'select 1', params: [] }])).rejects.toMatchObject({ code: 'SYNC_FAILED' });
    await expect(new HistoryStore(file).query('select 1', [])).rejects.toThrow('The history store could not answer (SYNC_FAILED).');
    expect(opened).toHaveBeenCalledWith(`${path}-wal`, 'r');
  } finally {
    opened.mockRestore();
    await file.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('keeps no process alive while open and idle', async () => {
  const script = `require(${JSON.stringify(join(DIST, 'db.js'))}).openDatabase({ kind: 'embedded', path: ':memory:' })
    .then((db) => db.batch([{ text: 'select 41 + 1 as n', params: [] }]))
    .then(([[row]]) => console.log(row.n));`;
  // Resolves only once the process has exited by itself: the store was never closed.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
  expect(stdout.trim()).toBe('42');
});

it("waits for another process's write lock: its transaction and writes then see that process's commit, neither fails", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-shared-'));
  const path = join(dir, 'h.db');
  const shared = await openDatabase({ kind: 'embedded', path });
  try {
    await migrateToLatest(shared);
    // Another process takes the write lock, writes, and commits 500 ms later.
    const holder = `const Database = require('libsql'); const db = new Database(${JSON.stringify(path)});
      db.exec('begin immediate'); db.prepare(${JSON.stringify(INSERT)}).run(['from-other', 'test', 1]);
      console.log('locked'); setTimeout(() => { db.exec('commit'); db.close(); }, 500);`;
    const other = spawn(process.execPath, ['-e', holder], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => other.on('exit', resolve));
    await new Promise<void>((resolve) => other.stdout.once('data', () => resolve()));
    // Were the transaction deferred, its read would miss the other's row and its insert fail (SQLITE_BUSY_SNAPSHOT).
    const [seen] = await Promise.all([
      shared.transaction(async (run) => {
        const [row] = await run({ text: 'select count(*) as n from history_lease', params: [] });
        await run({ text: INSERT, params: ['from-transaction', 'test', 1] });
        return row.n;
      }),
      shared.batch([{ text: INSERT, params: ['from-batch', 'test', 1] }]),
    ]);
    expect(seen).toBe(1);
    await exited;
    const [rows] = await shared.batch([{ text: 'select name from history_lease order by name', params: [] }]);
    expect(rows.map((r) => r.name)).toEqual(['from-batch', 'from-other', 'from-transaction']);
  } finally {
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('loads Kysely only when a migration is pending', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'history-kysely-'));
  const script = `const { openDatabase } = require(${JSON.stringify(join(DIST, 'db.js'))});
    const { migrateToLatest } = require(${JSON.stringify(join(DIST, 'migrate.js'))});
    openDatabase({ kind: 'embedded', path: ${JSON.stringify(join(dir, 'h.db'))} })
      .then(async (db) => { const applied = await migrateToLatest(db); await db.close(); return applied; })
      .then((applied) => console.log(JSON.stringify({ applied, kysely: Object.keys(require.cache).some((m) => m.includes('/node_modules/kysely/')) })));`;
  try {
    const runs = [];
    for (let i = 0; i < 2; i++) runs.push(JSON.parse((await promisify(execFile)(process.execPath, ['-e', script])).stdout) as unknown);
    expect(runs).toEqual([
      { applied: ['0001-history', '0002-idempotency'], kysely: true },
      { applied: [], kysely: false },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
