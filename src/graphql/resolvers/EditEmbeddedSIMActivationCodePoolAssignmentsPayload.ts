import type { EditEmbeddedSIMActivationCodePoolAssignmentsPayloadResolvers } from '../../generated/graphql';

export const EditEmbeddedSIMActivationCodePoolAssignmentsPayload: EditEmbeddedSIMActivationCodePoolAssignmentsPayloadResolvers = {
  /** Known by id, as the assign payload's: its `assignments` come from the loader the edit primed (no extra call). */
  pool: (parent) => ({ id: parent.poolId, reference: true }),
  assignments: (parent) => parent.assignments,
  added: (parent) => parent.added,
  updated: (parent) => parent.updated,
  removed: (parent) => parent.removed,
  dryRun: (parent) => parent.dryRun,
  assignmentsVersion: (parent) => parent.assignmentsVersion,
  uncheckedTargets: (parent) => parent.uncheckedTargets,
};
