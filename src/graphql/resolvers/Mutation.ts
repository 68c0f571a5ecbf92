import type { MutationResolvers } from '../../generated/graphql';
import { planAdd, planRemove } from '../edits/merge';
import { restoreAssignments } from '../edits/restore';
import { editAssignments, replaceAssignments } from '../edits/service';
import { createPool, deletePool, updatePool } from '../lifecycle/service';
import { toWireAssignment, toWireTarget } from '../mapping';
import { selectsField } from '../selection';
import { validateAssignInput, validateRemoveInput } from '../validation';

const PAYLOAD = 'AssignEmbeddedSIMActivationCodePoolPayload';

/**
 * The edit logic (lock, fresh read, merge, audit) lives in ../edits, the pool lifecycle's (validation, lock, audit) in
 * ../lifecycle; these only pass the arguments on.
 */
export const Mutation: MutationResolvers = {
  assignEmbeddedSIMActivationCodePool(_parent, { poolId, assignments, ifAssignmentsVersion }, ctx, info) {
    // The receipts cost a read before the write: paid only when the operation asks for them.
    const receipts = ['added', 'updated', 'removed'].some((field) => selectsField(info, PAYLOAD, field));
    return replaceAssignments(ctx, { poolId, assignments, ifAssignmentsVersion, receipts });
  },
  addEmbeddedSIMActivationCodePoolAssignments(_parent, { poolId, assignments, dryRun, ifAssignmentsVersion }, ctx) {
    return editAssignments(ctx, {
      operation: 'addEmbeddedSIMActivationCodePoolAssignments',
      poolId,
      dryRun: dryRun ?? false,
      ifAssignmentsVersion,
      validate: () => validateAssignInput(poolId, assignments),
      plan: (current) => planAdd(current, assignments.map(toWireAssignment)),
    });
  },
  removeEmbeddedSIMActivationCodePoolAssignments(_parent, { poolId, targets, dryRun, ifAssignmentsVersion }, ctx) {
    return editAssignments(ctx, {
      operation: 'removeEmbeddedSIMActivationCodePoolAssignments',
      poolId,
      dryRun: dryRun ?? false,
      ifAssignmentsVersion,
      validate: () => validateRemoveInput(poolId, targets),
      plan: (current) => planRemove(current, targets.map(toWireTarget)),
    });
  },
  restoreEmbeddedSIMActivationCodePoolAssignments(_parent, { poolId, entryId, dryRun, ifAssignmentsVersion }, ctx) {
    return restoreAssignments(ctx, { poolId, entryId, dryRun: dryRun ?? false, ifAssignmentsVersion });
  },
  createEmbeddedSIMActivationCodePool: (_parent, { input }, ctx) => createPool(ctx, input),
  updateEmbeddedSIMActivationCodePool: (_parent, { id, input }, ctx) => updatePool(ctx, id, input),
  deleteEmbeddedSIMActivationCodePool: (_parent, { id }, ctx) => deletePool(ctx, id),
};
