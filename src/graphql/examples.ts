/** The operations preloaded in Apollo Sandbox, with variables naming the embedded emulator's sample data. */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '../emulator/data';

export const EXAMPLE_DOCUMENT = `# Assigns a pool to a group and excludes another group. Assign REPLACES the pool's whole assignment set.
mutation AssignPool($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
    pool {
      id
      displayName
      modifiedDateTime
    }
    assignments {
      id
      target {
        __typename
        odataType
        filterType
        filterId
        ... on GroupAssignmentTarget { groupId }
        ... on ExclusionGroupAssignmentTarget { groupId }
        ... on ConfigurationManagerCollectionAssignmentTarget { collectionId }
      }
    }
  }
}

# Lists the pools with their assignments.
query Pools($first: Int) {
  embeddedSIMActivationCodePools(first: $first) {
    edges {
      cursor
      node {
        id
        displayName
        activationCodeCount
        createdDateTime
        assignments {
          id
          target {
            __typename
            filterType
            ... on GroupAssignmentTarget { groupId }
            ... on ExclusionGroupAssignmentTarget { groupId }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export const EXAMPLE_VARIABLES = {
  poolId: SAMPLE_POOLS[0].id,
  assignments: [
    { target: { kind: 'GROUP', groupId: SAMPLE_GROUP_IDS[0] } },
    { target: { kind: 'EXCLUSION_GROUP', groupId: SAMPLE_GROUP_IDS[1] } },
  ],
  first: 10,
};
