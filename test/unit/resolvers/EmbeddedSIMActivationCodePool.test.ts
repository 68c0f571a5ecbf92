/** The pool type's fields that call Graph: assignments and deviceStates, batched across every pool of a request. */
import { GraphError } from '../../../src/graph/errors';
import { FakeGraph, wire } from '../../support/fake-graph';
import { codesOf, useOperations } from '../../support/operations';

const P1 = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';
const P2 = '0b7e4c2d-1f3a-4b6c-8d9e-3a4b5c6d7e02';
const GROUP = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';
const groupTarget = { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: GROUP };

const ops = useOperations(() =>
  new FakeGraph()
    .addPool(wire.pool(P1), [wire.assignment('a-1', groupTarget)], [1, 2, 3].map((n) => wire.deviceState(`d-${n}`, `phone-${n}`)))
    .addPool(wire.pool(P2), [], [wire.deviceState('d-9', 'tablet')]),
);

const LIST_WITH_ASSIGNMENTS = `{
  embeddedSIMActivationCodePools { edges { node { id assignments { id target { __typename } } } } }
}`;

describe('assignments', () => {
  it("reads every listed pool's assignments in one batched call", async () => {
    const result = await ops.run(LIST_WITH_ASSIGNMENTS);
    expect(result.errors).toBeUndefined();
    const nodes = (result.data?.embeddedSIMActivationCodePools as { edges: { node: unknown }[] }).edges.map((e) => e.node);
    expect(nodes).toEqual([
      { id: P1, assignments: [{ id: 'a-1', target: { __typename: 'GroupAssignmentTarget' } }] },
      { id: P2, assignments: [] },
    ]);
    expect(ops.graph.callsOf('listAssignmentsOfPools').map((c) => c.args[0])).toEqual([[P1, P2]]);
  });

  it("maps Graph's failure to the client's code, on the failing field", async () => {
    ops.graph.fail('listAssignmentsOfPools', new GraphError('Too many requests', { kind: 'throttled', status: 429, retryAfterSeconds: 7 }));
    const result = await ops.run(`{ embeddedSIMActivationCodePool(id: "${P1}") { id assignments { id } } }`);
    expect(codesOf(result)).toEqual(['THROTTLED']);
    expect(result.errors?.[0]?.extensions?.retryAfterSeconds).toBe(7);
    expect(result.errors?.[0]?.path).toEqual(['embeddedSIMActivationCodePool', 'assignments']);
    // assignments is non-null: the pool it belongs to becomes null, not a pool without assignments.
    expect(result.data).toEqual({ embeddedSIMActivationCodePool: null });
  });
});

describe('deviceStates', () => {
  const STATES = `query ($first: Int, $after: String) {
    embeddedSIMActivationCodePools {
      edges { node { id deviceStates(first: $first, after: $after) { edges { node { id deviceName state } } pageInfo { hasNextPage endCursor } } } }
    }
  }`;
  type States = { edges: { node: { id: string; deviceName: string; state: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
  const statesOf = (data: Record<string, unknown> | null | undefined): States[] =>
    (data?.embeddedSIMActivationCodePools as { edges: { node: { deviceStates: States } }[] }).edges.map((e) => e.node.deviceStates);

  it("pages each pool's device states, all pools in one batched call", async () => {
    const result = await ops.run(STATES, { first: 2 });
    expect(result.errors).toBeUndefined();
    const [first, second] = statesOf(result.data);
    expect(first.edges.map((e) => e.node)).toEqual([
      { id: 'd-1', deviceName: 'phone-1', state: 'INSTALLED' },
      { id: 'd-2', deviceName: 'phone-2', state: 'INSTALLED' },
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.edges.map((e) => e.node.id)).toEqual(['d-9']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(ops.graph.callsOf('listDeviceStatesOfPools').map((c) => c.args[0])).toEqual([
      [
        { poolId: P1, top: 2, next: undefined, count: false },
        { poolId: P2, top: 2, next: undefined, count: false },
      ],
    ]);
  });

  it("refuses another pool's cursor", async () => {
    const first = await ops.run(`{ embeddedSIMActivationCodePool(id: "${P1}") { deviceStates(first: 1) { pageInfo { endCursor } } } }`);
    const cursor = (first.data?.embeddedSIMActivationCodePool as { deviceStates: States }).deviceStates.pageInfo.endCursor;
    ops.graph.calls.length = 0;
    const result = await ops.run(`query ($after: String) { embeddedSIMActivationCodePool(id: "${P2}") { deviceStates(after: $after) { edges { node { id } } } } }`, {
      after: cursor,
    });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(ops.graph.callsOf('listDeviceStatesOfPools')).toEqual([]);
  });
});
