/**
 * The edit payloads keep a normalized client cache right without a refetch: the real Apollo Client
 * (InMemoryCache, HttpLink over real HTTP to the running subgraph and its Graph emulator). After an add that
 * selects `pool { id assignments { id } assignmentsVersion }`, the original query read from the cache alone
 * shows the new assignments and version.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { startStack, type Stack } from '../support/stack';

const POOL = SAMPLE_POOLS[0].id;
const G3 = '5b0e7a3c-1d2f-4e6a-9b8c-7d6e5f4a3b2c';

const POOL_QUERY = gql`
  query PoolAssignments($id: ID!) {
    embeddedSIMActivationCodePool(id: $id) {
      id
      assignments { id }
      assignmentsVersion
    }
  }
`;
const ADD = gql`
  mutation AddGroup($poolId: ID!, $groupId: ID!) {
    addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: [{ target: { kind: GROUP, groupId: $groupId } }]) {
      pool { id assignments { id } assignmentsVersion }
      assignmentsVersion
    }
  }
`;
const REMOVE = gql`
  mutation RemoveGroup($poolId: ID!, $groupId: ID!) {
    removeEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, targets: [{ kind: GROUP, groupId: $groupId }]) {
      pool { id assignments { id } assignmentsVersion }
    }
  }
`;

interface PoolData {
  embeddedSIMActivationCodePool: { id: string; assignments: Array<{ id: string }>; assignmentsVersion: string };
}
interface AddData {
  addEmbeddedSIMActivationCodePoolAssignments: { pool: PoolData['embeddedSIMActivationCodePool']; assignmentsVersion: string };
}

let stack: Stack;
let client: ApolloClient<unknown>;
beforeAll(async () => {
  stack = await startStack();
  // `merge: false`: a pool's assignments list from the server replaces the cached one (docs/edits.md's advice; without
  // it Apollo still replaces the list, warning that cache data may be lost).
  const cache = new InMemoryCache({ typePolicies: { EmbeddedSIMActivationCodePool: { fields: { assignments: { merge: false } } } } });
  client = new ApolloClient({ link: new HttpLink({ uri: stack.url, fetch }), cache });
});
afterAll(async () => {
  client.stop();
  await stack.stop();
});

const fromCache = () => client.readQuery<PoolData>({ query: POOL_QUERY, variables: { id: POOL } });

it('an add and a remove update the cached pool (assignments and version) without a refetch', async () => {
  const first = await client.query<PoolData>({ query: POOL_QUERY, variables: { id: POOL }, fetchPolicy: 'network-only' });
  const before = first.data.embeddedSIMActivationCodePool;
  expect(before.assignments).toHaveLength(2);

  const added = await client.mutate<AddData>({ mutation: ADD, variables: { poolId: POOL, groupId: G3 } });
  const payload = added.data?.addEmbeddedSIMActivationCodePoolAssignments;
  expect(payload?.pool.assignments).toHaveLength(3);
  const graphCalls = stack.emulator.requests.length;

  // cache-only: answered from the normalized cache, or not at all.
  const cached = await client.query<PoolData>({ query: POOL_QUERY, variables: { id: POOL }, fetchPolicy: 'cache-only' });
  expect(cached.data.embeddedSIMActivationCodePool.assignments.map((a) => a.id)).toEqual(payload?.pool.assignments.map((a) => a.id));
  expect(cached.data.embeddedSIMActivationCodePool.assignmentsVersion).toBe(payload?.assignmentsVersion);
  expect(cached.data.embeddedSIMActivationCodePool.assignmentsVersion).not.toBe(before.assignmentsVersion);
  expect(stack.emulator.requests.length).toBe(graphCalls);

  await client.mutate({ mutation: REMOVE, variables: { poolId: POOL, groupId: G3 } });
  expect(fromCache()?.embeddedSIMActivationCodePool).toEqual(before);
});
