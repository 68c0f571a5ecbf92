/**
 * The assignment mutations under an idempotency key: the answer kept as it is (ids and targets), rebuilt by a repeat
 * without Graph; an edit whose first outcome is unknown settled by a fresh read.
 */
import { isRecord } from '../../graph/json';
import type { WireAssignment } from '../../graph/models';
import type { Context } from '../context';
import { idempotent } from '../idempotency';
import type { EditPayloadModel } from '../mapping';
import { editAssignments, editPayload, JOURNAL_OPERATION, type EditOperation, type EditRequest } from './service';
import { assignmentsVersion } from './merge';

/** The arguments every single-pool edit shares (the key taken out); all of them are hashed with the operation. */
type EditArgs = Record<string, unknown> & { poolId: string; dryRun?: boolean | null; ifAssignmentsVersion?: string | null };

/**
 * An edit whose first outcome is unknown, settled by a fresh read: the answer rebuilt when the set is the one an
 * attempt under this key planned, else undefined (the edit runs again).
 */
async function settleEdit(ctx: Context, poolId: string, journalOperation: string, startedMs: number): Promise<EditPayloadModel | undefined> {
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
  return editPayload(poolId, current, entry, false, []);
}

/** `run` under the key: `settled` turns a settled edit into the mutation's payload. */
export function keyedEdit<R extends { poolId: string; assignments: WireAssignment[] }>(
  ctx: Context,
  operation: EditOperation,
  key: string | null | undefined,
  args: EditArgs,
  run: () => Promise<R>,
  settled: (edit: EditPayloadModel) => R,
): Promise<R> {
  return idempotent(ctx, {
    operation,
    key,
    args,
    dryRun: args.dryRun ?? false,
    run,
    settle: async (earlier) => {
      const edit = await settleEdit(ctx, args.poolId, JOURNAL_OPERATION[operation], earlier.startedMs);
      return edit && settled(edit);
    },
    save: (result) => result,
    isSaved: (value): value is R => isRecord(value) && typeof value.poolId === 'string' && Array.isArray(value.assignments),
    load: (saved) => {
      ctx.loaders.assignmentsByPool.clear(saved.poolId).prime(saved.poolId, saved.assignments);
      return saved;
    },
  });
}

/** An add or remove of one pool under the key. */
export function keyedPoolEdit(
  ctx: Context,
  operation: EditOperation,
  key: string | null | undefined,
  args: EditArgs,
  edit: Pick<EditRequest, 'validate' | 'plan' | 'sent'>,
): Promise<EditPayloadModel> {
  const { poolId, dryRun, ifAssignmentsVersion } = args;
  const request: EditRequest = { operation, poolId, dryRun: dryRun ?? false, ifAssignmentsVersion, ...edit };
  return keyedEdit(ctx, operation, key, args, () => editAssignments(ctx, request), (settled) => settled);
}
