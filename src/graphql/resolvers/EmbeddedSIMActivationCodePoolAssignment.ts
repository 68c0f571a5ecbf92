import type { EmbeddedSIMActivationCodePoolAssignmentResolvers } from '../../generated/graphql';
import { targetState } from '../targets';

export const EmbeddedSIMActivationCodePoolAssignment: EmbeddedSIMActivationCodePoolAssignmentResolvers = {
  /** Read only when selected: every target of the operation in one batched read (the request's loader). */
  targetState: (assignment, _args, ctx) => targetState(ctx, assignment.target),
};
