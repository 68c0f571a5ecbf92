import type { BulkAssignmentEditPayloadResolvers } from '../../generated/graphql';

export const BulkAssignmentEditPayload: BulkAssignmentEditPayloadResolvers = {
  results: (parent) => parent.results,
  succeeded: (parent) => parent.succeeded,
  unchanged: (parent) => parent.unchanged,
  failed: (parent) => parent.failed,
};
