/**
 * Target checks end to end (GraphQL over HTTP → subgraph → Graph emulator over HTTP): a write that sends a group
 * or filter that does not exist is refused before anything is written; a check Graph refuses (403) in each
 * TARGET_CHECKS mode; `targetState` of assignments already on pools, with its batched Graph calls. What reached
 * Graph is read from the emulator's request log.
 */
import {
  SAMPLE_DELETED_GROUP_ID,
  SAMPLE_FILTER_ID,
  SAMPLE_GROUP_IDS,
  SAMPLE_IOS_FILTER_ID,
  SAMPLE_POOLS,
  SAMPLE_UNASSIGNED_GROUP_IDS,
  generatedPoolId,
  type RecordedRequest,
} from '@esim-pools/graph-emulator';
import { useStack, type GraphQLReply, type Stack } from '../support/stack';

const P1 = SAMPLE_POOLS[0].id;
const P2 = SAMPLE_POOLS[1].id;
const P3 = SAMPLE_POOLS[2].id;
const [SALES, WAREHOUSE] = SAMPLE_UNASSIGNED_GROUP_IDS;
const MISSING_FILTER = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';

const UNCHECKED = 'uncheckedTargets { field check id code missingPermission }';
const ADD = /* GraphQL */ `
  mutation Add($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $dryRun: Boolean) {
    addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments, dryRun: $dryRun) { added { __typename } ${UNCHECKED} }
  }
`;
const ASSIGN = /* GraphQL */ `
  mutation Assign($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
    assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) { assignments { id } ${UNCHECKED} }
  }
`;
const REMOVE = /* GraphQL */ `
  mutation Remove($poolId: ID!, $targets: [AssignmentTargetInput!]!) {
    removeEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, targets: $targets) { removed { __typename } ${UNCHECKED} }
  }
`;
const BULK_ADD = /* GraphQL */ `
  mutation BulkAdd($poolIds: [ID!]!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
    addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $assignments) {
      succeeded unchanged failed
      results { __typename ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload { ${UNCHECKED} } }
    }
  }
`;
const STATES = /* GraphQL */ `
  query States($ids: [_Any!]!) {
    pools: _entities(representations: $ids) { ... on EmbeddedSIMActivationCodePool { id assignments { id targetState } } }
  }
`;

const group = (groupId: string, filterId?: string) => ({ target: { kind: 'GROUP', groupId, ...(filterId ? { filterId, filterType: 'INCLUDE' } : {}) } });

const isAssign = (r: RecordedRequest): boolean => r.method === 'POST' && r.path.endsWith('/assign');
const isPoolRead = (r: RecordedRequest): boolean => r.path.includes('/embeddedSIMActivationCodePools') || (r.batchItems ?? []).some((i) => i.path.includes('/embeddedSIMActivationCodePools'));
const directoryItems = (r: RecordedRequest): RecordedRequest[] => (r.batchItems ?? []).filter((i) => i.path.startsWith('/beta/groups/') || i.path.includes('/assignmentFilters/'));
/** The $batch requests that carried directory reads, and those reads. */
function directoryBatches(stack: Stack): RecordedRequest[][] {
  return stack.emulator.requests.map(directoryItems).filter((items) => items.length > 0);
}

function expectError(reply: GraphQLReply, code: string): Record<string, unknown> {
  expect(reply.body.errors).toHaveLength(1);
  const extensions = reply.body.errors?.[0].extensions ?? {};
  expect(extensions.code).toBe(code);
  return extensions;
}

function data<T>(reply: GraphQLReply, field: string): T {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data?.[field] as T;
}

describe('TARGET_CHECKS=strict', () => {
  const fixture = useStack({ targetChecks: { mode: 'strict', cacheSeconds: 0 } });

  it('a deleted group is refused: BAD_USER_INPUT naming the field, reason GROUP_NOT_FOUND, nothing read from the pool or written', async () => {
    const { stack } = fixture;
    expect(stack.emulator.deleteGroup(SALES)).toBe(true);
    const reply = await stack.graphql(ADD, { poolId: P1, assignments: [group(WAREHOUSE), group(SALES)] });
    expect(expectError(reply, 'BAD_USER_INPUT')).toMatchObject({ field: 'assignments[1].target.groupId', reason: 'GROUP_NOT_FOUND' });
    expect(reply.body.errors?.[0].message).toContain(SALES);
    expect(stack.emulator.requests.filter(isAssign)).toEqual([]);
    expect(stack.emulator.requests.filter(isPoolRead)).toEqual([]);
    // One $batch: both groups, `$select=id`.
    const [batch] = directoryBatches(stack);
    expect(batch.map((i) => `${i.path}?$select=${i.query.$select}`).sort()).toEqual([`/beta/groups/${SALES}?$select=id`, `/beta/groups/${WAREHOUSE}?$select=id`].sort());
  });

  it('a missing filter is refused: reason FILTER_NOT_FOUND naming the filterId; the replace mutation too', async () => {
    const { stack } = fixture;
    const add = await stack.graphql(ADD, { poolId: P2, assignments: [group(SALES, SAMPLE_FILTER_ID), group(WAREHOUSE, MISSING_FILTER)] });
    expect(expectError(add, 'BAD_USER_INPUT')).toMatchObject({ field: 'assignments[1].target.filterId', reason: 'FILTER_NOT_FOUND' });
    const assign = await stack.graphql(ASSIGN, { poolId: P2, assignments: [{ target: { kind: 'ALL_DEVICES', filterId: MISSING_FILTER, filterType: 'EXCLUDE' } }] });
    expect(expectError(assign, 'BAD_USER_INPUT')).toMatchObject({ field: 'assignments[0].target.filterId', reason: 'FILTER_NOT_FOUND' });
    expect(stack.emulator.requests.filter(isAssign)).toEqual([]);
    expect(stack.emulator.getAssignments(P2)).toEqual([]);
  });

  it('existing groups and filters pass with one $batch for all of them, then the write', async () => {
    const { stack } = fixture;
    const reply = await stack.graphql(ADD, { poolId: P2, assignments: [group(SALES, SAMPLE_FILTER_ID), group(WAREHOUSE, SAMPLE_IOS_FILTER_ID)] });
    expect(data(reply, 'addEmbeddedSIMActivationCodePoolAssignments')).toEqual({ added: [{ __typename: 'GroupAssignmentTarget' }, { __typename: 'GroupAssignmentTarget' }], uncheckedTargets: [] });
    const batches = directoryBatches(stack);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(4);
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(1);
  });

  it('an orphan already on the pool never blocks an add that does not send it; removing the orphan is not checked', async () => {
    const { stack } = fixture;
    const add = await stack.graphql(ADD, { poolId: P3, assignments: [group(SALES)] });
    expect(data(add, 'addEmbeddedSIMActivationCodePoolAssignments')).toMatchObject({ added: [{ __typename: 'GroupAssignmentTarget' }] });
    expect(directoryBatches(stack).flat().map((i) => i.path)).toEqual([`/beta/groups/${SALES}`]);
    const remove = await stack.graphql(REMOVE, { poolId: P3, targets: [{ kind: 'GROUP', groupId: SAMPLE_DELETED_GROUP_ID }] });
    expect(data(remove, 'removeEmbeddedSIMActivationCodePoolAssignments')).toEqual({ removed: [{ __typename: 'GroupAssignmentTarget' }], uncheckedTargets: [] });
    expect(directoryBatches(stack)).toHaveLength(1);
  });

  it('403 on a group check: FORBIDDEN naming GroupMember.Read.All, nothing written', async () => {
    const { stack } = fixture;
    stack.emulator.setTargetAccess({ groups: 'forbidden' });
    const reply = await stack.graphql(ADD, { poolId: P2, assignments: [group(SALES)] });
    expect(expectError(reply, 'FORBIDDEN')).toMatchObject({ field: 'assignments[0].target.groupId', missingPermission: 'GroupMember.Read.All' });
    expect(reply.body.errors?.[0].message).toContain('GroupMember.Read.All');
    expect(stack.emulator.requests.filter(isAssign)).toEqual([]);
  });

  it('403 on a filter check: FORBIDDEN naming DeviceManagementConfiguration.Read.All; a bulk add writes nothing either', async () => {
    const { stack } = fixture;
    stack.emulator.setTargetAccess({ filters: 'forbidden' });
    const reply = await stack.graphql(BULK_ADD, { poolIds: [P1, P2], assignments: [group(SALES, SAMPLE_FILTER_ID)] });
    expect(expectError(reply, 'FORBIDDEN')).toMatchObject({ field: 'assignments[0].target.filterId', missingPermission: 'DeviceManagementConfiguration.Read.All' });
    expect(stack.emulator.requests.filter(isAssign)).toEqual([]);
    expect(stack.emulator.requests.filter(isPoolRead)).toEqual([]);
  });
});

describe('TARGET_CHECKS=warn', () => {
  const fixture = useStack({ targetChecks: { mode: 'warn', cacheSeconds: 0 } });

  it('403 on the check: the write goes ahead and the payload says which checks could not be made', async () => {
    const { stack } = fixture;
    stack.emulator.setTargetAccess({ groups: 'forbidden' });
    const reply = await stack.graphql(ADD, { poolId: P2, assignments: [group(SALES, SAMPLE_FILTER_ID)] });
    expect(data(reply, 'addEmbeddedSIMActivationCodePoolAssignments')).toEqual({
      added: [{ __typename: 'GroupAssignmentTarget' }],
      uncheckedTargets: [{ field: 'assignments[0].target.groupId', check: 'GROUP_EXISTS', id: SALES, code: 'FORBIDDEN', missingPermission: 'GroupMember.Read.All' }],
    });
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(1);
  });

  it('a bulk add reports the unchecked targets on every pool it wrote; a deleted group is still refused', async () => {
    const { stack } = fixture;
    stack.emulator.setTargetAccess({ filters: 'forbidden' });
    const reply = await stack.graphql(BULK_ADD, { poolIds: [P2, P3], assignments: [group(SALES, SAMPLE_FILTER_ID)] });
    const unchecked = { field: 'assignments[0].target.filterId', check: 'FILTER_EXISTS', id: SAMPLE_FILTER_ID, code: 'FORBIDDEN', missingPermission: 'DeviceManagementConfiguration.Read.All' };
    expect(data(reply, 'addAssignmentsToEmbeddedSIMActivationCodePools')).toEqual({
      succeeded: 2,
      unchanged: 0,
      failed: 0,
      results: [
        { __typename: 'EditEmbeddedSIMActivationCodePoolAssignmentsPayload', uncheckedTargets: [unchecked] },
        { __typename: 'EditEmbeddedSIMActivationCodePoolAssignmentsPayload', uncheckedTargets: [unchecked] },
      ],
    });
    stack.emulator.deleteGroup(WAREHOUSE);
    const refused = await stack.graphql(BULK_ADD, { poolIds: [P2, P3], assignments: [group(WAREHOUSE)] });
    expect(expectError(refused, 'BAD_USER_INPUT')).toMatchObject({ reason: 'GROUP_NOT_FOUND' });
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(2);
  });
});

describe('TARGET_CHECKS=off', () => {
  const fixture = useStack({ targetChecks: { mode: 'off' } });

  it('no directory read: a deleted group is written, and nothing claims it was checked', async () => {
    const { stack } = fixture;
    stack.emulator.deleteGroup(SALES);
    const reply = await stack.graphql(ADD, { poolId: P2, assignments: [group(SALES)] });
    expect(data(reply, 'addEmbeddedSIMActivationCodePoolAssignments')).toEqual({ added: [{ __typename: 'GroupAssignmentTarget' }], uncheckedTargets: [] });
    expect(directoryBatches(stack)).toEqual([]);
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(1);
  });
});

describe('targetState of the assignments already on pools', () => {
  const fixture = useStack({ targetChecks: { mode: 'strict', cacheSeconds: 0 }, emulator: { extraPools: 15 } });
  const representations = (ids: string[]) => ids.map((id) => ({ __typename: 'EmbeddedSIMActivationCodePool', id }));
  type Pool = { id: string; assignments: Array<{ id: string; targetState: string }> };
  const states = async (ids: string[]): Promise<Pool[]> => data<Pool[]>(await fixture.stack.graphql(STATES, { ids: representations(ids) }), 'pools');

  it('OK for existing groups and filters, GROUP_NOT_FOUND for the orphan: one $batch for the four distinct ids', async () => {
    const pools = await states([P1, P2, P3]);
    expect(pools.map((p) => p.assignments.map((a) => a.targetState))).toEqual([['OK', 'OK'], [], ['OK', 'GROUP_NOT_FOUND']]);
    const batches = directoryBatches(fixture.stack);
    expect(batches).toHaveLength(1);
    expect(batches[0].map((i) => i.path).sort()).toEqual(
      [`/beta/groups/${SAMPLE_GROUP_IDS[0]}`, `/beta/groups/${SAMPLE_GROUP_IDS[1]}`, `/beta/deviceManagement/assignmentFilters/${SAMPLE_FILTER_ID}`, `/beta/groups/${SAMPLE_DELETED_GROUP_ID}`].sort(),
    );
  });

  it('a deleted filter is FILTER_NOT_FOUND; a refused read is UNKNOWN', async () => {
    const { stack } = fixture;
    stack.emulator.deleteAssignmentFilter(SAMPLE_FILTER_ID);
    expect((await states([P1]))[0].assignments.map((a) => a.targetState)).toEqual(['OK', 'FILTER_NOT_FOUND']);
    stack.emulator.reset();
    stack.emulator.setTargetAccess({ groups: 'forbidden' });
    expect((await states([P1, P3])).map((p) => p.assignments.map((a) => a.targetState))).toEqual([['UNKNOWN', 'UNKNOWN'], ['OK', 'UNKNOWN']]);
  });

  it('⌈distinct ids/20⌉ $batch requests for the whole operation (30 groups of 15 pools: 2), none when not selected', async () => {
    const { stack } = fixture;
    const generated = Array.from({ length: 15 }, (_, n) => generatedPoolId(n));
    stack.emulator.deleteGroup(`0e5e0001-0000-4000-8000-${(3).toString(16).padStart(12, '0')}`);
    const pools = await states(generated);
    expect(pools.flatMap((p) => p.assignments.map((a) => a.targetState)).filter((s) => s !== 'OK')).toEqual(['GROUP_NOT_FOUND']);
    expect(pools[1].assignments.map((a) => a.targetState)).toEqual(['OK', 'GROUP_NOT_FOUND']);
    const batches = directoryBatches(stack);
    expect(batches.map((b) => b.length).sort()).toEqual([10, 20]);
    stack.emulator.clearRequests();
    await stack.graphql(STATES.replace('targetState', ''), { ids: representations(generated) });
    expect(directoryBatches(stack)).toEqual([]);
  });
});

describe('targetState across requests (TARGET_CHECK_CACHE_S)', () => {
  const fixture = useStack({ targetChecks: { mode: 'strict', cacheSeconds: 60 } });

  it("a second operation within the cache's lifetime reads nothing; a write's check still reads afresh", async () => {
    const { stack } = fixture;
    const query = `query { embeddedSIMActivationCodePool(id: "${P1}") { assignments { targetState } } }`;
    expect((await stack.graphql(query)).body.errors).toBeUndefined();
    expect(directoryBatches(stack)).toHaveLength(1);
    const again = await stack.graphql(query);
    expect(again.body.data).toEqual({ embeddedSIMActivationCodePool: { assignments: [{ targetState: 'OK' }, { targetState: 'OK' }] } });
    expect(directoryBatches(stack)).toHaveLength(1);
    stack.emulator.deleteGroup(SAMPLE_GROUP_IDS[0]);
    const write = await stack.graphql(ADD, { poolId: P2, assignments: [group(SAMPLE_GROUP_IDS[0])] });
    expect(expectError(write, 'BAD_USER_INPUT')).toMatchObject({ reason: 'GROUP_NOT_FOUND' });
    // What the write learnt refreshes the cache: the deleted group shows at once.
    expect((await stack.graphql(query)).body.data).toEqual({ embeddedSIMActivationCodePool: { assignments: [{ targetState: 'GROUP_NOT_FOUND' }, { targetState: 'OK' }] } });
  });
});
