/**
 * Partial assignment edits end to end: GraphQL over HTTP → subgraph → Graph emulator over HTTP. What reached
 * Graph is read from the emulator's request log: the merged body (existing assignments with their own ids and
 * targets), no assign at all for an edit that changes nothing, a dry run, or a failed precondition.
 */
import { SAMPLE_ASSIGNMENT_IDS, SAMPLE_FILTER_ID, SAMPLE_GROUP_IDS, SAMPLE_POOLS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { useStack, type GraphQLReply } from '../support/stack';

const POOL = SAMPLE_POOLS[0].id;
const [G1, G2] = SAMPLE_GROUP_IDS;
const G3 = '5b0e7a3c-1d2f-4e6a-9b8c-7d6e5f4a3b2c';
const FILTER = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c99';

const TARGET = /* GraphQL */ `
  __typename filterId filterType
  ... on GroupAssignmentTarget { groupId }
  ... on ExclusionGroupAssignmentTarget { groupId }
`;
const EDIT_FIELDS = /* GraphQL */ `
  assignments { id target { ${TARGET} } }
  added { ${TARGET} } updated { ${TARGET} } removed { ${TARGET} }
  dryRun assignmentsVersion
`;
const ADD = /* GraphQL */ `
  mutation Add($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $dryRun: Boolean, $v: String) {
    addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments, dryRun: $dryRun, ifAssignmentsVersion: $v) { ${EDIT_FIELDS} }
  }
`;
const REMOVE = /* GraphQL */ `
  mutation Remove($poolId: ID!, $targets: [AssignmentTargetInput!]!, $dryRun: Boolean, $v: String) {
    removeEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, targets: $targets, dryRun: $dryRun, ifAssignmentsVersion: $v) { ${EDIT_FIELDS} }
  }
`;
const ASSIGN = /* GraphQL */ `
  mutation Assign($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $v: String) {
    assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments, ifAssignmentsVersion: $v) { assignments { id } }
  }
`;
const ASSIGN_WITH_RECEIPTS = /* GraphQL */ `
  mutation Assign($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
    assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) {
      assignments { id }
      ...Receipts
    }
  }
  fragment Receipts on AssignEmbeddedSIMActivationCodePoolPayload { added { ${TARGET} } updated { ${TARGET} } removed { ${TARGET} } }
`;
const VERSION = /* GraphQL */ `query ($id: ID!) { embeddedSIMActivationCodePool(id: $id) { assignmentsVersion } }`;

type Target = { __typename: string; groupId?: string; filterId: string | null; filterType: string };
interface EditPayload {
  assignments: Array<{ id: string; target: Target }>;
  added: Target[];
  updated: Target[];
  removed: Target[];
  dryRun: boolean;
  assignmentsVersion: string;
}

const isAssign = (r: RecordedRequest) => r.method === 'POST' && r.path.endsWith('/assign');
const isRead = (r: RecordedRequest) => r.method === 'GET' && r.path.endsWith('/assignments');
const group = (groupId: string, filter?: { filterId: string; filterType: string }) => ({ target: { kind: 'GROUP', groupId, ...filter } });

const fixture = useStack();

function payload(reply: GraphQLReply, field: string): EditPayload {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data?.[field] as EditPayload;
}
const added = (reply: GraphQLReply) => payload(reply, 'addEmbeddedSIMActivationCodePoolAssignments');
const removed = (reply: GraphQLReply) => payload(reply, 'removeEmbeddedSIMActivationCodePoolAssignments');
const assigns = () => fixture.stack.emulator.requests.filter(isAssign);

async function currentVersion(poolId = POOL): Promise<string> {
  const reply = await fixture.stack.graphql(VERSION, { id: poolId });
  return (reply.body.data?.embeddedSIMActivationCodePool as { assignmentsVersion: string }).assignmentsVersion;
}

function expectError(reply: GraphQLReply, code: string): Record<string, unknown> {
  expect(reply.body.errors).toHaveLength(1);
  const extensions = reply.body.errors?.[0].extensions ?? {};
  expect(extensions.code).toBe(code);
  return extensions;
}

describe('add', () => {
  it('appends the new target; the existing assignments go back with their own ids and targets untouched', async () => {
    const before = fixture.stack.emulator.getAssignments(POOL);
    const result = added(await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3, { filterId: FILTER, filterType: 'EXCLUDE' })] }));
    const [call] = assigns();
    expect(assigns()).toHaveLength(1);
    const body = call.body as { assignments: unknown[] };
    // The two sample assignments exactly as Graph holds them (ids, targets, filters), then the new one.
    expect(body.assignments.slice(0, 2)).toEqual(before);
    expect(body.assignments[2]).toEqual({
      '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
      target: {
        '@odata.type': '#microsoft.graph.groupAssignmentTarget',
        deviceAndAppManagementAssignmentFilterId: FILTER,
        deviceAndAppManagementAssignmentFilterType: 'exclude',
        groupId: G3,
      },
    });
    expect(result.added).toEqual([{ __typename: 'GroupAssignmentTarget', groupId: G3, filterId: FILTER, filterType: 'EXCLUDE' }]);
    expect(result).toMatchObject({ updated: [], removed: [], dryRun: false });
    expect(result.assignments.map((a) => a.id).slice(0, 2)).toEqual([...SAMPLE_ASSIGNMENT_IDS.slice(0, 2)]);
    expect(result.assignments).toHaveLength(3);
    // The version in the payload is the pool's version now.
    expect(result.assignmentsVersion).toBe(await currentVersion());
  });

  it('an assigned target with the same filter (ids in another case) changes nothing and sends no assign', async () => {
    const version = await currentVersion();
    const result = added(await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G1.toUpperCase())] }));
    expect(result).toMatchObject({ added: [], updated: [], removed: [], dryRun: false, assignmentsVersion: version });
    expect(result.assignments).toHaveLength(2);
    expect(assigns()).toHaveLength(0);
  });

  it('an assigned target with another filter is updated: its id is kept, only the filter changes', async () => {
    const result = added(await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G1, { filterId: FILTER, filterType: 'INCLUDE' })] }));
    expect(result.updated).toEqual([{ __typename: 'GroupAssignmentTarget', groupId: G1, filterId: FILTER, filterType: 'INCLUDE' }]);
    expect(result.added).toEqual([]);
    const body = assigns()[0].body as { assignments: Array<{ id: string; target: Record<string, unknown> }> };
    expect(body.assignments).toHaveLength(2);
    expect(body.assignments[0]).toEqual({
      '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
      id: SAMPLE_ASSIGNMENT_IDS[0],
      target: {
        '@odata.type': '#microsoft.graph.groupAssignmentTarget',
        deviceAndAppManagementAssignmentFilterId: FILTER,
        deviceAndAppManagementAssignmentFilterType: 'include',
        groupId: G1,
      },
    });
    expect(body.assignments[1].id).toBe(SAMPLE_ASSIGNMENT_IDS[1]);
    expect(result.assignments.map((a) => a.id)).toEqual([...SAMPLE_ASSIGNMENT_IDS.slice(0, 2)]);
  });

  it('including a group the pool excludes is BAD_USER_INPUT naming the field; nothing is assigned', async () => {
    const reply = await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G2)] });
    expect(expectError(reply, 'BAD_USER_INPUT').field).toBe('assignments[0].target.groupId');
    expect(assigns()).toHaveLength(0);
  });

  it('invalid input is BAD_USER_INPUT before any call to Graph', async () => {
    const reply = await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [{ target: { kind: 'GROUP', groupId: 'not-a-guid' } }] });
    expect(expectError(reply, 'BAD_USER_INPUT').field).toBe('assignments[0].target.groupId');
    const badPool = await fixture.stack.graphql(ADD, { poolId: '../x', assignments: [group(G3)] });
    expect(expectError(badPool, 'BAD_USER_INPUT').field).toBe('poolId');
    expect(fixture.stack.emulator.requests).toHaveLength(0);
  });
});

describe('remove', () => {
  it('drops the target (its filter not needed) and sends the rest back untouched', async () => {
    const before = fixture.stack.emulator.getAssignments(POOL) as unknown[];
    const result = removed(await fixture.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'EXCLUSION_GROUP', groupId: G2.toUpperCase() }] }));
    expect(assigns()).toHaveLength(1);
    expect(assigns()[0].body).toEqual({ assignments: [before[0]] });
    expect(result.removed).toEqual([{ __typename: 'ExclusionGroupAssignmentTarget', groupId: G2, filterId: SAMPLE_FILTER_ID, filterType: 'INCLUDE' }]);
    expect(result.assignments.map((a) => a.id)).toEqual([SAMPLE_ASSIGNMENT_IDS[0]]);
  });

  it('a target that is not assigned is no error, not in removed, and sends nothing', async () => {
    // G1 is assigned as GROUP, not as EXCLUSION_GROUP: another identity.
    const result = removed(
      await fixture.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G3 }, { kind: 'EXCLUSION_GROUP', groupId: G1 }] }),
    );
    expect(result).toMatchObject({ removed: [], added: [], updated: [] });
    expect(result.assignments).toHaveLength(2);
    expect(assigns()).toHaveLength(0);
  });

  it('invalid targets are BAD_USER_INPUT naming targets[i]; nothing reaches Graph', async () => {
    const reply = await fixture.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'ALL_DEVICES' }, { kind: 'GROUP' }] });
    expect(expectError(reply, 'BAD_USER_INPUT').field).toBe('targets[1].groupId');
    expect(fixture.stack.emulator.requests).toHaveLength(0);
  });
});

describe('dry run', () => {
  it('reads, returns the plan and the current set and version, and writes nothing; the version then applies it', async () => {
    const version = await currentVersion();
    fixture.stack.emulator.clearRequests();
    const preview = added(await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)], dryRun: true }));
    expect(preview).toMatchObject({ dryRun: true, assignmentsVersion: version, updated: [], removed: [] });
    expect(preview.added).toEqual([{ __typename: 'GroupAssignmentTarget', groupId: G3, filterId: null, filterType: 'NONE' }]);
    expect(preview.assignments.map((a) => a.id)).toEqual([...SAMPLE_ASSIGNMENT_IDS.slice(0, 2)]);
    expect(fixture.stack.emulator.requests.every((r) => r.method === 'GET')).toBe(true);
    const removal = removed(await fixture.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G1 }], dryRun: true }));
    expect(removal.removed).toHaveLength(1);
    expect(assigns()).toHaveLength(0);
    expect(fixture.stack.emulator.getAssignments(POOL)).toHaveLength(2);

    const applied = added(await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)], v: preview.assignmentsVersion }));
    expect(applied.added).toEqual(preview.added);
    expect(assigns()).toHaveLength(1);
  });
});

describe('ifAssignmentsVersion', () => {
  it('stale on any of the three mutations → CONFLICT with the current version, and nothing is assigned', async () => {
    const stale = await currentVersion();
    added(await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)] }));
    const current = await currentVersion();
    expect(current).not.toBe(stale);
    fixture.stack.emulator.clearRequests();
    const replies = [
      await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(FILTER)], v: stale }),
      await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(FILTER)], dryRun: true, v: stale }),
      await fixture.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G1 }], v: stale }),
      await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [], v: stale }),
    ];
    for (const reply of replies) {
      expect(expectError(reply, 'CONFLICT')).toEqual({ code: 'CONFLICT', currentAssignmentsVersion: current });
      expect(reply.body.data).toBeNull();
    }
    expect(assigns()).toHaveLength(0);
    expect(fixture.stack.emulator.getAssignments(POOL)).toHaveLength(3);
  });

  it('fresh on any of the three mutations → the write happens', async () => {
    added(await fixture.stack.graphql(ADD, { poolId: POOL, assignments: [group(G3)], v: await currentVersion() }));
    removed(await fixture.stack.graphql(REMOVE, { poolId: POOL, targets: [{ kind: 'GROUP', groupId: G3 }], v: await currentVersion() }));
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [group(G3)], v: await currentVersion() });
    expect(reply.body.errors).toBeUndefined();
    expect(assigns()).toHaveLength(3);
    expect(fixture.stack.emulator.getAssignments(POOL)).toHaveLength(1);
  });

  it('a value that is not a version is BAD_USER_INPUT, with no call to Graph', async () => {
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [], v: 'yesterday' });
    expect(expectError(reply, 'BAD_USER_INPUT').field).toBe('ifAssignmentsVersion');
    expect(fixture.stack.emulator.requests).toHaveLength(0);
  });
});

describe('the replace mutation', () => {
  it('without receipts or a precondition: the assign alone, no read before it', async () => {
    const reply = await fixture.stack.graphql(ASSIGN, { poolId: POOL, assignments: [group(G3)] });
    expect(reply.body.errors).toBeUndefined();
    expect(fixture.stack.emulator.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['POST assign']);
  });

  it('with receipts selected (through a fragment): one read before the assign, and the diff', async () => {
    const reply = await fixture.stack.graphql(ASSIGN_WITH_RECEIPTS, { poolId: POOL, assignments: [group(G1, { filterId: FILTER, filterType: 'INCLUDE' }), group(G3)] });
    expect(reply.body.errors).toBeUndefined();
    expect(fixture.stack.emulator.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['GET assignments', 'POST assign']);
    expect(reply.body.data?.assignEmbeddedSIMActivationCodePool).toMatchObject({
      added: [{ groupId: G3 }],
      updated: [{ groupId: G1, filterId: FILTER, filterType: 'INCLUDE' }],
      removed: [{ __typename: 'ExclusionGroupAssignmentTarget', groupId: G2 }],
    });
  });
});

describe('reads', () => {
  it("every pool's assignmentsVersion costs the batched assignments read only", async () => {
    const reply = await fixture.stack.graphql('{ embeddedSIMActivationCodePools { edges { node { id assignmentsVersion assignments { id } } } } }');
    expect(reply.body.errors).toBeUndefined();
    const versions = (reply.body.data?.embeddedSIMActivationCodePools as { edges: Array<{ node: { assignmentsVersion: string } }> }).edges.map(
      (e) => e.node.assignmentsVersion,
    );
    expect(versions).toHaveLength(SAMPLE_POOLS.length);
    expect(new Set(versions).size).toBe(SAMPLE_POOLS.length);
    expect(fixture.stack.emulator.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['GET embeddedSIMActivationCodePools', 'POST $batch']);
  });

  it('_entities selecting assignmentsVersion: each pool read with its assignments in one $batch', async () => {
    const representations = SAMPLE_POOLS.map((p) => ({ __typename: 'EmbeddedSIMActivationCodePool', id: p.id }));
    const reply = await fixture.stack.graphql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id assignmentsVersion } } }',
      { r: representations },
    );
    expect(reply.body.errors).toBeUndefined();
    const [batch, ...others] = fixture.stack.emulator.requests;
    expect(others).toHaveLength(0);
    expect(batch.batchItems?.map((item) => item.query.$expand)).toEqual(SAMPLE_POOLS.map(() => 'assignments'));
    const versions = (reply.body.data?._entities as Array<{ assignmentsVersion: string }>).map((e) => e.assignmentsVersion);
    expect(versions[0]).toBe(await currentVersion());
  });

  it('an add selecting pool { assignments assignmentsVersion }: the fresh read and the assign, no read of the pool', async () => {
    const reply = await fixture.stack.graphql(/* GraphQL */ `
      mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: ALL_DEVICES } }]) {
        pool { id assignments { id } assignmentsVersion } assignmentsVersion
      } }
    `);
    expect(reply.body.errors).toBeUndefined();
    expect(fixture.stack.emulator.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['GET assignments', 'POST assign']);
    const payload = reply.body.data?.addEmbeddedSIMActivationCodePoolAssignments as { pool: { assignments: unknown[]; assignmentsVersion: string }; assignmentsVersion: string };
    expect(payload.pool.assignments).toHaveLength(3);
    expect(payload.pool.assignmentsVersion).toBe(payload.assignmentsVersion);
  });

  it('each edit reads the set afresh inside its lock, even after the request read it', async () => {
    const reply = await fixture.stack.graphql(/* GraphQL */ `
      mutation {
        a: addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: GROUP, groupId: "${G3}" } }]) {
          pool { assignments { id } }
        }
        b: addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: GROUP, groupId: "${FILTER}" } }]) {
          pool { assignmentsVersion }
        }
      }
    `);
    expect(reply.body.errors).toBeUndefined();
    expect(fixture.stack.emulator.requests.filter(isRead)).toHaveLength(2);
    expect(assigns()).toHaveLength(2);
    expect(fixture.stack.emulator.getAssignments(POOL)).toHaveLength(4);
  });
});
