import type { BulkAssignmentEditResultResolvers } from '../../generated/graphql';
import { isPoolEditError } from '../mapping';

export const BulkAssignmentEditResult: BulkAssignmentEditResultResolvers = {
  __resolveType: (result) => (isPoolEditError(result) ? 'PoolEditError' : 'EditEmbeddedSIMActivationCodePoolAssignmentsPayload'),
};
