/**
 * End to end through @apollo/gateway over real HTTP: gateway → this subgraph → Graph emulator, and gateway → the
 * directory subgraph that owns `Group`. The supergraph is composed from both subgraphs' live `_service { sdl }`.
 */
import { expect } from '@jest/globals';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { SAMPLE_GROUP_NAMES } from '../support/directory-subgraph';
import { startFederation, type Federation } from '../support/federation';

const POOL = SAMPLE_POOLS[0].id;
const [G1, G2] = SAMPLE_GROUP_IDS;
const UNKNOWN_POOL = '00000000-0000-4000-8000-000000000404';

const TARGET_WITH_GROUP = /* GraphQL */ `
  target {
    __typename
    ... on GroupAssignmentTarget { groupId group { id displayName } }
    ... on ExclusionGroupAssignmentTarget { groupId group { id displayName } }
  }
`;

const POOL_WITH_GROUPS = /* GraphQL */ `
  query PoolWithGroups($id: ID!) {
    embeddedSIMActivationCodePool(id: $id) {
      id
      displayName
      assignments { id ${TARGET_WITH_GROUP} }
    }
  }
`;

const ASSIGN = /* GraphQL */ `
  mutation Assign($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
    assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
      pool { id assignments { id ${TARGET_WITH_GROUP} } }
      assignments { ${TARGET_WITH_GROUP} }
    }
  }
`;

let fed: Federation;
beforeAll(async () => {
  fed = await startFederation();
});
afterAll(async () => {
  await fed?.stop();
});
beforeEach(() => fed.reset());

const graphCalls = () => fed.stack.emulator.requests.map((r) => `${r.method} ${r.path}`);

describe('gateway → subgraphs', () => {
  it("reads a pool's assignments with group { displayName } from the directory subgraph", async () => {
    const reply = await fed.graphql(POOL_WITH_GROUPS, { id: POOL });
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({
      embeddedSIMActivationCodePool: {
        id: POOL,
        displayName: SAMPLE_POOLS[0].displayName,
        assignments: [
          { id: expect.any(String), target: { __typename: 'GroupAssignmentTarget', groupId: G1, group: { id: G1, displayName: SAMPLE_GROUP_NAMES[G1] } } },
          {
            id: expect.any(String),
            target: { __typename: 'ExclusionGroupAssignmentTarget', groupId: G2, group: { id: G2, displayName: SAMPLE_GROUP_NAMES[G2] } },
          },
        ],
      },
    });
    // Graph: the pool and its assignments, one $batch each. Directory: ONE _entities call with both groups.
    expect(graphCalls()).toEqual(['POST /beta/$batch', 'POST /beta/$batch']);
    const entityCalls = fed.directory.entityCalls();
    expect(entityCalls).toHaveLength(1);
    expect(entityCalls[0]).toEqual(
      expect.arrayContaining([
        { __typename: 'Group', id: G1 },
        { __typename: 'Group', id: G2 },
      ]),
    );
    expect(entityCalls[0]).toHaveLength(2);
  });

  it('lists pools with their groups: one Graph list, one $batch of assignments, one directory call', async () => {
    const reply = await fed.graphql(/* GraphQL */ `
      { embeddedSIMActivationCodePools(first: 10) { edges { node { id assignments { ${TARGET_WITH_GROUP} } } } } }
    `);
    expect(reply.body.errors).toBeUndefined();
    const edges = (reply.body.data?.embeddedSIMActivationCodePools as { edges: Array<{ node: { id: string } }> }).edges;
    expect(edges.map((e) => e.node.id).sort()).toEqual(SAMPLE_POOLS.map((p) => p.id).sort());
    expect(graphCalls()).toEqual(['GET /beta/deviceManagement/embeddedSIMActivationCodePools', 'POST /beta/$batch']);
    expect(fed.directory.entityCalls()).toHaveLength(1);
  });

  it('runs the assign mutation through the gateway and returns the new set with group names', async () => {
    const reply = await fed.graphql(ASSIGN, {
      poolId: POOL,
      assignments: [{ target: { kind: 'EXCLUSION_GROUP', groupId: G1 } }, { target: { kind: 'GROUP', groupId: G2 } }],
    });
    expect(reply.body.errors).toBeUndefined();
    const expectedTargets = [
      { __typename: 'ExclusionGroupAssignmentTarget', groupId: G1, group: { id: G1, displayName: SAMPLE_GROUP_NAMES[G1] } },
      { __typename: 'GroupAssignmentTarget', groupId: G2, group: { id: G2, displayName: SAMPLE_GROUP_NAMES[G2] } },
    ];
    const payload = reply.body.data?.assignEmbeddedSIMActivationCodePool as {
      pool: { id: string; assignments: Array<{ target: unknown }> };
      assignments: Array<{ target: unknown }>;
    };
    expect(payload.assignments.map((a) => a.target)).toEqual(expectedTargets);
    expect(payload.pool.id).toBe(POOL);
    expect(payload.pool.assignments.map((a) => a.target)).toEqual(expectedTargets);
    // Graph stored it; the mutation cost the assign alone: `pool { id assignments }` is known from the write.
    expect(fed.stack.emulator.getAssignments(POOL)).toHaveLength(2);
    expect(graphCalls()).toEqual([`POST /beta/deviceManagement/embeddedSIMActivationCodePools/${POOL}/assign`]);
  });

  it('forwards Authorization and the request id to both subgraphs; Graph gets the request id as client-request-id', async () => {
    const requestId = '5c0ffee0-1234-4abc-8def-0123456789ab';
    const reply = await fed.graphql(POOL_WITH_GROUPS, { id: POOL }, { 'x-request-id': requestId, authorization: 'Bearer caller-token' });
    expect(reply.body.errors).toBeUndefined();
    expect(fed.subgraphRequests.length).toBeGreaterThan(0);
    for (const headers of fed.subgraphRequests) {
      expect(headers['x-request-id']).toBe(requestId);
      expect(headers.authorization).toBe('Bearer caller-token');
    }
    expect(fed.directory.requests.length).toBeGreaterThan(0);
    for (const r of fed.directory.requests) {
      expect(r.headers['x-request-id']).toBe(requestId);
      expect(r.headers.authorization).toBe('Bearer caller-token');
    }
    expect(fed.stack.emulator.requests.length).toBeGreaterThan(0);
    for (const r of fed.stack.emulator.requests) expect(r.headers['client-request-id']).toBe(requestId);
  });

  it("passes the subgraph's error codes through: BAD_USER_INPUT for a bad id, null for an unknown pool", async () => {
    const bad = await fed.graphql(POOL_WITH_GROUPS, { id: '../../users' });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.body.data).toEqual({ embeddedSIMActivationCodePool: null });
    expect(fed.stack.emulator.requests).toHaveLength(0);

    const unknown = await fed.graphql(POOL_WITH_GROUPS, { id: UNKNOWN_POOL });
    expect(unknown.body.errors).toBeUndefined();
    expect(unknown.body.data).toEqual({ embeddedSIMActivationCodePool: null });
    expect(fed.directory.requests).toHaveLength(0);
  });
});
