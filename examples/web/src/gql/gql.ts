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
    "\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    target {\n      __typename\n      filterType\n      filterId\n      ... on GroupAssignmentTarget {\n        groupId\n      }\n      ... on ExclusionGroupAssignmentTarget {\n        groupId\n      }\n      ... on ConfigurationManagerCollectionAssignmentTarget {\n        collectionId\n      }\n    }\n  }\n": typeof types.AssignmentFieldsFragmentDoc,
    "\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    assignments {\n      ...AssignmentFields\n    }\n  }\n": typeof types.PoolDetailsFragmentDoc,
    "\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PoolListDocument,
    "\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n": typeof types.PoolByIdDocument,
};
const documents: Documents = {
    "\n  fragment PoolSummary on EmbeddedSIMActivationCodePool {\n    id\n    displayName\n    activationCodeCount\n    createdDateTime\n  }\n": types.PoolSummaryFragmentDoc,
    "\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    target {\n      __typename\n      filterType\n      filterId\n      ... on GroupAssignmentTarget {\n        groupId\n      }\n      ... on ExclusionGroupAssignmentTarget {\n        groupId\n      }\n      ... on ConfigurationManagerCollectionAssignmentTarget {\n        collectionId\n      }\n    }\n  }\n": types.AssignmentFieldsFragmentDoc,
    "\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    assignments {\n      ...AssignmentFields\n    }\n  }\n": types.PoolDetailsFragmentDoc,
    "\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PoolListDocument,
    "\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n": types.PoolByIdDocument,
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
export function graphql(source: "\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    target {\n      __typename\n      filterType\n      filterId\n      ... on GroupAssignmentTarget {\n        groupId\n      }\n      ... on ExclusionGroupAssignmentTarget {\n        groupId\n      }\n      ... on ConfigurationManagerCollectionAssignmentTarget {\n        collectionId\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment AssignmentFields on EmbeddedSIMActivationCodePoolAssignment {\n    id\n    target {\n      __typename\n      filterType\n      filterId\n      ... on GroupAssignmentTarget {\n        groupId\n      }\n      ... on ExclusionGroupAssignmentTarget {\n        groupId\n      }\n      ... on ConfigurationManagerCollectionAssignmentTarget {\n        collectionId\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    assignments {\n      ...AssignmentFields\n    }\n  }\n"): (typeof documents)["\n  fragment PoolDetails on EmbeddedSIMActivationCodePool {\n    ...PoolSummary\n    modifiedDateTime\n    assignments {\n      ...AssignmentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query PoolList($first: Int, $after: String) {\n    embeddedSIMActivationCodePools(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...PoolSummary\n          assignments {\n            id\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n"): (typeof documents)["\n  query PoolById($id: ID!) {\n    embeddedSIMActivationCodePool(id: $id) {\n      ...PoolDetails\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;