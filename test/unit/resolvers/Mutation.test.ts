/**
 * assignEmbeddedSIMActivationCodePool: validated input becomes Graph's assign body; the payload's pool is a reference
 * by id, read after the assign only when a field Graph holds is selected, and its assignments are the new set
 * without another call.
 */
import { expect } from '@jest/globals';
import { GraphError } from '../../../src/graph/errors';
import type { WirePool } from '../../../src/graph/models';
import { FakeGraph, wire, type BatchItemResult, type CallOptions } from '../../support/fake-graph';
import { codesOf, useOperations } from '../../support/operations';

const POOL = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';
const GROUP = '3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60';
const EXCLUDED = 'c7e2d9a4-5f1b-4a8c-9e3d-6b7a8c9d0e21';

const ASSIGN = `mutation ($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
  assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
    pool { id displayName assignments { id } }
    assignments { id target { __typename ... on GroupAssignmentTarget { groupId } ... on ExclusionGroupAssignmentTarget { groupId } } }
  }
}`;

const ops = useOperations(() =>
  new FakeGraph().addPool(wire.pool(POOL, 'Field devices'), [wire.assignment('old', { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' })]),
);

const assignments = [
  { target: { kind: 'GROUP', groupId: GROUP } },
  { id: 'keep-me', target: { kind: 'EXCLUSION_GROUP', groupId: EXCLUDED } },
];

it("sends Graph the wire form of the new set and returns Graph's result", async () => {
  const result = await ops.run(ASSIGN, { poolId: POOL, assignments });
  expect(result.errors).toBeUndefined();
  expect(ops.graph.callsOf('assign').map((c) => c.args)).toEqual([
    [
      POOL,
      [
        {
          '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
          target: {
            '@odata.type': '#microsoft.graph.groupAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: null,
            deviceAndAppManagementAssignmentFilterType: 'none',
            groupId: GROUP,
          },
        },
        {
          '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
          id: 'keep-me',
          target: {
            '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget',
            deviceAndAppManagementAssignmentFilterId: null,
            deviceAndAppManagementAssignmentFilterType: 'none',
            groupId: EXCLUDED,
          },
        },
      ],
    ],
  ]);
  const payload = result.data?.assignEmbeddedSIMActivationCodePool as { pool: unknown; assignments: { id: string }[] };
  const ids = ops.graph.assignmentsOf(POOL)?.map((a) => a.id);
  expect(ids).toEqual(['fake-assignment-1', 'keep-me']);
  expect(payload.assignments).toEqual([
    { id: 'fake-assignment-1', target: { __typename: 'GroupAssignmentTarget', groupId: GROUP } },
    { id: 'keep-me', target: { __typename: 'ExclusionGroupAssignmentTarget', groupId: EXCLUDED } },
  ]);
  expect(payload.pool).toEqual({ id: POOL, displayName: 'Field devices', assignments: [{ id: 'fake-assignment-1' }, { id: 'keep-me' }] });
});

it('reads the pool once, after the assign, and its assignments not at all (the sent groups are checked first)', async () => {
  await ops.run(ASSIGN, { poolId: POOL, assignments });
  expect(ops.graph.calls.map((c) => c.method)).toEqual(['getDirectoryObjects', 'assign', 'getPools']);
});

it('an empty list is sent as is (it removes every assignment)', async () => {
  const result = await ops.run(ASSIGN, { poolId: POOL, assignments: [] });
  expect(result.errors).toBeUndefined();
  expect(ops.graph.callsOf('assign').map((c) => c.args)).toEqual([[POOL, []]]);
  expect(ops.graph.assignmentsOf(POOL)).toEqual([]);
});

it.each([
  ['a pool id that is not a GUID', { poolId: 'pool-1', assignments }, 'poolId'],
  ['a group target without groupId', { poolId: POOL, assignments: [{ target: { kind: 'GROUP' } }] }, 'assignments[0].target.groupId'],
  [
    'a group both included and excluded',
    { poolId: POOL, assignments: [{ target: { kind: 'GROUP', groupId: GROUP } }, { target: { kind: 'EXCLUSION_GROUP', groupId: GROUP } }] },
    'assignments[1].target.groupId',
  ],
])('refuses %s without calling Graph', async (_what, variables, field) => {
  const result = await ops.run(ASSIGN, variables);
  expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  expect(result.errors?.[0]?.extensions?.field).toBe(field);
  expect(ops.graph.calls).toEqual([]);
});

it("an unknown pool is Graph's 404: NOT_FOUND with Graph's details for support", async () => {
  ops.graph.fail('assign', new GraphError('Resource not found', { kind: 'http', status: 404, code: 'ResourceNotFound', requestId: 'graph-req-1' }));
  const result = await ops.run(ASSIGN, { poolId: POOL, assignments });
  expect(codesOf(result)).toEqual(['NOT_FOUND']);
  expect(result.errors?.[0]?.extensions?.graph).toEqual({ status: 404, code: 'ResourceNotFound', requestId: 'graph-req-1', clientRequestId: null });
  expect(result.data).toBeNull();
});

describe('a pool gone by the time the payload is resolved (another admin deleted it right after the assign)', () => {
  /** Graph no longer has the pool when it is read back. */
  class DeletedAfterAssign extends FakeGraph {
    override async getPools(ids: readonly string[], options?: CallOptions): Promise<BatchItemResult<WirePool>[]> {
      return (await super.getPools(ids, options)).map(() => null);
    }
  }
  const gone = () => new DeletedAfterAssign().addPool(wire.pool(POOL));

  it('pool { id assignments assignmentsVersion } is served from the write: no read, so no NOT_FOUND', async () => {
    const graph = gone();
    const result = await ops.run(
      `mutation ($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
        assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
          pool { id assignments { id } assignmentsVersion }
        }
      }`,
      { poolId: POOL, assignments },
      { graph },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      assignEmbeddedSIMActivationCodePool: {
        pool: { id: POOL, assignments: [{ id: 'fake-assignment-1' }, { id: 'keep-me' }], assignmentsVersion: expect.any(String) },
      },
    });
    expect(graph.calls.map((c) => c.method)).toEqual(['getDirectoryObjects', 'assign']);
  });

  it('a field Graph holds (displayName) reads the pool: NOT_FOUND on that field, after the write was done', async () => {
    const graph = gone();
    const result = await ops.run(ASSIGN, { poolId: POOL, assignments }, { graph });
    expect(codesOf(result)).toEqual(['NOT_FOUND']);
    expect(result.errors?.[0]?.path).toEqual(['assignEmbeddedSIMActivationCodePool', 'pool', 'displayName']);
    // pool and the payload are non-null: the error takes the mutation's data with it.
    expect(result.data).toBeNull();
    expect(graph.calls.map((c) => c.method)).toEqual(['getDirectoryObjects', 'assign', 'getPools']);
    expect(graph.assignmentsOf(POOL)?.map((a) => a.id)).toEqual(['fake-assignment-1', 'keep-me']);
  });
});
