/** Quirk configurations used by more than one suite: the emulator's tests and the subgraph's. */
import { SAMPLE_POOLS } from './data';
import type { QuirksConfig } from './types';

/** The pools collection under the API version (the quirks' paths are relative to /beta). */
export const POOLS_REL = '/deviceManagement/embeddedSIMActivationCodePools';

/**
 * Nullable where the CSDL is: the first sample pool's first target has `groupId: null`, the third pool's first
 * target is a Configuration Manager collection target with `collectionId: null`.
 */
export function nullTargetIds(): QuirksConfig {
  const [p1, , p3] = SAMPLE_POOLS.map((p) => p.id);
  return {
    replies: [
      { path: `${POOLS_REL}/${p1}/assignments`, set: { '/value/0/target/groupId': null } },
      {
        path: `${POOLS_REL}/${p3}/assignments`,
        set: {
          '/value/0/target': {
            '@odata.type': '#microsoft.graph.configurationManagerCollectionAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: null,
            deviceAndAppManagementAssignmentFilterType: 'none',
            collectionId: null,
          },
        },
      },
    ],
  };
}
