/** Restore: the set a history entry of this pool recorded, written back by the locked edit path (journaled RESTORE). */
import type { MutationrestoreEmbeddedSIMActivationCodePoolAssignmentsArgs } from '../../generated/graphql';
import type { Context } from '../context';
import { badUserInput, historyUnavailable, notFound } from '../errors';
import type { EditPayloadModel } from '../mapping';
import { WriteOutcome } from '../../history/types';
import type { SentTarget } from '../targets';
import { requireGuid } from '../validation';
import { planRestore } from './merge';
import { editAssignments } from './service';

/** Entries of these writes record no assignment set (a rename, a deleted pool). */
const NO_SET = new Set(['update', 'delete']);

export async function restoreAssignments(
  ctx: Context,
  request: Omit<MutationrestoreEmbeddedSIMActivationCodePoolAssignmentsArgs, 'idempotencyKey'>,
): Promise<EditPayloadModel> {
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
  if (entry.outcome === WriteOutcome.FAILED || entry.outcome === WriteOutcome.UNKNOWN) {
    // A failed write's set was never the pool's; an unknown one is not settled yet (the next read of the pool settles it).
    throw badUserInput(`entryId records a write that ${entry.outcome === WriteOutcome.FAILED ? 'failed' : 'is not settled yet'}, not a set the pool had; nothing was written.`, 'entryId');
  }
  // The restored set is what this write sends: its groups and filters are checked like an assign's.
  const sent: SentTarget[] = entry.targets.map((t, i) => ({ path: `entryId.targets[${i}]`, groupId: t.groupId, filterId: t.deviceAndAppManagementAssignmentFilterId }));
  return editAssignments(ctx, {
    operation: 'restoreEmbeddedSIMActivationCodePoolAssignments',
    restoredFrom: entry.id,
    poolId,
    dryRun: request.dryRun ?? false,
    ifAssignmentsVersion: request.ifAssignmentsVersion,
    plan: (current) => planRestore(current, entry.targets),
    sent,
  });
}
