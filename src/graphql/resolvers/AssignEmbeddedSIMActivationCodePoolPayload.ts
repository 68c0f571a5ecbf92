import type { AssignEmbeddedSIMActivationCodePoolPayloadResolvers } from '../../generated/graphql';
import type { AssignPayloadModel } from '../mapping';

/** The mutation computed the receipts when the operation selected any of them (see Mutation.ts). */
function receipts(parent: AssignPayloadModel): NonNullable<AssignPayloadModel['diff']> {
  if (!parent.diff) throw new Error('The assign receipts were selected but not computed.');
  return parent.diff;
}

export const AssignEmbeddedSIMActivationCodePoolPayload: AssignEmbeddedSIMActivationCodePoolPayloadResolvers = {
  /** Known by id: its assignments cost no Graph call; other fields read the pool, batched. */
  pool: (parent) => ({ id: parent.poolId, reference: true }),
  added: (parent) => receipts(parent).added,
  updated: (parent) => receipts(parent).updated,
  removed: (parent) => receipts(parent).removed,
};
