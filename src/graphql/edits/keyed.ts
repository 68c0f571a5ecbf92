/**
 * What an idempotency key keeps of the assignment mutations' answers, and how a repeat rebuilds them: the payload
 * models as they were (pool id, assignments with their ids, receipts, version), with the request's loaders primed
 * so that `pool { assignments assignmentsVersion }` is answered without Graph.
 */
import type { Context } from '../context';
import type { AssignPayloadModel, EditPayloadModel } from '../mapping';

interface Kept<R> {
  save(result: R): R;
  load(saved: R): R;
}

function kept<R extends { poolId: string; assignments: EditPayloadModel['assignments'] }>(ctx: Context): Kept<R> {
  return {
    save: (result) => result,
    load: (saved) => {
      ctx.loaders.assignmentsByPool.clear(saved.poolId).prime(saved.poolId, saved.assignments);
      return saved;
    },
  };
}

export const keptEdit = (ctx: Context): Kept<EditPayloadModel> => kept<EditPayloadModel>(ctx);
export const keptAssign = (ctx: Context): Kept<AssignPayloadModel> => kept<AssignPayloadModel>(ctx);
