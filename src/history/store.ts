/**
 * The history store over either engine (one Kysely query layer): entries, the last recorded set per pool, and
 * leases. Every method either does what it says or throws HistoryUnavailableError (the database could not answer):
 * callers never see a driver's error, and no message carries DATABASE_URL.
 */
import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { WireAssignmentTarget } from '../graph/models';
import type { HistoryDatabase, HistoryDb, EntryTable } from './db';
import { type HistoryKind, WriteOutcome, type HistoryActor, type HistoryEntry } from './types';

const HISTORY_ERROR_BRAND = Symbol.for('esim-pools-subgraph.HistoryUnavailableError');

/** The history's database could not answer (down, unreachable, full): nothing was recorded. */
export class HistoryUnavailableError extends Error {
  override readonly name = 'HistoryUnavailableError';
  readonly [HISTORY_ERROR_BRAND] = true;
}

export function isHistoryUnavailable(error: unknown): error is HistoryUnavailableError {
  return typeof error === 'object' && error !== null && HISTORY_ERROR_BRAND in error && error[HISTORY_ERROR_BRAND] === true;
}

/** The driver's error without its text (a connection error can name the host and user): its code only. */
function unavailable(error: unknown): HistoryUnavailableError {
  if (isHistoryUnavailable(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'error';
  return new HistoryUnavailableError(`The history store could not answer (${code}).`, { cause: error });
}

/** A new entry: everything but its id. */
export type NewEntry = Omit<HistoryEntry, 'id'> & { completedMs?: number | null };

/** What completing a write may change. */
export interface EntryCompletion {
  outcome: WriteOutcome;
  targetsBefore?: WireAssignmentTarget[] | null;
  targets?: WireAssignmentTarget[];
  added?: WireAssignmentTarget[];
  updated?: WireAssignmentTarget[];
  removed?: WireAssignmentTarget[];
  assignmentsVersion?: string;
  poolId?: string;
  graphRequestId?: string | null;
  errorCode?: string | null;
  detail?: Record<string, string | number> | null;
  completedMs: number;
}

/** The set a pool now has, as recorded. */
export interface PoolState {
  version: string;
  targets: WireAssignmentTarget[];
  changedMs: number;
}

export interface EntryQuery {
  poolId?: string;
  since?: string;
  kinds?: readonly HistoryKind[];
  /** Entries with a smaller id than this one (the keyset cursor). */
  beforeId?: number;
  limit: number;
}

const json = (value: unknown): string => JSON.stringify(value);
const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const ms = (value: number | string | null): number | null => (value === null ? null : Number(value));
const iso = (value: Date | string): string => (value instanceof Date ? value.toISOString() : value);

/** Pool ids are GUIDs Graph does not promise the case of: one pool, one key. */
export const poolKey = (poolId: string): string => poolId.toLowerCase();

export function toEntry(row: Selectable<EntryTable>): HistoryEntry & { completedMs: number | null } {
  return {
    id: String(row.id),
    poolId: row.pool_id,
    at: iso(row.at),
    kind: row.kind as HistoryKind,
    operation: row.operation,
    actor: parse<HistoryActor>(row.actor),
    outcome: row.outcome as WriteOutcome,
    targetsBefore: parse<WireAssignmentTarget[]>(row.targets_before),
    targets: parse<WireAssignmentTarget[]>(row.targets) ?? [],
    added: parse<WireAssignmentTarget[]>(row.added) ?? [],
    updated: parse<WireAssignmentTarget[]>(row.updated) ?? [],
    removed: parse<WireAssignmentTarget[]>(row.removed) ?? [],
    assignmentsVersion: row.assignments_version,
    requestId: row.request_id,
    graphRequestId: row.graph_request_id,
    errorCode: row.error_code,
    restoredFrom: row.restored_from === null ? null : String(row.restored_from),
    detail: parse<Record<string, string | number>>(row.detail),
    completedMs: ms(row.completed_ms),
  };
}

type Db = Kysely<HistoryDatabase> | Transaction<HistoryDatabase>;

export class HistoryStore {
  readonly engine: HistoryDb['engine'];
  private readonly db: Kysely<HistoryDatabase>;

  constructor(database: HistoryDb) {
    this.engine = database.engine;
    this.db = database.db;
  }

  /** Runs `fn` in a transaction; any database failure is HistoryUnavailableError. */
  async transaction<T>(fn: (tx: Transaction<HistoryDatabase>) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(fn);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Runs `fn` on the database; any database failure is HistoryUnavailableError. */
  use<T>(fn: (db: Kysely<HistoryDatabase>) => Promise<T>): Promise<T> {
    return this.run(fn);
  }

  private async run<T>(fn: (db: Kysely<HistoryDatabase>) => Promise<T>): Promise<T> {
    try {
      return await fn(this.db);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Inserts an entry; resolves with its id. */
  insert(entry: NewEntry, db?: Db): Promise<string> {
    const write = async (on: Db): Promise<string> => {
      const row = await on
        .insertInto('history_entry')
        .values({
          pool_id: poolKey(entry.poolId),
          at: entry.at,
          kind: entry.kind,
          operation: entry.operation,
          actor: entry.actor === null ? null : json(entry.actor),
          outcome: entry.outcome,
          targets_before: entry.targetsBefore === null ? null : json(entry.targetsBefore),
          targets: json(entry.targets),
          added: json(entry.added),
          updated: json(entry.updated),
          removed: json(entry.removed),
          assignments_version: entry.assignmentsVersion,
          request_id: entry.requestId,
          graph_request_id: entry.graphRequestId,
          error_code: entry.errorCode,
          restored_from: entry.restoredFrom === null ? null : Number(entry.restoredFrom),
          detail: entry.detail === null ? null : json(entry.detail),
          completed_ms: entry.completedMs ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return String(row.id);
    };
    return db ? write(db) : this.run(write);
  }

  /** Changes an entry (its plan once the set before is read, or its outcome once Graph answered). */
  update(id: string, change: Partial<EntryCompletion>, db?: Db): Promise<void> {
    const values: Updateable<EntryTable> = {};
    if (change.outcome !== undefined) values.outcome = change.outcome;
    if (change.targetsBefore !== undefined) values.targets_before = change.targetsBefore === null ? null : json(change.targetsBefore);
    if (change.targets !== undefined) values.targets = json(change.targets);
    if (change.added !== undefined) values.added = json(change.added);
    if (change.updated !== undefined) values.updated = json(change.updated);
    if (change.removed !== undefined) values.removed = json(change.removed);
    if (change.assignmentsVersion !== undefined) values.assignments_version = change.assignmentsVersion;
    if (change.poolId !== undefined) values.pool_id = poolKey(change.poolId);
    if (change.graphRequestId !== undefined) values.graph_request_id = change.graphRequestId;
    if (change.errorCode !== undefined) values.error_code = change.errorCode;
    if (change.detail !== undefined) values.detail = change.detail === null ? null : json(change.detail);
    if (change.completedMs !== undefined) values.completed_ms = change.completedMs;
    const write = async (on: Db): Promise<void> => {
      await on.updateTable('history_entry').set(values).where('id', '=', Number(id)).execute();
    };
    return db ? write(db) : this.run(write);
  }

  async get(id: string): Promise<HistoryEntry | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const row = await this.run((db) => db.selectFrom('history_entry').selectAll().where('id', '=', Number(id)).executeTakeFirst());
    return row === undefined ? undefined : toEntry(row);
  }

  /** Entries newest first (by id: ids grow with time on every replica, as the database hands them out). */
  async list(query: EntryQuery): Promise<HistoryEntry[]> {
    const rows = await this.run((db) => {
      let q = db.selectFrom('history_entry').selectAll();
      if (query.poolId !== undefined) q = q.where('pool_id', '=', poolKey(query.poolId));
      if (query.since !== undefined) q = q.where('at', '>=', query.since);
      if (query.kinds !== undefined && query.kinds.length > 0) q = q.where('kind', 'in', [...query.kinds]);
      if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
      return q.orderBy('id', 'desc').limit(query.limit).execute();
    });
    return rows.map(toEntry);
  }

  /** The pool's writes still UNKNOWN (oldest first), in `db` (a transaction) or on their own. */
  async unknownWrites(poolId: string, db: Db): Promise<Array<HistoryEntry & { completedMs: number | null }>> {
    const rows = await db
      .selectFrom('history_entry')
      .selectAll()
      .where('pool_id', '=', poolKey(poolId))
      .where('outcome', '=', WriteOutcome.UNKNOWN)
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toEntry);
  }

  /** The pool's recorded set; in a PostgreSQL transaction the row stays locked until it ends. */
  async poolState(poolId: string, tx: Transaction<HistoryDatabase>): Promise<PoolState | undefined> {
    let q = tx.selectFrom('history_pool_state').selectAll().where('pool_id', '=', poolKey(poolId));
    // SQLite has no row locks (and needs none: one connection, transactions one at a time).
    if (this.engine === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (row === undefined) return undefined;
    return { version: row.version, targets: parse<WireAssignmentTarget[]>(row.targets) ?? [], changedMs: Number(row.changed_ms) };
  }

  /**
   * Creates the pool's state row if it has none; true when this call created it (false: another writer did first).
   * PostgreSQL makes a concurrent insert wait for the first one and then do nothing.
   */
  async createPoolState(poolId: string, state: PoolState, tx: Transaction<HistoryDatabase>): Promise<boolean> {
    const rows = await tx
      .insertInto('history_pool_state')
      .values({ pool_id: poolKey(poolId), version: state.version, targets: json(state.targets), changed_ms: state.changedMs })
      .onConflict((oc) => oc.column('pool_id').doNothing())
      .returning('pool_id')
      .execute();
    return rows.length > 0;
  }

  async setPoolState(poolId: string, state: PoolState, db?: Db): Promise<void> {
    const write = async (on: Db): Promise<void> => {
      await on
        .insertInto('history_pool_state')
        .values({ pool_id: poolKey(poolId), version: state.version, targets: json(state.targets), changed_ms: state.changedMs })
        .onConflict((oc) =>
          oc.column('pool_id').doUpdateSet({ version: state.version, targets: json(state.targets), changed_ms: state.changedMs }),
        )
        .execute();
    };
    return db ? write(db) : this.run(write);
  }

  /**
   * Takes the named lease until `nowMs + ttlMs` when it is free (never taken, or expired); true when taken. One
   * statement: two replicas asking at once cannot both get it.
   */
  async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const rows = await this.run((db) =>
      db
        .insertInto('history_lease')
        .values({ name, holder, expires_ms: nowMs + ttlMs, completed_ms: null })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_ms: nowMs + ttlMs })
            .where('history_lease.expires_ms', '<=', nowMs),
        )
        .returning('holder')
        .execute(),
    );
    return rows.length > 0;
  }

  /** Ends a sweep under the lease: it stays taken until `expiresMs` (the next sweep's time), and records when it ended. */
  async finishLease(name: string, holder: string, expiresMs: number, completedMs: number): Promise<void> {
    await this.run((db) =>
      db.updateTable('history_lease').set({ expires_ms: expiresMs, completed_ms: completedMs }).where('name', '=', name).where('holder', '=', holder).execute(),
    );
  }

  /** When the last sweep under the lease ended (epoch ms), if one did. */
  async leaseCompletedMs(name: string): Promise<number | undefined> {
    const row = await this.run((db) => db.selectFrom('history_lease').select('completed_ms').where('name', '=', name).executeTakeFirst());
    const value = row === undefined ? null : ms(row.completed_ms);
    return value ?? undefined;
  }

  /** Deletes at most `batch` entries recorded before `before` (ISO); resolves with how many. */
  async deleteBefore(before: string, batch: number): Promise<number> {
    return this.run(async (db) => {
      const result = await db
        .deleteFrom('history_entry')
        .where('id', 'in', (eb) => eb.selectFrom('history_entry').select('id').where('at', '<', before).orderBy('id').limit(batch))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /** One round trip: whether the database answers. */
  async ping(): Promise<void> {
    await this.run((db) => sql`select 1`.execute(db));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
