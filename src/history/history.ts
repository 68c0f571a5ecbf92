/** The journal of this subgraph's writes and the outside changes its reads find (docs/history.md). */
import { LRUCache } from 'lru-cache';
import type { WireAssignmentTarget } from '../graph/models';
import { type HistoryStore, poolKey, type EntryCompletion, type NewEntry } from './store';
import { HistoryKind, WriteOutcome, type HistoryActor, type HistoryEntry } from './types';

/** Pure functions over target sets, given by the layer that owns them (the edit rules). */
export interface SetRules {
  version(targets: readonly WireAssignmentTarget[]): string;
  diff(before: readonly WireAssignmentTarget[], after: readonly WireAssignmentTarget[]): Pick<HistoryEntry, 'added' | 'updated' | 'removed'>;
}

/** A write about to be sent to Graph; `poolId` empty for a create (Graph gives the id). */
export interface WriteStart {
  poolId: string;
  kind: HistoryKind.WRITE | HistoryKind.RESTORE;
  operation: string;
  actor: HistoryActor;
  requestId: string;
  restoredFrom?: string;
  detail?: Record<string, string | number>;
}

/** The set a write will send, once the set before it is known (or not). */
export type WritePlan = Pick<HistoryEntry, 'targetsBefore' | 'targets'>;

/** How a write ended: the set after (else the plan's stands), a create's pool id; `recordsSet` false for a rename. */
export type WriteEnd = Pick<NewEntry, 'outcome'> & Partial<Pick<NewEntry, 'targets' | 'targetsBefore' | 'poolId' | 'graphRequestId' | 'errorCode'>> & { recordsSet?: boolean };

export type ObserveResult = 'same' | 'snapshot' | 'outside-change' | 'settled' | 'stale' | 'in-flight';

export interface HistoryHooks {
  /** An OUTSIDE_CHANGE was recorded (`source`: a live read or the sweep). */
  onOutsideChange?(source: 'read' | 'sweep'): void;
  /** A background observation failed (the store is down): logged, never the request's error. */
  onBackgroundError?(error: unknown): void;
}

/** A write begun more than this long ago and never completed is taken as abandoned (its process died). */
const ABANDONED_AFTER_MS = 5 * 60_000;
/** Background observations in flight at most; more are dropped (the sweep sees the pool later). */
const MAX_BACKGROUND = 64;
/** Pools whose recorded set this process remembers, to skip comparing a read that matches it. */
const MAX_REMEMBERED = 10_000;
/** How long a remembered set is trusted (another replica may record a change meanwhile); the sweep always compares. */
const REMEMBER_MS = 30_000;

const EMPTY: WireAssignmentTarget[] = [];
/** An entry's columns that are empty unless set. */
const NONE = { operation: null, actor: null, requestId: null, graphRequestId: null, errorCode: null, restoredFrom: null, detail: null };

export class History {
  /** poolKey → version this process last saw recorded: a read of that set needs no comparison. */
  private readonly known = new LRUCache<string, string>({ max: MAX_REMEMBERED, ttl: REMEMBER_MS });
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly store: HistoryStore,
    private readonly rules: SetRules,
    private readonly hooks: HistoryHooks = {},
  ) {}

  /**
   * The pool's next read is compared. An empty version matches none; a delete would cost more: lru-cache clears all
   * of its slots when its last entry goes (docs/history.md).
   */
  private forget(poolId: string): void {
    this.known.set(poolKey(poolId), '');
  }

  /** Writes the entry (outcome UNKNOWN) of a write about to be sent, with its plan when known; resolves with its id. */
  begin(start: WriteStart, plan: WritePlan = { targetsBefore: null, targets: EMPTY }): Promise<string> {
    if (start.poolId !== '') this.forget(start.poolId);
    const { poolId, kind, operation, actor, requestId, restoredFrom = null, detail = null } = start;
    // One literal, no spreads: V8 builds it with a fixed shape (spreads here cost a quarter of the journal's CPU).
    const { targetsBefore, targets, added, updated, removed, assignmentsVersion } = this.planned(plan);
    const at = new Date().toISOString();
    const outcome = WriteOutcome.UNKNOWN;
    return this.store.insert({ poolId, at, kind, operation, actor, outcome, targetsBefore, targets, added, updated, removed, assignmentsVersion, requestId, graphRequestId: null, errorCode: null, restoredFrom, detail });
  }

  /** Records the set the write will send (and the set before it, when read): before the Graph write is sent. */
  plan(id: string, plan: WritePlan): Promise<void> {
    return this.store.update(id, this.planned(plan));
  }

  /** The set to record, its version and its diff from the set before (none when that is not known). */
  private planned({ targetsBefore, targets }: WritePlan): Pick<HistoryEntry, 'targetsBefore' | 'targets' | 'added' | 'updated' | 'removed' | 'assignmentsVersion'> {
    const diff = targetsBefore === null ? { added: EMPTY, updated: EMPTY, removed: EMPTY } : this.rules.diff(targetsBefore, targets);
    return { targetsBefore, targets, ...diff, assignmentsVersion: this.rules.version(targets) };
  }

  /** Completes a write's entry; a written set becomes the pool's recorded set in the same transaction. */
  async complete(id: string, poolId: string, end: WriteEnd): Promise<void> {
    const completedMs = Date.now();
    const { targets, targetsBefore } = end;
    const change: EntryCompletion = { outcome: end.outcome, completedMs, poolId: end.poolId, graphRequestId: end.graphRequestId, errorCode: end.errorCode };
    // The set after replaces the plan's (with its diff when the set before is known); undefined columns stay as they are.
    if (targets !== undefined) Object.assign(change, targetsBefore ? this.planned({ targetsBefore, targets }) : { targets, targetsBefore, assignmentsVersion: this.rules.version(targets) });
    const version = change.assignmentsVersion;
    const pool = end.poolId ?? poolId;
    const records = targets !== undefined && version !== undefined && end.recordsSet !== false && (end.outcome === WriteOutcome.WRITTEN || end.outcome === WriteOutcome.UNCHANGED);
    await this.store.complete(id, change, records ? { poolId: pool, version, targets, changedMs: completedMs } : undefined);
    if (records) this.known.set(poolKey(pool), version);
    // An UNKNOWN write is settled by the next read: that read must be compared, whatever this process remembers.
    else this.forget(pool);
  }

  /**
   * Compares a read of a pool's set with the last recorded, in one transaction: settles UNKNOWN writes, records a
   * SNAPSHOT or an OUTSIDE_CHANGE; none for a read older than the record, or while another write of ours runs.
   */
  async observe(poolId: string, targets: WireAssignmentTarget[], readStartedMs: number, source: 'read' | 'sweep', ownEntry?: string): Promise<ObserveResult> {
    const version = this.rules.version(targets);
    if (source === 'read' && ownEntry === undefined && this.known.get(poolKey(poolId)) === version) return 'same';
    const now = Date.now();
    /** Whether a write of the pool is left UNKNOWN: then a later read must still be compared. */
    let unsettled = false;
    const result = await this.store.transaction(async (tx): Promise<ObserveResult> => {
      const record = (kind: HistoryKind, targetsBefore: WireAssignmentTarget[] | null): Promise<string> =>
        this.store.insert({ ...NONE, poolId, at: new Date(now).toISOString(), kind, outcome: WriteOutcome.WRITTEN, ...this.planned({ targetsBefore, targets }) }, tx);
      const state = await this.store.poolState(poolId, tx);
      // A rename's outcome says nothing about assignments: a read cannot settle it.
      const unknown = (await this.store.unknownWrites(poolId, tx)).filter((e) => e.id !== ownEntry && e.operation !== 'update');
      if (unknown.some((e) => e.completedMs === null && Date.parse(e.at) > now - ABANDONED_AFTER_MS)) return 'in-flight';
      let explained = false;
      let settled = false;
      for (const entry of unknown) {
        // Only a read that started after the write ended can tell whether it was written.
        if ((entry.completedMs ?? Date.parse(entry.at)) > readStartedMs) {
          unsettled = true;
          continue;
        }
        const applied = entry.assignmentsVersion === version;
        await this.store.update(entry.id, applied ? { outcome: WriteOutcome.WRITTEN } : { outcome: WriteOutcome.FAILED, errorCode: 'NOT_APPLIED' }, tx);
        explained ||= applied;
        settled = true;
      }
      const observed = { version, targets, changedMs: now };
      if (explained) {
        await this.store.setPoolState(poolId, observed, tx);
        return 'settled';
      }
      if (state === undefined) {
        // Two replicas seeing a new pool at once: the state row's insert decides which one records it.
        if (!(await this.store.createPoolState(poolId, observed, tx))) return 'same';
        await record(HistoryKind.SNAPSHOT, null);
        return 'snapshot';
      }
      if (state.changedMs > readStartedMs) return 'stale';
      if (state.version === version) return settled ? 'settled' : 'same';
      await record(HistoryKind.OUTSIDE_CHANGE, state.targets);
      await this.store.setPoolState(poolId, observed, tx);
      return 'outside-change';
    });
    if (result !== 'stale' && result !== 'in-flight' && !unsettled) this.known.set(poolKey(poolId), version);
    if (result === 'outside-change') this.hooks.onOutsideChange?.(source);
    return result;
  }

  /** observe() off the request's path; past MAX_BACKGROUND in flight, dropped (the sweep compares later). */
  observeInBackground(poolId: string, targets: WireAssignmentTarget[], readStartedMs: number): void {
    if (this.pending.size >= MAX_BACKGROUND || this.known.get(poolKey(poolId)) === this.rules.version(targets)) return;
    const run = this.observe(poolId, targets, readStartedMs, 'read')
      .catch((error: unknown) => this.hooks.onBackgroundError?.(error))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** Resolves once the background observations started so far have ended (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.settled();
    await this.store.close();
  }
}
