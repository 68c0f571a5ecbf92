/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment PoolSummary on EmbeddedSIMActivationCodePool {\n    id\n    displayName\n    activationCodeCount\n    createdDateTime\n  }\n": typeof types.PoolSummaryFragmentDoc,
    "\n  fragment TargetFields on DeviceAndAppManagementAssignmentTarget {\n    __typename\n    filterType\n    filterId\n    ... on GroupAssignmentTarget {\n      groupId\n    }\n    ... on ExclusionGroupAssignmentTarget {\n      groupId\n    }\n    ... on ConfigurationManagerCollectionAssignmentTarget {\n      collectionId\n    }\n  }\n": typeof types.TargetFieldsFragmentDoc,
    "\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    # Whether the target's group and filter still exist: all the page's targets in one batched read.\n    targetState\n    target {\n      ...TargetFields\n    }\n  }\n": typeof types.AssignmentFieldsFragmentDoc,
    "\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    # Passed back as ifAssignmentsVersion by every edit, so an edit made on a set someone else has changed since\n    # this page read it fails with CONFLICT instead of undoing their change.\n    assignmentsVersion\n    assignments {\n      ...AssignmentFields\n    }\n  }\n": typeof types.PoolDetailsFragmentDoc,
    "\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PoolListDocument,
    "\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n": typeof types.PoolByIdDocument,
    "\n  fragment HistoryEntry on AssignmentHistoryEntry {\n    id\n    at\n    kind\n    operation\n    outcome\n    errorCode\n    actor {\n      objectId\n      appId\n      isApp\n      anonymous\n    }\n    targetsBefore {\n      ...TargetFields\n    }\n    targets {\n      ...TargetFields\n    }\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    # Compared with the pool's current version: when they differ, the history is behind the pool.\n    assignmentsVersion\n    restoredFrom\n  }\n": typeof types.HistoryEntryFragmentDoc,
    "\n  query PoolHistory($id: ID!, $first: Int!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      id\n      assignmentHistory(first: $first) {\n        edges {\n          cursor\n          node {\n            ...HistoryEntry\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n": typeof types.PoolHistoryDocument,
    "\n  fragment EditResult on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n    dryRun\n    assignmentsVersion\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    pool {\n      ...PoolDetails\n    }\n  }\n": typeof types.EditResultFragmentDoc,
    "\n  mutation AddPoolAssignments(\n    $poolId: ID!\n    $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!\n    $dryRun: Boolean!\n    $ifAssignmentsVersion: String!\n  ) {\n    addEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      assignments: $assignments\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n": typeof types.AddPoolAssignmentsDocument,
    "\n  mutation RemovePoolAssignments($poolId: ID!, $targets: [AssignmentTargetInput!]!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    removeEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      targets: $targets\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n": typeof types.RemovePoolAssignmentsDocument,
    "\n  mutation BulkAddGroup($poolIds: [ID!]!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {\n    addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $assignments) {\n      succeeded\n      unchanged\n      failed\n      results {\n        __typename\n        ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n          added {\n            ...TargetFields\n          }\n          pool {\n            ...PoolDetails\n          }\n        }\n        ... on PoolEditError {\n          poolId\n          code\n          message\n          retryAfterSeconds\n        }\n      }\n    }\n  }\n": typeof types.BulkAddGroupDocument,
    "\n  mutation RestorePoolAssignments($poolId: ID!, $entryId: ID!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    restoreEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      entryId: $entryId\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n": typeof types.RestorePoolAssignmentsDocument,
};
const documents: Documents = {
    "\n  fragment PoolSummary on EmbeddedSIMActivationCodePool {\n    id\n    displayName\n    activationCodeCount\n    createdDateTime\n  }\n": types.PoolSummaryFragmentDoc,
    "\n  fragment TargetFields on DeviceAndAppManagementAssignmentTarget {\n    __typename\n    filterType\n    filterId\n    ... on GroupAssignmentTarget {\n      groupId\n    }\n    ... on ExclusionGroupAssignmentTarget {\n      groupId\n    }\n    ... on ConfigurationManagerCollectionAssignmentTarget {\n      collectionId\n    }\n  }\n": types.TargetFieldsFragmentDoc,
    "\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    # Whether the target's group and filter still exist: all the page's targets in one batched read.\n    targetState\n    target {\n      ...TargetFields\n    }\n  }\n": types.AssignmentFieldsFragmentDoc,
    "\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    # Passed back as ifAssignmentsVersion by every edit, so an edit made on a set someone else has changed since\n    # this page read it fails with CONFLICT instead of undoing their change.\n    assignmentsVersion\n    assignments {\n      ...AssignmentFields\n    }\n  }\n": types.PoolDetailsFragmentDoc,
    "\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PoolListDocument,
    "\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n": types.PoolByIdDocument,
    "\n  fragment HistoryEntry on AssignmentHistoryEntry {\n    id\n    at\n    kind\n    operation\n    outcome\n    errorCode\n    actor {\n      objectId\n      appId\n      isApp\n      anonymous\n    }\n    targetsBefore {\n      ...TargetFields\n    }\n    targets {\n      ...TargetFields\n    }\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    # Compared with the pool's current version: when they differ, the history is behind the pool.\n    assignmentsVersion\n    restoredFrom\n  }\n": types.HistoryEntryFragmentDoc,
    "\n  query PoolHistory($id: ID!, $first: Int!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      id\n      assignmentHistory(first: $first) {\n        edges {\n          cursor\n          node {\n            ...HistoryEntry\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n": types.PoolHistoryDocument,
    "\n  fragment EditResult on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n    dryRun\n    assignmentsVersion\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    pool {\n      ...PoolDetails\n    }\n  }\n": types.EditResultFragmentDoc,
    "\n  mutation AddPoolAssignments(\n    $poolId: ID!\n    $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!\n    $dryRun: Boolean!\n    $ifAssignmentsVersion: String!\n  ) {\n    addEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      assignments: $assignments\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n": types.AddPoolAssignmentsDocument,
    "\n  mutation RemovePoolAssignments($poolId: ID!, $targets: [AssignmentTargetInput!]!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    removeEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      targets: $targets\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n": types.RemovePoolAssignmentsDocument,
    "\n  mutation BulkAddGroup($poolIds: [ID!]!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {\n    addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $assignments) {\n      succeeded\n      unchanged\n      failed\n      results {\n        __typename\n        ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n          added {\n            ...TargetFields\n          }\n          pool {\n            ...PoolDetails\n          }\n        }\n        ... on PoolEditError {\n          poolId\n          code\n          message\n          retryAfterSeconds\n        }\n      }\n    }\n  }\n": types.BulkAddGroupDocument,
    "\n  mutation RestorePoolAssignments($poolId: ID!, $entryId: ID!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    restoreEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      entryId: $entryId\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n": types.RestorePoolAssignmentsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PoolSummary on EmbeddedSIMActivationCodePool {\n    id\n    displayName\n    activationCodeCount\n    createdDateTime\n  }\n"): (typeof documents)["\n  fragment PoolSummary on EmbeddedSIMActivationCodePool {\n    id\n    displayName\n    activationCodeCount\n    createdDateTime\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TargetFields on DeviceAndAppManagementAssignmentTarget {\n    __typename\n    filterType\n    filterId\n    ... on GroupAssignmentTarget {\n      groupId\n    }\n    ... on ExclusionGroupAssignmentTarget {\n      groupId\n    }\n    ... on ConfigurationManagerCollectionAssignmentTarget {\n      collectionId\n    }\n  }\n"): (typeof documents)["\n  fragment TargetFields on DeviceAndAppManagementAssignmentTarget {\n    __typename\n    filterType\n    filterId\n    ... on GroupAssignmentTarget {\n      groupId\n    }\n    ... on ExclusionGroupAssignmentTarget {\n      groupId\n    }\n    ... on ConfigurationManagerCollectionAssignmentTarget {\n      collectionId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    # Whether the target's group and filter still exist: all the page's targets in one batched read.\n    targetState\n    target {\n      ...TargetFields\n    }\n  }\n"): (typeof documents)["\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    # Whether the target's group and filter still exist: all the page's targets in one batched read.\n    targetState\n    target {\n      ...TargetFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    # Passed back as ifAssignmentsVersion by every edit, so an edit made on a set someone else has changed since\n    # this page read it fails with CONFLICT instead of undoing their change.\n    assignmentsVersion\n    assignments {\n      ...AssignmentFields\n    }\n  }\n"): (typeof documents)["\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    # Passed back as ifAssignmentsVersion by every edit, so an edit made on a set someone else has changed since\n    # this page read it fails with CONFLICT instead of undoing their change.\n    assignmentsVersion\n    assignments {\n      ...AssignmentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n"): (typeof documents)["\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HistoryEntry on AssignmentHistoryEntry {\n    id\n    at\n    kind\n    operation\n    outcome\n    errorCode\n    actor {\n      objectId\n      appId\n      isApp\n      anonymous\n    }\n    targetsBefore {\n      ...TargetFields\n    }\n    targets {\n      ...TargetFields\n    }\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    # Compared with the pool's current version: when they differ, the history is behind the pool.\n    assignmentsVersion\n    restoredFrom\n  }\n"): (typeof documents)["\n  fragment HistoryEntry on AssignmentHistoryEntry {\n    id\n    at\n    kind\n    operation\n    outcome\n    errorCode\n    actor {\n      objectId\n      appId\n      isApp\n      anonymous\n    }\n    targetsBefore {\n      ...TargetFields\n    }\n    targets {\n      ...TargetFields\n    }\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    # Compared with the pool's current version: when they differ, the history is behind the pool.\n    assignmentsVersion\n    restoredFrom\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PoolHistory($id: ID!, $first: Int!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      id\n      assignmentHistory(first: $first) {\n        edges {\n          cursor\n          node {\n            ...HistoryEntry\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PoolHistory($id: ID!, $first: Int!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      id\n      assignmentHistory(first: $first) {\n        edges {\n          cursor\n          node {\n            ...HistoryEntry\n          }\n        }\n        pageInfo {\n          hasNextPage\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EditResult on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n    dryRun\n    assignmentsVersion\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    pool {\n      ...PoolDetails\n    }\n  }\n"): (typeof documents)["\n  fragment EditResult on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n    dryRun\n    assignmentsVersion\n    added {\n      ...TargetFields\n    }\n    updated {\n      ...TargetFields\n    }\n    removed {\n      ...TargetFields\n    }\n    pool {\n      ...PoolDetails\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddPoolAssignments(\n    $poolId: ID!\n    $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!\n    $dryRun: Boolean!\n    $ifAssignmentsVersion: String!\n  ) {\n    addEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      assignments: $assignments\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n"): (typeof documents)["\n  mutation AddPoolAssignments(\n    $poolId: ID!\n    $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!\n    $dryRun: Boolean!\n    $ifAssignmentsVersion: String!\n  ) {\n    addEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      assignments: $assignments\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemovePoolAssignments($poolId: ID!, $targets: [AssignmentTargetInput!]!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    removeEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      targets: $targets\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n"): (typeof documents)["\n  mutation RemovePoolAssignments($poolId: ID!, $targets: [AssignmentTargetInput!]!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    removeEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      targets: $targets\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BulkAddGroup($poolIds: [ID!]!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {\n    addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $assignments) {\n      succeeded\n      unchanged\n      failed\n      results {\n        __typename\n        ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n          added {\n            ...TargetFields\n          }\n          pool {\n            ...PoolDetails\n          }\n        }\n        ... on PoolEditError {\n          poolId\n          code\n          message\n          retryAfterSeconds\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation BulkAddGroup($poolIds: [ID!]!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {\n    addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $assignments) {\n      succeeded\n      unchanged\n      failed\n      results {\n        __typename\n        ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload {\n          added {\n            ...TargetFields\n          }\n          pool {\n            ...PoolDetails\n          }\n        }\n        ... on PoolEditError {\n          poolId\n          code\n          message\n          retryAfterSeconds\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestorePoolAssignments($poolId: ID!, $entryId: ID!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    restoreEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      entryId: $entryId\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n"): (typeof documents)["\n  mutation RestorePoolAssignments($poolId: ID!, $entryId: ID!, $dryRun: Boolean!, $ifAssignmentsVersion: String!) {\n    restoreEmbeddedSIMActivationCodePoolAssignments(\n      poolId: $poolId\n      entryId: $entryId\n      dryRun: $dryRun\n      ifAssignmentsVersion: $ifAssignmentsVersion\n    ) {\n      ...EditResult\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;