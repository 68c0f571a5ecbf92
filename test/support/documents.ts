/** Operations many tests send: written once, against the emulator's sample data. */
import { SAMPLE_GROUP_IDS } from '@esim-pools/graph-emulator';

/** Assigns the pool `$poolId` to the first sample group (replacing its assignments); selects the new ids. */
export const ASSIGN_SAMPLE_GROUP = `mutation Assign($poolId: ID!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: [{ target: { kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" } }]) {
    assignments { id }
  }
}`;
