import type { EditEmbeddedSIMActivationCodePoolAssignmentsPayloadResolvers } from '../../generated/graphql';

export const EditEmbeddedSIMActivationCodePoolAssignmentsPayload: EditEmbeddedSIMActivationCodePoolAssignmentsPayloadResolvers = {
  /** Known by id, as the assign payload's: its `assignments` come from the loader the edit primed (no extra call). */
  pool: (parent) => ({ id: parent.poolId, reference: true }),
};
