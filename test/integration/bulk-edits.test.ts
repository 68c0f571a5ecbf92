/**
 * Bulk assignment edits end to end (GraphQL over HTTP → subgraph → Graph emulator over HTTP): the Graph calls at
 * their minimum, argument errors, one pool's failure never stopping the others, a write budget that runs out
 * half-way (every pool's outcome exact), pacing until BULK_TIMEOUT_MS, and bulk and single edits of the same pools
 * at once losing nothing. What reached Graph is read from the emulator's request log.
 */
import { generatedPoolId, SAMPLE_DELETED_GROUP_ID, SAMPLE_POOLS, SAMPLE_UNASSIGNED_GROUP_IDS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { AuditLog } from '../../src/observability/audit';
import { memoryLogger } from '../support/auth';
import { useStack, type GraphQLReply } from '../support/stack';

const [SALES, WAREHOUSE] = SAMPLE_UNASSIGNED_GROUP_IDS;
const UNKNOWN_POOL = '00000000-0000-4000-8000-00000000dead';

const RESULT = /* GraphQL */ `
  succeeded unchanged failed
  results {
    __typename
    ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload { pool { id } added { __typename } removed { __typename } dryRun }
    ... on PoolEditError { poolId code message retryAfterSeconds }
  }
`;
const BULK_ADD = /* GraphQL */ `
  mutation BulkAdd($poolIds: [ID!]!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $dryRun: Boolean) {
    addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $assignments, dryRun: $dryRun) { ${RESULT} }
  }
`;
const BULK_REMOVE = /* GraphQL */ `
  mutation BulkRemove($poolIds: [ID!]!, $targets: [AssignmentTargetInput!]!) {
    removeAssignmentsFromEmbeddedSIMActivationCodePools(poolIds: $poolIds, targets: $targets) { ${RESULT} }
  }
`;
const ADD = /* GraphQL */ `
  mutation Add($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
    addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments) { added { __typename } }
  }
`;

interface Result {
  __typename: 'EditEmbeddedSIMActivationCodePoolAssignmentsPayload' | 'PoolEditError';
  pool?: { id: string };
  added?: unknown[];
  poolId?: string;
  code?: string;
  retryAfterSeconds?: number | null;
  dryRun?: boolean;
}
interface Bulk {
  succeeded: number;
  unchanged: number;
  failed: number;
  results: Result[];
}

const group = (groupId: string) => ({ target: { kind: 'GROUP', groupId } });
const pools = (n: number): string[] => Array.from({ length: n }, (_, i) => generatedPoolId(i));
const isAssign = (r: RecordedRequest): boolean => r.method === 'POST' && r.path.endsWith('/assign');
/** Every Graph call as `METHOD path`, a $batch's items one by one with their envelope's index. */
const itemsOf = (requests: readonly RecordedRequest[]) =>
  requests.flatMap((r, n) => (r.batchItems ? r.batchItems.map((i) => ({ batch: n, call: `${i.method} ${i.path}` })) : [{ batch: -1, call: `${r.method} ${r.path}` }]));

function bulk(reply: GraphQLReply, field = 'addAssignmentsToEmbeddedSIMActivationCodePools'): Bulk {
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data?.[field] as Bulk;
}

function expectError(reply: GraphQLReply, code: string): Record<string, unknown> {
  expect(reply.body.errors).toHaveLength(1);
  const extensions = reply.body.errors?.[0].extensions ?? {};
  expect(extensions.code).toBe(code);
  return extensions;
}

function groupsOf(assignments: unknown[] | undefined): string[] {
  return (assignments as Array<{ target: { groupId?: string } }>).map((a) => a.target.groupId ?? '');
}

describe('bulk edits', () => {
  const log = memoryLogger('info');
  const fixture = useStack({ targetChecks: { mode: 'strict', cacheSeconds: 0 }, emulator: { extraPools: 45 }, edits: { audit: new AuditLog(log.logger) } });

  it('45 pools: one $batch of directory reads, ⌈45/20⌉ = 3 $batch reads of the sets, one assign per pool, results in order', async () => {
    const { stack } = fixture;
    const ids = pools(45);
    const result = bulk(await stack.graphql(BULK_ADD, { poolIds: ids, assignments: [group(SALES)] }));
    expect(result).toMatchObject({ succeeded: 45, unchanged: 0, failed: 0 });
    expect(result.results.map((r) => r.pool?.id)).toEqual(ids);
    const calls = itemsOf(stack.emulator.requests);
    const setReads = calls.filter((c) => c.call.endsWith('/assignments'));
    expect(setReads).toHaveLength(45);
    expect(new Set(setReads.map((c) => c.batch)).size).toBe(3);
    expect(setReads.every((c) => c.batch >= 0)).toBe(true);
    expect(calls.filter((c) => c.call.startsWith('GET /beta/groups/'))).toHaveLength(1);
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(45);
    expect(calls).toHaveLength(45 + 45 + 1);
    for (const id of ids) expect(groupsOf(stack.emulator.getAssignments(id))).toContain(SALES);
  });

  it('a pool that already has the target is unchanged (no assign); an unknown pool is NOT_FOUND; the others are written', async () => {
    const { stack } = fixture;
    const [a, b] = pools(2);
    await stack.graphql(ADD, { poolId: a, assignments: [group(SALES)] });
    stack.emulator.clearRequests();
    const logged = log.lines().length;
    const result = bulk(await stack.graphql(BULK_ADD, { poolIds: [a, UNKNOWN_POOL, b], assignments: [group(SALES)] }));
    expect(result).toMatchObject({ succeeded: 1, unchanged: 1, failed: 1 });
    expect(result.results).toEqual([
      { __typename: 'EditEmbeddedSIMActivationCodePoolAssignmentsPayload', pool: { id: a }, added: [], removed: [], dryRun: false },
      { __typename: 'PoolEditError', poolId: UNKNOWN_POOL, code: 'NOT_FOUND', message: 'The pool was not found.', retryAfterSeconds: null },
      { __typename: 'EditEmbeddedSIMActivationCodePoolAssignmentsPayload', pool: { id: b }, added: [{ __typename: 'GroupAssignmentTarget' }], removed: [], dryRun: false },
    ]);
    expect(stack.emulator.requests.filter(isAssign).map((r) => r.path)).toEqual([`/beta/deviceManagement/embeddedSIMActivationCodePools/${b}/assign`]);
    // One audit line per pool, as its single edit writes it, named after the bulk mutation.
    const lines = log.lines().slice(logged).filter((l) => l.audit === true && l.operation === 'addAssignmentsToEmbeddedSIMActivationCodePools');
    expect(lines.map((l) => [l.poolId, l.outcome, l.errorCode ?? null]).sort()).toEqual(
      [[a, 'unchanged', null], [UNKNOWN_POOL, 'failed', 'NOT_FOUND'], [b, 'written', null]].sort(),
    );
  });

  it('a dry run reads the sets through $batch and writes nothing', async () => {
    const { stack } = fixture;
    const result = bulk(await stack.graphql(BULK_ADD, { poolIds: pools(3), assignments: [group(SALES)], dryRun: true }));
    expect(result).toMatchObject({ succeeded: 3, unchanged: 0, failed: 0 });
    expect(result.results.every((r) => r.dryRun === true)).toBe(true);
    expect(stack.emulator.requests.filter(isAssign)).toEqual([]);
    expect(groupsOf(stack.emulator.getAssignments(pools(1)[0]))).not.toContain(SALES);
  });

  it('a bulk remove takes an orphan off every pool, unchecked', async () => {
    const { stack } = fixture;
    const [a] = pools(1);
    stack.emulator.setRawAssignments(a, [
      { '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment', id: 'orphan-1', target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', deviceAndAppManagementAssignmentFilterId: null, deviceAndAppManagementAssignmentFilterType: 'none', groupId: SAMPLE_DELETED_GROUP_ID } },
    ]);
    const result = bulk(await stack.graphql(BULK_REMOVE, { poolIds: [a, SAMPLE_POOLS[2].id, SAMPLE_POOLS[1].id], targets: [{ kind: 'GROUP', groupId: SAMPLE_DELETED_GROUP_ID }] }), 'removeAssignmentsFromEmbeddedSIMActivationCodePools');
    expect(result).toMatchObject({ succeeded: 2, unchanged: 1, failed: 0 });
    expect(groupsOf(stack.emulator.getAssignments(a))).toEqual([]);
    expect(groupsOf(stack.emulator.getAssignments(SAMPLE_POOLS[2].id))).toEqual(['']);
    expect(itemsOf(stack.emulator.requests).filter((c) => c.call.includes('/groups/'))).toEqual([]);
  });

  it.each([
    ['a pool twice (another case)', () => [pools(1)[0], SAMPLE_POOLS[0].id, pools(1)[0].toUpperCase()], 'poolIds[2]'],
    ['a pool id that is not a GUID', () => [SAMPLE_POOLS[0].id, 'not-a-guid'], 'poolIds[1]'],
    ['101 pools', () => Array.from({ length: 101 }, (_, i) => generatedPoolId(i)), 'poolIds'],
    ['no pool', () => [], 'poolIds'],
  ])('%s: BAD_USER_INPUT naming the field, nothing sent to Graph', async (_name, ids, field) => {
    const { stack } = fixture;
    const reply = await stack.graphql(BULK_ADD, { poolIds: ids(), assignments: [group(SALES)] });
    expect(expectError(reply, 'BAD_USER_INPUT')).toMatchObject({ field });
    expect(stack.emulator.requests).toEqual([]);
  });

  it('bulk and single edits of the same pools at once lose nothing', async () => {
    const { stack } = fixture;
    const ids = pools(10);
    const extra = ids.map((_, i) => `5b0c2d1e-7f3a-4c9b-8e2d-${(0x100 + i).toString(16).padStart(12, '0')}`);
    for (const id of extra) stack.emulator.putGroup(id);
    const replies = await Promise.all([
      stack.graphql(BULK_ADD, { poolIds: ids, assignments: [group(SALES)] }),
      ...ids.map((poolId, i) => stack.graphql(ADD, { poolId, assignments: [group(extra[i])] })),
      stack.graphql(BULK_ADD, { poolIds: [...ids].reverse(), assignments: [group(WAREHOUSE)] }),
    ]);
    for (const reply of replies) expect(reply.body.errors).toBeUndefined();
    expect(bulk(replies[0])).toMatchObject({ succeeded: 10, failed: 0 });
    expect(bulk(replies[replies.length - 1])).toMatchObject({ succeeded: 10, failed: 0 });
    ids.forEach((id, i) => expect(groupsOf(stack.emulator.getAssignments(id))).toEqual(expect.arrayContaining([SALES, WAREHOUSE, extra[i]])));
  });
});

describe('bulk edits under a write budget that runs out half-way', () => {
  // 20 writes per minute, no wait, and no time to retry: pools 21 to 45 are refused by the client-side budget.
  const fixture = useStack({
    targetChecks: { mode: 'strict', cacheSeconds: 0 },
    emulator: { extraPools: 45 },
    client: { writeBudget: { limit: 20, windowMs: 60_000, maxWaitMs: 0 } },
    edits: { bulkTimeoutMs: 0 },
  });

  it('45 pools: exactly 20 written and 25 THROTTLED with a retry time, each outcome what the pool holds', async () => {
    const { stack } = fixture;
    const ids = pools(45);
    const result = bulk(await stack.graphql(BULK_ADD, { poolIds: ids, assignments: [group(SALES)] }));
    expect(result).toMatchObject({ succeeded: 20, unchanged: 0, failed: 25 });
    result.results.forEach((r, i) => {
      const assigned = groupsOf(stack.emulator.getAssignments(ids[i])).includes(SALES);
      if (r.__typename === 'PoolEditError') {
        expect(r).toMatchObject({ poolId: ids[i], code: 'THROTTLED' });
        expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(assigned).toBe(false);
      } else {
        expect(r.pool?.id).toBe(ids[i]);
        expect(assigned).toBe(true);
      }
    });
    // The refused writes never reached Graph.
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(20);
  });
});

describe('bulk edits paced by Graph (EMULATOR_WRITE_LIMIT) within BULK_TIMEOUT_MS', () => {
  // The tenant takes 15 writes per second; the client retries a 429 once, then the bulk edit waits and tries again.
  const fixture = useStack({
    targetChecks: { mode: 'strict', cacheSeconds: 0 },
    emulator: { extraPools: 45, writeLimit: { limit: 15, windowSeconds: 1 } },
    client: { retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50 } },
    edits: { bulkTimeoutMs: 20_000 },
  });

  it('45 pools: every pool written in the end, the 429s absorbed', async () => {
    const { stack } = fixture;
    const ids = pools(45);
    const result = bulk(await stack.graphql(BULK_ADD, { poolIds: ids, assignments: [group(SALES)] }));
    expect(result).toMatchObject({ succeeded: 45, unchanged: 0, failed: 0 });
    for (const id of ids) expect(groupsOf(stack.emulator.getAssignments(id)).filter((g) => g === SALES)).toHaveLength(1);
    expect(stack.emulator.requests.filter((r) => isAssign(r) && r.status === 429).length).toBeGreaterThan(0);
  }, 30_000);
});
