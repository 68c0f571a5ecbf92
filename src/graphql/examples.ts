/** The operations preloaded in Apollo Sandbox, with variables naming the embedded emulator's sample data. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_DIR } from './schema';

/**
 * The Graph emulator's sample tenant (`@esim-pools/graph-emulator`, which the production image leaves out): its
 * pools, the groups pool 1 is assigned to, a group no pool is. test/unit/examples.test.ts keeps them equal to it.
 */
export const SAMPLE_IDS = {
  pools: [
    { id: '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01', displayName: 'Contoso 5G field devices' },
    { id: 'b83e4d27-91c5-4f0a-a6d2-7c1e3f9b5d02', displayName: 'Fabrikam LTE kiosks' },
    { id: 'd4a9e5f1-2b7c-48d3-8e6f-0a1b2c3d4e03', displayName: 'Northwind sales laptops (eSIM)' },
  ],
  assignedGroups: ['3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60', 'c7e2d9a4-5f1b-4a8c-9e3d-6b7a8c9d0e21'],
  unassignedGroup: '5b0c2d1e-7f3a-4c9b-8e2d-4a6f1b3c5d70',
} as const;

/** The preloaded operations: schema/examples.graphql, read at start-up (test/federation/sandbox.test.ts validates it). */
export const EXAMPLE_DOCUMENT = readFileSync(join(SCHEMA_DIR, 'examples.graphql'), 'utf8');

/** Operations the explorer shows together in one tab, run in turn; the key says what the tab is for. */
export const EXAMPLE_TAB_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'History and restore': ['PoolHistory', 'RestorePool'],
};

export const EXAMPLE_VARIABLES = {
  poolId: SAMPLE_IDS.pools[0].id,
  assignments: [
    { target: { kind: 'GROUP', groupId: SAMPLE_IDS.assignedGroups[0] } },
    { target: { kind: 'EXCLUSION_GROUP', groupId: SAMPLE_IDS.assignedGroups[1] } },
  ],
  addAssignments: [{ target: { kind: 'ALL_DEVICES' } }],
  removeTargets: [{ kind: 'EXCLUSION_GROUP', groupId: SAMPLE_IDS.assignedGroups[1] }],
  bulkPoolIds: SAMPLE_IDS.pools.map((pool) => pool.id),
  bulkAssignments: [{ target: { kind: 'GROUP', groupId: SAMPLE_IDS.unassignedGroup } }],
  // The edits are previews until this is set to false: running the examples changes nothing by accident.
  dryRun: true,
  createInput: {
    displayName: 'Sample eSIM pool',
    activationCodes: [
      { integratedCircuitCardIdentifier: '89000000000000000017', matchingIdentifier: 'SAMPLE-0001', smdpPlusServerAddress: 'smdp.example.com' },
      { integratedCircuitCardIdentifier: '89000000000000000025', matchingIdentifier: 'SAMPLE-0002', smdpPlusServerAddress: 'smdp.example.com' },
    ],
  },
  // One key per change: a repeat with it answers the first create (docs/edits.md#idempotency-keys).
  createKey: 'create-sample-pool-1',
  // The sample pool's own name: renaming it changes nothing but its modifiedDateTime.
  renameInput: { displayName: SAMPLE_IDS.pools[0].displayName },
  deletePoolId: '00000000-0000-4000-8000-000000000000',
  entryId: 'paste the id of an entry PoolHistory listed',
  ifAssignmentsVersion: null,
  first: 10,
};
