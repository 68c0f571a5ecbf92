import type { MutationResolvers } from '../../generated/graphql';
import { keyedBulkEdit } from '../edits/bulk';
import { keptAssign, keptEdit, settleAssign, settleEdit } from '../edits/keyed';
import { planAdd, planRemove } from '../edits/merge';
import { restoreAssignments } from '../edits/restore';
import { editAssignments, replaceAssignments } from '../edits/service';
import { idempotent } from '../idempotency';
import { deletedAlready, findCreatedPool, isKeptDeletion, isKeptPool, keptPool, loadPool } from '../lifecycle/keyed';
import { createPool, deletePool, updatePool } from '../lifecycle/service';
import { toWireAssignment, toWireTarget } from '../mapping';
import { selectsField } from '../selection';
import { sentTargets } from '../targets';
import { validateAssignInput, validateAssignments, validateRemoveInput, validateTargets } from '../validation';

const PAYLOAD = 'AssignEmbeddedSIMActivationCodePoolPayload';

/** Passes the arguments on to ../edits, ../lifecycle and ../idempotency. */
export const Mutation: MutationResolvers = {
  assignEmbeddedSIMActivationCodePool(_parent, { idempotencyKey, ...args }, ctx, info) {
    // The receipts cost a read before the write: paid only when the operation asks for them, or a repeat may.
    const receipts = idempotencyKey != null || ['added', 'updated', 'removed'].some((field) => selectsField(info, PAYLOAD, field));
    return idempotent(ctx, {
      operation: 'assignEmbeddedSIMActivationCodePool',
      key: idempotencyKey,
      args,
      run: () => replaceAssignments(ctx, { ...args, receipts }),
      settle: (earlier) => settleAssign(ctx, args.poolId, earlier.startedMs),
      ...keptAssign(ctx),
    });
  },
  addEmbeddedSIMActivationCodePoolAssignments(_parent, { idempotencyKey, ...args }, ctx) {
    const { poolId, assignments, dryRun, ifAssignmentsVersion } = args;
    return idempotent(ctx, {
      operation: 'addEmbeddedSIMActivationCodePoolAssignments',
      key: idempotencyKey,
      args,
      dryRun: dryRun ?? false,
      run: () =>
        editAssignments(ctx, {
          operation: 'addEmbeddedSIMActivationCodePoolAssignments',
          poolId,
          dryRun: dryRun ?? false,
          ifAssignmentsVersion,
          validate: () => validateAssignInput(poolId, assignments),
          plan: (current) => planAdd(current, assignments.map(toWireAssignment)),
          sent: sentTargets(assignments),
        }),
      settle: (earlier) => settleEdit(ctx, poolId, 'add', earlier.startedMs),
      ...keptEdit(ctx),
    });
  },
  removeEmbeddedSIMActivationCodePoolAssignments(_parent, { idempotencyKey, ...args }, ctx) {
    const { poolId, targets, dryRun, ifAssignmentsVersion } = args;
    return idempotent(ctx, {
      operation: 'removeEmbeddedSIMActivationCodePoolAssignments',
      key: idempotencyKey,
      args,
      dryRun: dryRun ?? false,
      run: () =>
        editAssignments(ctx, {
          operation: 'removeEmbeddedSIMActivationCodePoolAssignments',
          poolId,
          dryRun: dryRun ?? false,
          ifAssignmentsVersion,
          validate: () => validateRemoveInput(poolId, targets),
          plan: (current) => planRemove(current, targets.map(toWireTarget)),
        }),
      settle: (earlier) => settleEdit(ctx, poolId, 'remove', earlier.startedMs),
      ...keptEdit(ctx),
    });
  },
  addAssignmentsToEmbeddedSIMActivationCodePools(_parent, { idempotencyKey, ...args }, ctx) {
    const { poolIds, assignments, dryRun } = args;
    return keyedBulkEdit(ctx, {
      operation: 'addAssignmentsToEmbeddedSIMActivationCodePools',
      poolIds,
      dryRun: dryRun ?? false,
      validate: () => validateAssignments(assignments),
      plan: (current) => planAdd(current, assignments.map(toWireAssignment)),
      sent: sentTargets(assignments),
    }, idempotencyKey, args);
  },
  removeAssignmentsFromEmbeddedSIMActivationCodePools(_parent, { idempotencyKey, ...args }, ctx) {
    const { poolIds, targets, dryRun } = args;
    return keyedBulkEdit(ctx, {
      operation: 'removeAssignmentsFromEmbeddedSIMActivationCodePools',
      poolIds,
      dryRun: dryRun ?? false,
      validate: () => validateTargets(targets),
      plan: (current) => planRemove(current, targets.map(toWireTarget)),
    }, idempotencyKey, args);
  },
  restoreEmbeddedSIMActivationCodePoolAssignments(_parent, { idempotencyKey, ...args }, ctx) {
    const { poolId, entryId, dryRun, ifAssignmentsVersion } = args;
    return idempotent(ctx, {
      operation: 'restoreEmbeddedSIMActivationCodePoolAssignments',
      key: idempotencyKey,
      args,
      dryRun: dryRun ?? false,
      run: () => restoreAssignments(ctx, { poolId, entryId, dryRun: dryRun ?? false, ifAssignmentsVersion }),
      settle: (earlier) => settleEdit(ctx, poolId, 'restore', earlier.startedMs),
      ...keptEdit(ctx),
    });
  },
  createEmbeddedSIMActivationCodePool: (_parent, { input, idempotencyKey }, ctx) =>
    idempotent(ctx, {
      operation: 'createEmbeddedSIMActivationCodePool',
      key: idempotencyKey,
      args: { input },
      run: () => createPool(ctx, input),
      save: ({ pool }) => ({ pool: keptPool(pool) }),
      isSaved: isKeptPool,
      load: (saved) => loadPool(ctx, saved),
      // A lost reply: the pool the first attempt may have made (its name, created since it started).
      settle: (earlier) => findCreatedPool(ctx, input.displayName.trim(), earlier.startedMs),
    }),
  updateEmbeddedSIMActivationCodePool: (_parent, { id, input, idempotencyKey }, ctx) =>
    idempotent(ctx, {
      operation: 'updateEmbeddedSIMActivationCodePool',
      key: idempotencyKey,
      args: { id, input },
      run: () => updatePool(ctx, id, input),
      save: ({ pool }) => ({ pool: keptPool(pool) }),
      isSaved: isKeptPool,
      load: (saved) => loadPool(ctx, saved),
    }),
  deleteEmbeddedSIMActivationCodePool: (_parent, { id, idempotencyKey }, ctx) =>
    idempotent(ctx, {
      operation: 'deleteEmbeddedSIMActivationCodePool',
      key: idempotencyKey,
      args: { id },
      run: () => deletePool(ctx, id),
      save: (result) => result,
      isSaved: isKeptDeletion,
      load: (saved) => saved,
      settle: () => deletedAlready(ctx, id),
    }),
};
