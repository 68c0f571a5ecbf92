import type { MutationResolvers } from '../../generated/graphql';
import { toWireAssignment } from '../mapping';
import { validateAssignInput } from '../validation';

export const Mutation: MutationResolvers = {
  async assignEmbeddedSIMActivationCodePool(_parent, { poolId, assignments }, ctx) {
    validateAssignInput(poolId, assignments);
    const result = await ctx.graph.assign(poolId, assignments.map(toWireAssignment), ctx.callOptions);
    // The payload's `pool { assignments }` must show the new set without another Graph call.
    ctx.loaders.assignmentsByPool.clear(poolId).prime(poolId, result);
    // The pool's modifiedDateTime changed: never serve a copy read before the mutation.
    ctx.loaders.poolById.clear(poolId);
    return { poolId, assignments: result };
  },
};
