/**
 * What an idempotency key keeps of the assignment mutations' answers and how a repeat rebuilds them without Graph;
 * how a repeat settles an edit whose first outcome is unknown.
 */
import { isRecord } from '../../graph/json';
import type { Context } from '../context';
import type { AssignPayloadModel, EditPayloadModel } from '../mapping';
import { assignmentsVersion } from './version';

interface Kept<R> {
  save(result: R): R;
  isSaved(value: unknown): value is R;
  load(saved: R): R;
}

function kept<R extends { poolId: string; assignments: EditPayloadModel['assignments'] }>(ctx: Context): Kept<R> {
  return {
    save: (result) => result,
    isSaved: (value): value is R => isRecord(value) && typeof value.poolId === 'string' && Array.isArray(value.assignments),
    load: (saved) => {
      ctx.loaders.assignmentsByPool.clear(saved.poolId).prime(saved.poolId, saved.assignments);
      return saved;
    },
  };
}

export const keptEdit = (ctx: Context): Kept<EditPayloadModel> => kept<EditPayloadModel>(ctx);
export const keptAssign = (ctx: Context): Kept<AssignPayloadModel> => kept<AssignPayloadModel>(ctx);

/**
 * An edit whose first outcome is unknown, settled by a fresh read: the answer rebuilt when the set is the one an
 * attempt under this key planned, else undefined (the edit runs again).
 */
export async function settleEdit(ctx: Context, poolId: string, journalOperation: string, startedMs: number): Promise<EditPayloadModel | undefined> {
  const history = ctx.edits.history;
  if (history === undefined) return undefined;
  const readStartedMs = Date.now();
  const current = await ctx.graph.listAssignments(poolId, ctx.callOptions);
  const version = assignmentsVersion(current);
  const entries = await history.store.list({ poolId, since: new Date(startedMs).toISOString(), limit: 100 });
  const entry = entries.find((e) => e.operation === journalOperation && e.targetsBefore !== null && e.assignmentsVersion === version);
  if (entry === undefined) return undefined;
  // The read settles the entry (WRITTEN) as any read of the pool does.
  history.observeInBackground(poolId, current.map((a) => a.target), readStartedMs);
  ctx.loaders.assignmentsByPool.clear(poolId).prime(poolId, current);
  ctx.loaders.poolById.clear(poolId);
  return { poolId, assignments: current, added: entry.added, updated: entry.updated, removed: entry.removed, dryRun: false, assignmentsVersion: version, uncheckedTargets: [] };
}

/** settleEdit for the replace mutation's payload. */
export async function settleAssign(ctx: Context, poolId: string, startedMs: number): Promise<AssignPayloadModel | undefined> {
  const settled = await settleEdit(ctx, poolId, 'assign', startedMs);
  if (settled === undefined) return undefined;
  const { added, updated, removed } = settled;
  return { poolId, assignments: settled.assignments, diff: { added, updated, removed }, uncheckedTargets: [] };
}
