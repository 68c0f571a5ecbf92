import type { MutationResolvers } from '../../generated/graphql';
import { planAdd, planRemove } from '../edits/merge';
import { replaceAssignments, restoreAssignments } from '../edits/service';
import { findCreatedPool, keyedBulkEdit, keyedDelete, keyedEdit, keyedPoolEdit, keyedPoolWrite } from '../idempotency';
import { createPool, deletePool, updatePool } from '../lifecycle/service';
import { toWireAssignment, toWireTarget } from '../mapping';
import { selectsField } from '../selection';
import { sentTargets } from '../targets';
import { validateAssignInput, validateAssignments, validateRemoveInput, validateTargets } from '../validation';

const PAYLOAD = 'AssignEmbeddedSIMActivationCodePoolPayload';

/** Passes the arguments on to ../edits and ../lifecycle, each under its idempotency key. */
export const Mutation: MutationResolvers = {
  assignEmbeddedSIMActivationCodePool(_parent, { idempotencyKey, ...args }, ctx, info) {
    // The receipts cost a read before the write: paid only when the operation asks for them, or a repeat may.
    const receipts = idempotencyKey != null || ['added', 'updated', 'removed'].some((field) => selectsField(info, PAYLOAD, field));
    const run = () => replaceAssignments(ctx, { ...args, receipts });
    return keyedEdit(ctx, 'assignEmbeddedSIMActivationCodePool', idempotencyKey, args, run, ({ poolId, assignments, added, updated, removed }) => ({
      poolId,
      assignments,
      diff: { added, updated, removed },
      uncheckedTargets: [],
    }));
  },
  addEmbeddedSIMActivationCodePoolAssignments: (_parent, { idempotencyKey, ...args }, ctx) =>
    keyedPoolEdit(ctx, 'addEmbeddedSIMActivationCodePoolAssignments', idempotencyKey, args, {
      validate: () => validateAssignInput(args.poolId, args.assignments),
      plan: (current) => planAdd(current, args.assignments.map(toWireAssignment)),
      sent: sentTargets(args.assignments),
    }),
  removeEmbeddedSIMActivationCodePoolAssignments: (_parent, { idempotencyKey, ...args }, ctx) =>
    keyedPoolEdit(ctx, 'removeEmbeddedSIMActivationCodePoolAssignments', idempotencyKey, args, {
      validate: () => validateRemoveInput(args.poolId, args.targets),
      plan: (current) => planRemove(current, args.targets.map(toWireTarget)),
    }),
  addAssignmentsToEmbeddedSIMActivationCodePools: (_parent, { idempotencyKey, ...args }, ctx) =>
    keyedBulkEdit(ctx, idempotencyKey, args, {
      operation: 'addAssignmentsToEmbeddedSIMActivationCodePools',
      validate: () => validateAssignments(args.assignments),
      plan: (current) => planAdd(current, args.assignments.map(toWireAssignment)),
      sent: sentTargets(args.assignments),
    }),
  removeAssignmentsFromEmbeddedSIMActivationCodePools: (_parent, { idempotencyKey, ...args }, ctx) =>
    keyedBulkEdit(ctx, idempotencyKey, args, {
      operation: 'removeAssignmentsFromEmbeddedSIMActivationCodePools',
      validate: () => validateTargets(args.targets),
      plan: (current) => planRemove(current, args.targets.map(toWireTarget)),
    }),
  restoreEmbeddedSIMActivationCodePoolAssignments: (_parent, { idempotencyKey, ...args }, ctx) =>
    keyedEdit(ctx, 'restoreEmbeddedSIMActivationCodePoolAssignments', idempotencyKey, args, () => restoreAssignments(ctx, args), (edit) => edit),
  createEmbeddedSIMActivationCodePool: (_parent, { input, idempotencyKey }, ctx) =>
    keyedPoolWrite(ctx, 'createEmbeddedSIMActivationCodePool', idempotencyKey, { input }, () => createPool(ctx, input), (earlier) =>
      // A lost reply: the pool the first attempt may have made (its name, created since it started).
      findCreatedPool(ctx, input.displayName.trim(), earlier.startedMs),
    ),
  updateEmbeddedSIMActivationCodePool: (_parent, { id, input, idempotencyKey }, ctx) =>
    keyedPoolWrite(ctx, 'updateEmbeddedSIMActivationCodePool', idempotencyKey, { id, input }, () => updatePool(ctx, id, input)),
  deleteEmbeddedSIMActivationCodePool: (_parent, { id, idempotencyKey }, ctx) => keyedDelete(ctx, id, idempotencyKey, () => deletePool(ctx, id)),
};
