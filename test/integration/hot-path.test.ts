/**
 * Behaviours the performance work (docs/performance.md) must keep: what a response looks like to a router or a
 * cache, whichever plugins produce it.
 */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  // Caching off (CACHE_MAX_AGE_S=0): the plugins of the graphql-jit path (test/federation/cache-control.test.ts has the hints).
  stack = await startStack({ config: { federation: { cacheMaxAgeS: 0, privateScope: false } } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Cache-Control with CACHE_MAX_AGE_S=0: every GraphQL answer is `no-store`', () => {
  it.each([
    ['a query', `{ embeddedSIMActivationCodePool(id: "${SAMPLE_POOLS[0].id}") { id displayName assignments { id } } }`, undefined],
    ['_entities', 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id } } }', { r: [{ __typename: 'EmbeddedSIMActivationCodePool', id: SAMPLE_POOLS[1].id }] }],
    [
      'the mutation',
      `mutation { assignEmbeddedSIMActivationCodePool(poolId: "${SAMPLE_POOLS[1].id}", assignments: [{ target: { kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" } }]) { assignments { id } } }`,
      undefined,
    ],
    ['a resolver error', '{ embeddedSIMActivationCodePool(id: "not-a-guid") { id } }', undefined],
    ['a validation error', '{ noSuchField }', undefined],
  ])('%s', async (_name, query, variables) => {
    const reply = await stack.graphql(query, variables);
    expect(reply.headers['cache-control']).toBe('no-store');
  });
});
