/**
 * Federation's `_entities`: the router's pool references resolved through the loaders, every reference of a
 * request in one batched read; with `assignments` selected, read together with them.
 */
import { FakeGraph, wire } from '../../support/fake-graph';
import { codesOf, useOperations } from '../../support/operations';

const P1 = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';
const P2 = '0b7e4c2d-1f3a-4b6c-8d9e-3a4b5c6d7e02';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const GROUP = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';

const ENTITIES = (selection: string) => `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on EmbeddedSIMActivationCodePool { ${selection} } }
}`;
const refs = (...ids: string[]) => ({ representations: ids.map((id) => ({ __typename: 'EmbeddedSIMActivationCodePool', id })) });

const ops = useOperations(() =>
  new FakeGraph()
    .addPool(wire.pool(P1, 'One'), [wire.assignment('a-1', { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: GROUP })])
    .addPool(wire.pool(P2, 'Two')),
);

it('resolves every reference in one batched read, in order, null for a pool Graph does not have', async () => {
  const result = await ops.run(ENTITIES('id displayName'), refs(P2, UNKNOWN, P1));
  expect(result.errors).toBeUndefined();
  expect(result.data?._entities).toEqual([{ id: P2, displayName: 'Two' }, null, { id: P1, displayName: 'One' }]);
  expect(ops.graph.calls.map((c) => [c.method, c.args[0]])).toEqual([['getPools', [P2, UNKNOWN, P1]]]);
});

it('reads the pools with their assignments when the selection asks for them: no second round', async () => {
  const result = await ops.run(ENTITIES('id assignments { id }'), refs(P1, P2));
  expect(result.errors).toBeUndefined();
  expect(result.data?._entities).toEqual([
    { id: P1, assignments: [{ id: 'a-1' }] },
    { id: P2, assignments: [] },
  ]);
  expect(ops.graph.calls.map((c) => [c.method, c.args[0]])).toEqual([['getPoolsWithAssignments', [P1, P2]]]);
});

it('the same pool referenced twice (in any letter case) is read once', async () => {
  const result = await ops.run(ENTITIES('id'), refs(P1, P1.toUpperCase()));
  expect(result.errors).toBeUndefined();
  expect(ops.graph.callsOf('getPools').map((c) => c.args[0])).toEqual([[P1]]);
});

it('refuses a reference whose id is not a GUID, and still resolves the others', async () => {
  const result = await ops.run(ENTITIES('id'), refs(P1, 'not-a-guid'));
  expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  expect(result.errors?.[0]?.path).toEqual(['_entities', 1]);
  // As serialized for the router: graphql-jit leaves the failed item unset in memory (a hole), which JSON writes as null.
  expect(JSON.stringify(result.data?._entities)).toBe(JSON.stringify([{ id: P1 }, null]));
  expect(ops.graph.callsOf('getPools').map((c) => c.args[0])).toEqual([[P1]]);
});
