import { notFound } from '../errors';
import type { AssignEmbeddedSIMActivationCodePoolPayloadResolvers } from '../../generated/graphql';

export const AssignEmbeddedSIMActivationCodePoolPayload: AssignEmbeddedSIMActivationCodePoolPayloadResolvers = {
  /** Resolved lazily, only when selected: one GET (batched with any other pool reads of this request). */
  async pool(parent, _args, ctx) {
    const pool = await ctx.loaders.poolById.load(parent.poolId);
    if (!pool) throw notFound('The pool was not found after the assignment.');
    return pool;
  },
  assignments: (parent) => parent.assignments,
};
