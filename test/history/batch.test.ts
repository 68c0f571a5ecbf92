/**
 * The write path's batches over both engines (group commit on the embedded store): batches sent together are
 * committed when they resolve (another connection reads them), on the embedded store with ids in the order they
 * were sent (PostgreSQL's pool promises no order); one failing batch fails no other; a batch sent while a
 * transaction is open waits for it and is not part of it.
 */
import { openDatabase, type HistoryDb } from '../../src/history/db';
import { migrateToLatest } from '../../src/history/migrate';
import { engines, useEngine, type Location } from './fixture';

const INSERT = 'insert into history_lease (name, holder, expires_ms) values (?, ?, ?) returning name';
const insert = (name: string, expiresMs = 1) => ({ text: INSERT, params: [name, 'test', expiresMs] });

describe.each(engines())('history batches on %s', (engine) => {
  const { fixture } = useEngine(engine);
  let open: HistoryDb[];
  let location: Location;

  async function connect(): Promise<HistoryDb> {
    const db = await openDatabase(location);
    open.push(db);
    return db;
  }

  beforeEach(async () => {
    open = [];
    location = await fixture.location();
    await migrateToLatest(await connect());
  });
  afterEach(async () => {
    await Promise.all(open.map((db) => db.close()));
  });

  const names = async (db: HistoryDb): Promise<string[]> =>
    (await db.batch([{ text: 'select name from history_lease order by name', params: [] }]))[0].map((r) => String(r.name));

  it('commits batches sent together, each readable by another connection once it resolves', async () => {
    const db = await connect();
    const entry = (poolId: string) =>
      db.batch([
        {
          text: "insert into history_entry (pool_id, at, kind, outcome, targets, added, updated, removed, assignments_version) values (?, ?, 'WRITE', 'UNKNOWN', '[]', '[]', '[]', '[]', 'v') returning id",
          params: [poolId, new Date().toISOString()],
        },
      ]);
    const ids = (await Promise.all(['a', 'b', 'c', 'd'].map(entry))).map(([[row]]) => Number(row.id));
    expect(new Set(ids).size).toBe(4);
    const other = await connect();
    const [rows] = await other.batch([{ text: 'select id, pool_id from history_entry order by id', params: [] }]);
    expect(rows.map((r) => Number(r.id)).sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y));
    if (engine === 'embedded') expect(rows.map((r) => r.pool_id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails only the batch that fails: the others sent with it are committed', async () => {
    const db = await connect();
    const results = await Promise.allSettled([
      db.batch([insert('one')]),
      // The second statement repeats the first one's primary key: this batch fails whole (both rolled back).
      db.batch([insert('two'), insert('two')]),
      db.batch([insert('three'), insert('four')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await names(await connect())).toEqual(['four', 'one', 'three']);
  });

  it('waits for an open transaction, and is not part of it when it rolls back', async () => {
    const db = await connect();
    let sent: Promise<unknown> | undefined;
    const rolledBack = db.transaction(async (run) => {
      await run(insert('inside'));
      sent = db.batch([insert('outside')]);
      // A macrotask: the batch's turn comes while the transaction is open.
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    await sent;
    expect(await names(await connect())).toEqual(['outside']);
  });
});
