import { notFound } from '../errors';
import type { AssignEmbeddedSIMActivationCodePoolPayloadResolvers } from '../../generated/graphql';
import type { AssignPayloadModel } from '../mapping';

/** The mutation computed the receipts when the operation selected any of them (see Mutation.ts). */
function receipts(parent: AssignPayloadModel): NonNullable<AssignPayloadModel['diff']> {
  if (!parent.diff) throw new Error('The assign receipts were selected but not computed.');
  return parent.diff;
}

export const AssignEmbeddedSIMActivationCodePoolPayload: AssignEmbeddedSIMActivationCodePoolPayloadResolvers = {
  /** Resolved lazily, only when selected: one GET (batched with any other pool reads of this request). */
  async pool(parent, _args, ctx) {
    const pool = await ctx.loaders.poolById.load(parent.poolId);
    if (!pool) throw notFound('The pool was not found after the assignment.');
    return pool;
  },
  assignments: (parent) => parent.assignments,
  added: (parent) => receipts(parent).added,
  updated: (parent) => receipts(parent).updated,
  removed: (parent) => receipts(parent).removed,
};
