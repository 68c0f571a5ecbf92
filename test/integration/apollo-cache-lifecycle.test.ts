/**
 * The lifecycle payloads with the real Apollo Client (InMemoryCache, HttpLink over real HTTP): the create's pool is
 * added to the cached pools list with `cache.modify` on the connection field, the delete's `deletedPoolId`
 * drops its edge (`cache.modify`) and evicts the pool (`cache.evict` + `cache.gc`), and the rename updates the normalized pool: the list read from
 * the cache alone (no request) shows each change. These are the snippets of docs/pools.md.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql, type Reference } from '@apollo/client/core';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { testCodes } from '../support/activation-codes';
import { startStack, type Stack } from '../support/stack';

const POOLS = gql`
  query Pools {
    embeddedSIMActivationCodePools(first: 10) {
      totalCount
      edges { cursor node { id displayName } }
      pageInfo { endCursor }
    }
  }
`;
const CREATE = gql`
  mutation Create($input: CreateEmbeddedSIMActivationCodePoolInput!) {
    createEmbeddedSIMActivationCodePool(input: $input) { pool { id displayName } }
  }
`;
const RENAME = gql`
  mutation Rename($id: ID!, $name: String!) {
    updateEmbeddedSIMActivationCodePool(id: $id, input: { displayName: $name }) { pool { id displayName } }
  }
`;
const DELETE = gql`
  mutation Delete($id: ID!) { deleteEmbeddedSIMActivationCodePool(id: $id) { deletedPoolId } }
`;

interface Connection {
  totalCount: number | null;
  edges: Array<{ cursor: string; node: Reference | { id: string; displayName: string } }>;
  pageInfo: { endCursor: string | null };
}
interface PoolsData {
  embeddedSIMActivationCodePools: { totalCount: number; edges: Array<{ node: { id: string; displayName: string } }> };
}
type Pool = { id: string; displayName: string };

let stack: Stack;
let client: ApolloClient<unknown>;
beforeAll(async () => {
  stack = await startStack();
  client = new ApolloClient({ link: new HttpLink({ uri: stack.url, fetch }), cache: new InMemoryCache() });
});
afterAll(async () => {
  client.stop();
  await stack.stop();
});

const cachedList = async () =>
  (await client.query<PoolsData>({ query: POOLS, fetchPolicy: 'cache-only' })).data.embeddedSIMActivationCodePools;

it('create adds to the cached list, rename updates it, delete evicts: no refetch', async () => {
  await client.query<PoolsData>({ query: POOLS, fetchPolicy: 'network-only' });

  const created = await client.mutate<{ createEmbeddedSIMActivationCodePool: { pool: Pool } }>({
    mutation: CREATE,
    variables: { input: { displayName: 'New pool', activationCodes: testCodes(2) } },
    update(cache, { data }) {
      const pool = data?.createEmbeddedSIMActivationCodePool.pool;
      if (!pool) return;
      cache.modify({
        fields: {
          embeddedSIMActivationCodePools(stored, { toReference }) {
            const existing = stored as Connection;
            const node = toReference(pool);
            // The new pool has no cursor of its own in this page: the page's end cursor keeps paging where it was.
            const edge = { __typename: 'EmbeddedSIMActivationCodePoolEdge', cursor: existing.pageInfo.endCursor ?? '', node };
            return { ...existing, edges: [...existing.edges, edge], totalCount: existing.totalCount === null ? null : existing.totalCount + 1 };
          },
        },
      });
    },
  });
  const pool = created.data?.createEmbeddedSIMActivationCodePool.pool;
  const requests = stack.emulator.requests.length;
  let list = await cachedList();
  expect(list.totalCount).toBe(SAMPLE_POOLS.length + 1);
  expect(list.edges.map((e) => e.node)).toContainEqual({ __typename: 'EmbeddedSIMActivationCodePool', id: pool?.id, displayName: 'New pool' });

  await client.mutate({ mutation: RENAME, variables: { id: SAMPLE_POOLS[1].id, name: 'Renamed kiosks' } });
  list = await cachedList();
  expect(list.edges.find((e) => e.node.id === SAMPLE_POOLS[1].id)?.node.displayName).toBe('Renamed kiosks');

  await client.mutate<{ deleteEmbeddedSIMActivationCodePool: { deletedPoolId: string } }>({
    mutation: DELETE,
    variables: { id: SAMPLE_POOLS[2].id },
    update(cache, { data }) {
      const id = data?.deleteEmbeddedSIMActivationCodePool.deletedPoolId;
      if (!id) return;
      // Edges are not normalized: evicting the pool would leave its edge with an empty node, so drop the edge first.
      cache.modify({
        fields: {
          embeddedSIMActivationCodePools(stored, { readField }) {
            const existing = stored as Connection;
            const edges = existing.edges.filter((edge) => readField('id', edge.node as Reference) !== id);
            const removed = existing.edges.length - edges.length;
            return { ...existing, edges, totalCount: existing.totalCount === null ? null : existing.totalCount - removed };
          },
        },
      });
      cache.evict({ id: cache.identify({ __typename: 'EmbeddedSIMActivationCodePool', id }) });
      cache.gc();
    },
  });
  list = await cachedList();
  expect(list.edges.map((e) => e.node.id)).not.toContain(SAMPLE_POOLS[2].id);
  expect(list.edges).toHaveLength(SAMPLE_POOLS.length);
  expect(list.totalCount).toBe(SAMPLE_POOLS.length);
  expect(client.cache.extract()).not.toHaveProperty(`EmbeddedSIMActivationCodePool:${SAMPLE_POOLS[2].id}`);
  // Only the two mutations went to the subgraph (and on to Graph) after the create: no list was read again.
  expect(stack.emulator.requests.filter((r) => r.method === 'GET' && r.path.endsWith('embeddedSIMActivationCodePools'))).toHaveLength(1);
  expect(stack.emulator.requests.length).toBe(requests + 2);
});
