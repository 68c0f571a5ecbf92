/** The operations preloaded in Apollo Sandbox, with variables naming the embedded emulator's sample data. */

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

export const EXAMPLE_DOCUMENT = `# Assigns a pool to a group and excludes another group. Assign REPLACES the pool's whole assignment set.
mutation AssignPool($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
    pool {
      id
      displayName
      modifiedDateTime
    }
    assignments { id target { odataType ...Target } }
  }
}

# Adds targets and keeps every other assignment as it is. dryRun: true (as preloaded) only shows what would change;
# to apply exactly that, run it again with dryRun: false and ifAssignmentsVersion set to the returned
# assignmentsVersion (a CONFLICT error then means someone changed the pool in between).
mutation AddAssignments($poolId: ID!, $addAssignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $dryRun: Boolean, $ifAssignmentsVersion: String) {
  addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $addAssignments, dryRun: $dryRun, ifAssignmentsVersion: $ifAssignmentsVersion) {
    dryRun
    assignmentsVersion
    added { ...Target }
    updated { ...Target }
    pool { id assignments { id } assignmentsVersion }
  }
}

# Removes targets (by kind and id; their filters do not matter) and keeps every other assignment as it is.
mutation RemoveAssignments($poolId: ID!, $removeTargets: [AssignmentTargetInput!]!, $dryRun: Boolean, $ifAssignmentsVersion: String) {
  removeEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, targets: $removeTargets, dryRun: $dryRun, ifAssignmentsVersion: $ifAssignmentsVersion) {
    dryRun
    assignmentsVersion
    removed { ...Target }
    pool { id assignments { id } assignmentsVersion }
  }
}

# Adds a group to several pools at once: one result per pool, in order (its edit, or a PoolEditError that never
# stops the others). The group is checked first (a deleted one is BAD_USER_INPUT); dryRun: true only previews.
mutation BulkAdd($bulkPoolIds: [ID!]!, $bulkAssignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $dryRun: Boolean) {
  addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $bulkPoolIds, assignments: $bulkAssignments, dryRun: $dryRun) {
    succeeded
    unchanged
    failed
    results {
      __typename
      ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {
        pool { id displayName }
        added { ...Target }
        assignments { id targetState }
      }
      ... on PoolEditError { poolId code message retryAfterSeconds }
    }
  }
}

# History and restore, two steps in this tab (the ▶ button asks which operation to run):
# 1. Run PoolHistory: the pool's changes, newest first, each with who made it, how it ended and the targets before
#    and after. On a fresh start the first run may list none: its read of the pool records the pool's first set (a
#    SNAPSHOT), so run it again; change the pool (the AssignPool tab) to see a change in it.
# 2. Copy the id of the entry whose set (its "targets") you want back into entryId below, and run RestorePool.
#    dryRun: true (as preloaded) only shows what the restore would add and remove; to apply exactly that, run it
#    again with dryRun: false and ifAssignmentsVersion set to the returned assignmentsVersion.
query PoolHistory($poolId: ID!, $first: Int) {
  embeddedSIMActivationCodePool(id: $poolId) {
    id
    assignmentsVersion
    assignmentHistory(first: $first) {
      edges {
        node {
          id
          at
          kind
          operation
          actor { objectId appId isApp anonymous }
          outcome
          targetsBefore { ...Target }
          targets { ...Target }
          added { ...Target }
          removed { ...Target }
          restoredFrom
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}

mutation RestorePool($poolId: ID!, $entryId: ID!, $dryRun: Boolean, $ifAssignmentsVersion: String) {
  restoreEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, entryId: $entryId, dryRun: $dryRun, ifAssignmentsVersion: $ifAssignmentsVersion) {
    dryRun
    assignmentsVersion
    added { ...Target }
    updated { ...Target }
    removed { ...Target }
    pool { id assignments { id } assignmentsVersion }
  }
}

# The fields of an assignment target, whatever its kind (the operations here use it).
fragment Target on DeviceAndAppManagementAssignmentTarget {
  __typename
  filterType
  filterId
  ... on GroupAssignmentTarget { groupId }
  ... on ExclusionGroupAssignmentTarget { groupId }
  ... on ConfigurationManagerCollectionAssignmentTarget { collectionId }
}

# Creates a pool from activation codes (needs EsimPools.Manage). The preloaded codes are samples: the emulator
# takes them, a real operator's SM-DP+ would not. Codes are credentials: pass them as variables; they are never
# returned, logged or quoted in an error (errors name the index and the field).
# A retried create: run it twice. With the same idempotencyKey the second run answers the first one's pool (the same
# id) and creates nothing, even when the first reply was lost; a new pool needs a new key.
mutation CreatePool($createInput: CreateEmbeddedSIMActivationCodePoolInput!, $createKey: String) {
  createEmbeddedSIMActivationCodePool(input: $createInput, idempotencyKey: $createKey) {
    pool { id displayName activationCodeCount createdDateTime }
  }
}

# Renames a pool (only the fields given are sent to Graph).
mutation RenamePool($poolId: ID!, $renameInput: UpdateEmbeddedSIMActivationCodePoolInput!) {
  updateEmbeddedSIMActivationCodePool(id: $poolId, input: $renameInput) {
    pool { id displayName modifiedDateTime }
  }
}

# Deletes a pool with its assignments and device states. The preloaded id names no pool, so running it as is
# deletes nothing (NOT_FOUND): paste the id CreatePool answered.
mutation DeletePool($deletePoolId: ID!) {
  deleteEmbeddedSIMActivationCodePool(id: $deletePoolId) { deletedPoolId }
}

# Lists the pools with their assignments.
query Pools($first: Int) {
  embeddedSIMActivationCodePools(first: $first) {
    totalCount
    edges {
      cursor
      node {
        id
        displayName
        activationCodeCount
        createdDateTime
        assignmentsVersion
        assignments { id target { ...Target } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

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
