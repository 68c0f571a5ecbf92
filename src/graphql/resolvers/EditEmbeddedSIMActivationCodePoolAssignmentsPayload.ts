import { notFound } from '../errors';
import type { EditEmbeddedSIMActivationCodePoolAssignmentsPayloadResolvers } from '../../generated/graphql';

export const EditEmbeddedSIMActivationCodePoolAssignmentsPayload: EditEmbeddedSIMActivationCodePoolAssignmentsPayloadResolvers = {
  /** Resolved lazily, only when selected; its `assignments` come from the loader the edit primed (no extra call). */
  async pool(parent, _args, ctx) {
    const pool = await ctx.loaders.poolById.load(parent.poolId);
    if (!pool) throw notFound('The pool was not found after the edit.');
    return pool;
  },
  assignments: (parent) => parent.assignments,
  added: (parent) => parent.added,
  updated: (parent) => parent.updated,
  removed: (parent) => parent.removed,
  dryRun: (parent) => parent.dryRun,
  assignmentsVersion: (parent) => parent.assignmentsVersion,
};
