/**
 * The history store over either engine: entries, the last recorded set per pool, leases. Every method does what it
 * says or throws HistoryUnavailableError (never a driver's error, never DATABASE_URL).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { WireAssignmentTarget } from '../graph/models';
import type { EntryTable, HistoryDatabase, HistoryDb, PoolStateTable, Row, RunStatement, Statement } from './db';
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

/** JSON text of a change's document: undefined (unchanged) and null stay as they are. */
const jsonOf = (value: unknown): string | null | undefined => (value === undefined || value === null ? value : json(value));

/** The update of an entry's changed columns (one statement text per shape of change). */
function entryUpdate(id: string, change: Partial<EntryCompletion>): Statement {
  const values: Record<string, unknown> = {
    outcome: change.outcome,
    targets_before: jsonOf(change.targetsBefore),
    targets: jsonOf(change.targets),
    added: jsonOf(change.added),
    updated: jsonOf(change.updated),
    removed: jsonOf(change.removed),
    assignments_version: change.assignmentsVersion,
    pool_id: change.poolId === undefined ? undefined : poolKey(change.poolId),
    graph_request_id: change.graphRequestId,
    error_code: change.errorCode,
    detail: jsonOf(change.detail),
    completed_ms: change.completedMs,
  };
  const columns = Object.keys(values).filter((column) => values[column] !== undefined);
  return { text: `update history_entry set ${columns.map((c) => `${c} = ?`).join(', ')} where id = ?`, params: [...columns.map((c) => values[c]), Number(id)] };
}

/** An entry's columns in insert order (the statement is written once). */
const ENTRY_COLUMNS = [
  'pool_id', 'at', 'kind', 'operation', 'actor', 'outcome', 'targets_before', 'targets', 'added', 'updated', 'removed',
  'assignments_version', 'request_id', 'graph_request_id', 'error_code', 'restored_from', 'detail', 'completed_ms',
] as const;
const INSERT_ENTRY = `insert into history_entry (${ENTRY_COLUMNS.join(', ')}) values (${ENTRY_COLUMNS.map(() => '?').join(', ')}) returning id`;
const UNKNOWN_WRITES = `select * from history_entry where pool_id = ? and outcome = '${WriteOutcome.UNKNOWN}' order by id`;
const POOL_STATE = 'select version, targets, changed_ms from history_pool_state where pool_id = ?';
const STATE_COLUMNS = '(pool_id, version, targets, changed_ms) values (?, ?, ?, ?) on conflict (pool_id)';
const CREATE_POOL_STATE = `insert into history_pool_state ${STATE_COLUMNS} do nothing returning pool_id`;
const SET_POOL_STATE = `insert into history_pool_state ${STATE_COLUMNS} do update set version = excluded.version, targets = excluded.targets, changed_ms = excluded.changed_ms`;

const stateParams = (poolId: string, state: PoolState): unknown[] => [poolKey(poolId), state.version, json(state.targets), state.changedMs];

export class HistoryStore {
  readonly engine: HistoryDb['engine'];
  private readonly db: Kysely<HistoryDatabase>;

  constructor(private readonly database: HistoryDb) {
    this.engine = database.engine;
    this.db = database.db;
  }

  /** Runs `fn` in a transaction (its statements through `run`); any database failure is HistoryUnavailableError. */
  async transaction<T>(fn: (run: RunStatement) => Promise<T>): Promise<T> {
    try {
      return await this.database.transaction(fn);
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

  /** The statements in one transaction (one alone: on its own); any database failure is HistoryUnavailableError. */
  private async batch(statements: readonly Statement[]): Promise<Row[][]> {
    try {
      return await this.database.batch(statements);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** One statement, in `run` (a transaction) or on its own. */
  private one(statement: Statement, run?: RunStatement): Promise<Row[]> {
    return run ? run(statement) : this.batch([statement]).then((rows) => rows[0]);
  }

  /** Inserts an entry; resolves with its id. */
  async insert(entry: NewEntry, run?: RunStatement): Promise<string> {
    const params = [
      poolKey(entry.poolId),
      entry.at,
      entry.kind,
      entry.operation,
      entry.actor === null ? null : json(entry.actor),
      entry.outcome,
      entry.targetsBefore === null ? null : json(entry.targetsBefore),
      json(entry.targets),
      json(entry.added),
      json(entry.updated),
      json(entry.removed),
      entry.assignmentsVersion,
      entry.requestId,
      entry.graphRequestId,
      entry.errorCode,
      entry.restoredFrom === null ? null : Number(entry.restoredFrom),
      entry.detail === null ? null : json(entry.detail),
      entry.completedMs ?? null,
    ];
    const [row] = await this.one({ text: INSERT_ENTRY, params, first: true }, run);
    return String(row.id);
  }

  /** Changes an entry (its plan once the set before is read, or its outcome once Graph answered). */
  async update(id: string, change: Partial<EntryCompletion>, run?: RunStatement): Promise<void> {
    await this.one(entryUpdate(id, change), run);
  }

  /** Completes a write's entry and, when given, sets the pool's recorded set: one transaction. */
  async complete(id: string, change: Partial<EntryCompletion>, state?: { poolId: string } & PoolState): Promise<void> {
    const statements = [entryUpdate(id, change)];
    if (state !== undefined) statements.push({ text: SET_POOL_STATE, params: stateParams(state.poolId, state) });
    await this.batch(statements);
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

  /** The pool's writes still UNKNOWN (oldest first), in a transaction. */
  async unknownWrites(poolId: string, run: RunStatement): Promise<Array<HistoryEntry & { completedMs: number | null }>> {
    const rows = await run({ text: UNKNOWN_WRITES, params: [poolKey(poolId)] });
    return rows.map((row) => toEntry(row as Selectable<EntryTable>));
  }

  /** The pool's recorded set; in a PostgreSQL transaction the row stays locked until it ends. */
  async poolState(poolId: string, run: RunStatement): Promise<PoolState | undefined> {
    // SQLite has no row locks (and needs none: one connection, transactions one at a time).
    const [row] = await run({ text: this.engine === 'postgres' ? `${POOL_STATE} for update` : POOL_STATE, params: [poolKey(poolId)], first: true });
    if (row === undefined) return undefined;
    const state = row as Pick<PoolStateTable, 'version' | 'targets' | 'changed_ms'>;
    return { version: state.version, targets: parse<WireAssignmentTarget[]>(state.targets) ?? [], changedMs: Number(state.changed_ms) };
  }

  /** Creates the pool's state row if it has none; true when this call created it (false: another writer did first). */
  async createPoolState(poolId: string, state: PoolState, run: RunStatement): Promise<boolean> {
    return (await run({ text: CREATE_POOL_STATE, params: stateParams(poolId, state), first: true })).length > 0;
  }

  async setPoolState(poolId: string, state: PoolState, run?: RunStatement): Promise<void> {
    await this.one({ text: SET_POOL_STATE, params: stateParams(poolId, state) }, run);
  }

  /** Takes the named lease until `nowMs + ttlMs` when free or expired; true when taken (one statement: one winner). */
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
