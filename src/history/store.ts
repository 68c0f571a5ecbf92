/** Entries, pool states, leases and keys in either engine; any failure is HistoryUnavailableError (no DATABASE_URL). */
import type { WireAssignmentTarget } from '../graph/models';
import type { HistoryDb, Row, RunStatement, Statement } from './db';
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
function unavailable(error: unknown): never {
  if (isHistoryUnavailable(error)) throw error;
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'error';
  throw new HistoryUnavailableError(`The history store could not answer (${code}).`, { cause: error });
}

/** A new entry: everything but its id. */
export type NewEntry = Omit<HistoryEntry, 'id'> & { completedMs?: number | null };

/** What completing a write may change. */
export type EntryCompletion = Partial<Omit<NewEntry, 'at' | 'kind' | 'operation' | 'actor' | 'requestId' | 'restoredFrom'>>;

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
  id?: number;
  limit: number;
}

/** A column read as text (a number as its digits), as JSON text parsed, as a number (pg's int8 too); else null. */
export const text = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);
export const parse = <T>(value: unknown): T | null => (typeof value === 'string' ? (JSON.parse(value) as T) : null);
export const num = (value: unknown): number | null => (typeof value === 'number' || typeof value === 'string' ? Number(value) : null);

/** Pool ids are GUIDs Graph does not promise the case of: one pool, one key. */
export const poolKey = (poolId: string): string => poolId.toLowerCase();

function toEntry(row: Row): HistoryEntry & { completedMs: number | null } {
  return {
    id: String(row.id),
    poolId: String(row.pool_id),
    at: row.at instanceof Date ? row.at.toISOString() : String(row.at),
    kind: row.kind as HistoryKind,
    operation: text(row.operation),
    actor: parse<HistoryActor>(row.actor),
    outcome: row.outcome as WriteOutcome,
    targetsBefore: parse<WireAssignmentTarget[]>(row.targets_before),
    targets: parse<WireAssignmentTarget[]>(row.targets) ?? [],
    added: parse<WireAssignmentTarget[]>(row.added) ?? [],
    updated: parse<WireAssignmentTarget[]>(row.updated) ?? [],
    removed: parse<WireAssignmentTarget[]>(row.removed) ?? [],
    assignmentsVersion: String(row.assignments_version),
    requestId: text(row.request_id),
    graphRequestId: text(row.graph_request_id),
    errorCode: text(row.error_code),
    restoredFrom: text(row.restored_from),
    detail: parse<Record<string, string | number>>(row.detail),
    completedMs: num(row.completed_ms),
  };
}

/** An entry's fields in insert order (the insert is written once), each in the column of its snake_case name. */
const FIELDS = [
  'poolId', 'at', 'kind', 'operation', 'actor', 'outcome', 'targetsBefore', 'targets', 'added', 'updated', 'removed',
  'assignmentsVersion', 'requestId', 'graphRequestId', 'errorCode', 'restoredFrom', 'detail', 'completedMs',
] as const satisfies ReadonlyArray<keyof NewEntry>;
const COLUMN = new Map<string, string>(FIELDS.map((field) => [field, field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]));
/** How a field is stored: documents and lists as JSON text, a pool id as its key, undefined as null. */
const stored = (field: string, value: unknown): unknown =>
  field === 'poolId' && typeof value === 'string' ? poolKey(value) : typeof value === 'object' && value !== null ? JSON.stringify(value) : (value ?? null);

const INSERT_ENTRY = `insert into history_entry (${[...COLUMN.values()].join(', ')}) values (${FIELDS.map(() => '?').join(', ')}) returning id`;
const UNKNOWN_WRITES = `select * from history_entry where pool_id = ? and outcome = '${WriteOutcome.UNKNOWN}' order by id`;
const POOL_STATE = 'select version, targets, changed_ms from history_pool_state where pool_id = ?';
const STATE_COLUMNS = '(pool_id, version, targets, changed_ms) values (?, ?, ?, ?) on conflict (pool_id)';
const CREATE_POOL_STATE = `insert into history_pool_state ${STATE_COLUMNS} do nothing returning pool_id`;
const SET_POOL_STATE = `insert into history_pool_state ${STATE_COLUMNS} do update set version = excluded.version, targets = excluded.targets, changed_ms = excluded.changed_ms`;

/** The update of an entry's changed columns (one statement text per shape of change). */
function entryUpdate(id: string, change: Partial<NewEntry>): Statement {
  const fields = FIELDS.filter((field) => change[field] !== undefined);
  return {
    text: `update history_entry set ${fields.map((f) => `${COLUMN.get(f)} = ?`).join(', ')} where id = ?`,
    params: [...fields.map((f) => stored(f, change[f])), Number(id)],
  };
}

const stateParams = (poolId: string, state: PoolState): unknown[] => [poolKey(poolId), state.version, JSON.stringify(state.targets), state.changedMs];

export class HistoryStore {
  constructor(private readonly database: HistoryDb) {}

  /** Runs `fn` in a transaction (its statements through `run`); any database failure is HistoryUnavailableError. */
  transaction<T>(fn: (run: RunStatement) => Promise<T>): Promise<T> {
    return this.database.transaction(fn).catch(unavailable);
  }

  /** The statements in one transaction (one alone: on its own); any database failure is HistoryUnavailableError. */
  private batch(statements: readonly Statement[]): Promise<Row[][]> {
    return this.database.batch(statements).catch(unavailable);
  }

  /** One statement (SQL with `?` placeholders), in `run` (a transaction) or on its own; resolves with its rows. */
  query(text: string, params: readonly unknown[], run?: RunStatement): Promise<Row[]> {
    return run ? run({ text, params }) : this.batch([{ text, params }]).then((rows) => rows[0]);
  }

  /** Inserts an entry; resolves with its id. */
  async insert(entry: NewEntry, run?: RunStatement): Promise<string> {
    const statement = { text: INSERT_ENTRY, params: FIELDS.map((field) => stored(field, entry[field])), first: true };
    const [row] = run ? await run(statement) : (await this.batch([statement]))[0];
    return String(row.id);
  }

  /** Changes an entry (its plan once the set before is read, or its outcome once Graph answered). */
  async update(id: string, change: EntryCompletion, run?: RunStatement): Promise<void> {
    const { text, params } = entryUpdate(id, change);
    await this.query(text, params, run);
  }

  /** Completes a write's entry and, when given, sets the pool's recorded set: one transaction. */
  async complete(id: string, change: EntryCompletion, state?: { poolId: string } & PoolState): Promise<void> {
    const statements = [entryUpdate(id, change)];
    if (state !== undefined) statements.push({ text: SET_POOL_STATE, params: stateParams(state.poolId, state) });
    await this.batch(statements);
  }

  async get(id: string): Promise<HistoryEntry | undefined> {
    return /^\d{1,15}$/.test(id) ? (await this.list({ id: Number(id), limit: 1 }))[0] : undefined;
  }

  /** Entries newest first (by id: ids grow with time on every replica, as the database hands them out). */
  async list(query: EntryQuery): Promise<HistoryEntry[]> {
    /** Each condition with its parameters. */
    const filters: Array<[string, ...unknown[]]> = [];
    if (query.poolId !== undefined) filters.push(['pool_id = ?', poolKey(query.poolId)]);
    if (query.since !== undefined) filters.push(['at >= ?', query.since]);
    if (query.kinds !== undefined && query.kinds.length > 0) filters.push([`kind in (${query.kinds.map(() => '?').join(', ')})`, ...query.kinds]);
    if (query.beforeId !== undefined) filters.push(['id < ?', query.beforeId]);
    if (query.id !== undefined) filters.push(['id = ?', query.id]);
    const where = filters.length > 0 ? `where ${filters.map(([condition]) => condition).join(' and ')} ` : '';
    const params = [...filters.flatMap(([, ...values]) => values), query.limit];
    return (await this.query(`select * from history_entry ${where}order by id desc limit ?`, params)).map(toEntry);
  }

  /** The pool's writes still UNKNOWN (oldest first), in a transaction. */
  async unknownWrites(poolId: string, run: RunStatement): Promise<Array<HistoryEntry & { completedMs: number | null }>> {
    return (await run({ text: UNKNOWN_WRITES, params: [poolKey(poolId)] })).map(toEntry);
  }

  /** The pool's recorded set; in a PostgreSQL transaction the row stays locked until it ends. */
  async poolState(poolId: string, run: RunStatement): Promise<PoolState | undefined> {
    // SQLite has no row locks (and needs none: one connection, transactions one at a time).
    const [row] = await run({ text: this.database.engine === 'postgres' ? `${POOL_STATE} for update` : POOL_STATE, params: [poolKey(poolId)], first: true });
    if (row === undefined) return undefined;
    return { version: String(row.version), targets: parse<WireAssignmentTarget[]>(row.targets) ?? [], changedMs: Number(row.changed_ms) };
  }

  /** Creates the pool's state row if it has none; true when this call created it (false: another writer did first). */
  async createPoolState(poolId: string, state: PoolState, run: RunStatement): Promise<boolean> {
    return (await run({ text: CREATE_POOL_STATE, params: stateParams(poolId, state), first: true })).length > 0;
  }

  async setPoolState(poolId: string, state: PoolState, run?: RunStatement): Promise<void> {
    await this.query(SET_POOL_STATE, stateParams(poolId, state), run);
  }

  /** Takes the named lease until `nowMs + ttlMs` when free or expired; true when taken (one statement: one winner). */
  async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const rows = await this.query(
      'insert into history_lease (name, holder, expires_ms) values (?, ?, ?) on conflict (name) do update set holder = excluded.holder, expires_ms = excluded.expires_ms where history_lease.expires_ms <= ? returning holder',
      [name, holder, nowMs + ttlMs, nowMs],
    );
    return rows.length > 0;
  }

  /** Ends a sweep under the lease: it stays taken until `expiresMs` (the next sweep's time), and records when it ended. */
  async finishLease(name: string, holder: string, expiresMs: number, completedMs: number): Promise<void> {
    await this.query('update history_lease set expires_ms = ?, completed_ms = ? where name = ? and holder = ?', [expiresMs, completedMs, name, holder]);
  }

  /** When the last sweep under the lease ended (epoch ms), if one did. */
  async leaseCompletedMs(name: string): Promise<number | undefined> {
    const [row] = await this.query('select completed_ms from history_lease where name = ?', [name]);
    return num(row?.completed_ms) ?? undefined;
  }

  /** Deletes entries older than `days`, `batch` rows per statement (short transactions); resolves with how many. */
  async deleteExpired(days: number, batch = 500): Promise<number> {
    const before = new Date(Date.now() - days * 86_400_000).toISOString();
    const statement = 'delete from history_entry where id in (select id from history_entry where at < ? order by id limit ?) returning id';
    for (let total = 0; ; ) {
      const deleted = (await this.query(statement, [before, batch])).length;
      total += deleted;
      if (deleted < batch) return total;
    }
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}
