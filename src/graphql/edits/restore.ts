/**
 * Restore: a history entry's set after, written back through the locked edit path (the pool's edit lock, a fresh
 * read, the precondition, the journal as RESTORE naming the entry). Only an entry of this pool that records an
 * assignment set can be restored.
 */
import type { Context } from '../context';
import { badUserInput, historyUnavailable, notFound } from '../errors';
import type { EditPayloadModel } from '../mapping';
import { requireGuid } from '../validation';
import { planRestore } from './merge';
import { editAssignments } from './service';

/** Entries of these writes record no assignment set (a rename, a deleted pool). */
const NO_SET = new Set(['update', 'delete']);

export interface RestoreRequest {
  poolId: string;
  entryId: string;
  dryRun: boolean;
  ifAssignmentsVersion?: string | null;
}

export async function restoreAssignments(ctx: Context, request: RestoreRequest): Promise<EditPayloadModel> {
  const { poolId, entryId } = request;
  requireGuid(poolId, 'poolId');
  const history = ctx.edits.history;
  if (history === undefined) throw historyUnavailable('off', !request.dryRun);
  const entry = await history.store.get(entryId);
  if (entry === undefined) throw notFound('No assignment history entry has this id; nothing was written.');
  if (entry.poolId !== poolId.toLowerCase()) throw badUserInput('entryId is an entry of another pool; nothing was written.', 'entryId');
  if (entry.operation !== null && NO_SET.has(entry.operation)) {
    throw badUserInput(`entryId records a pool ${entry.operation}, not an assignment set; nothing was written.`, 'entryId');
  }
  return editAssignments(ctx, {
    operation: 'restoreEmbeddedSIMActivationCodePoolAssignments',
    restoredFrom: entry.id,
    poolId,
    dryRun: request.dryRun,
    ifAssignmentsVersion: request.ifAssignmentsVersion,
    validate: () => undefined,
    plan: (current) => planRestore(current, entry.targets),
  });
}
