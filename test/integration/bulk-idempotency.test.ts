/**
 * A bulk edit under an idempotencyKey: a first answer with throttled pools is kept as partial, and each repeat with
 * the key edits only the pools that failed, keeping the others' first results; once every pool succeeded a repeat
 * answers the kept answer without calling Graph. Over real HTTP against the emulator, with an embedded history store.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { generatedPoolId, SAMPLE_UNASSIGNED_GROUP_IDS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { startStackWithHistory, type HistoryStack } from '../support/history-stack';
import type { GraphQLReply } from '../support/stack';

const [SALES] = SAMPLE_UNASSIGNED_GROUP_IDS;
const WINDOW_MS = 1500;

const BULK_ADD = /* GraphQL */ `
  mutation BulkAdd($poolIds: [ID!]!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!, $key: String) {
    addAssignmentsToEmbeddedSIMActivationCodePools(poolIds: $poolIds, assignments: $assignments, idempotencyKey: $key) {
      succeeded unchanged failed
      results {
        __typename
        ... on EditEmbeddedSIMActivationCodePoolAssignmentsPayload { pool { id } added { __typename } assignments { id } }
        ... on PoolEditError { poolId code }
      }
    }
  }
`;

interface Result {
  __typename: 'EditEmbeddedSIMActivationCodePoolAssignmentsPayload' | 'PoolEditError';
  pool?: { id: string };
  added?: unknown[];
  assignments?: { id: string }[];
  poolId?: string;
  code?: string;
}
interface Bulk {
  succeeded: number;
  unchanged: number;
  failed: number;
  results: Result[];
}

const pools = (n: number): string[] => Array.from({ length: n }, (_, i) => generatedPoolId(i));
const isAssign = (r: RecordedRequest): boolean => r.method === 'POST' && r.path.endsWith('/assign');
/** The emulator's stored assignments of a pool, as group ids. */
function groupsOf(assignments: unknown[] | undefined): string[] {
  return (assignments ?? []).map((a) => {
    const target = typeof a === 'object' && a !== null && 'target' in a ? a.target : undefined;
    return typeof target === 'object' && target !== null && 'groupId' in target && typeof target.groupId === 'string' ? target.groupId : '';
  });
}
function bulk(reply: GraphQLReply): Bulk {
  expect(reply.body.errors).toBeUndefined();
  return (reply.body.data as { addAssignmentsToEmbeddedSIMActivationCodePools: Bulk }).addAssignmentsToEmbeddedSIMActivationCodePools;
}

describe('a bulk add repeated with its idempotencyKey after a write budget ran out half-way', () => {
  let stack: HistoryStack;
  beforeAll(async () => {
    // 20 writes per window, no wait and no retry inside the edit: each call writes at most 20 pools.
    stack = await startStackWithHistory({
      emulator: { extraPools: 45 },
      client: { writeBudget: { limit: 20, windowMs: WINDOW_MS, maxWaitMs: 0 } },
      edits: { bulkTimeoutMs: 0 },
    });
  });
  afterAll(async () => stack.stop());

  it('each repeat writes only the pools that failed; the pools written first keep their first results; then the kept answer', async () => {
    const ids = pools(45);
    const variables = { poolIds: ids, assignments: [{ target: { kind: 'GROUP', groupId: SALES } }], key: 'bulk-add-sales-45' };

    const first = bulk(await stack.graphql(BULK_ADD, variables));
    expect(first).toMatchObject({ succeeded: 20, failed: 25 });
    const writtenFirst = new Set(first.results.flatMap((r) => (r.__typename === 'PoolEditError' ? [] : [r.pool?.id])));
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(20);

    await sleep(WINDOW_MS + 200);
    const second = bulk(await stack.graphql(BULK_ADD, variables));
    expect(second).toMatchObject({ succeeded: 40, failed: 5 });
    // A pool written by the first call is answered with its first result (added, not "unchanged"), not written again.
    first.results.forEach((r, i) => {
      if (r.__typename !== 'PoolEditError') expect(second.results[i]).toEqual(r);
    });
    expect(stack.emulator.requests.filter(isAssign)).toHaveLength(40);

    await sleep(WINDOW_MS + 200);
    const third = bulk(await stack.graphql(BULK_ADD, variables));
    expect(third).toMatchObject({ succeeded: 45, unchanged: 0, failed: 0 });
    const assigns = stack.emulator.requests.filter(isAssign);
    expect(assigns).toHaveLength(45);
    // Every pool was assigned exactly once, and holds the group once.
    expect(new Set(assigns.map((r) => r.path)).size).toBe(45);
    for (const id of ids) expect(groupsOf(stack.emulator.getAssignments(id)).filter((g) => g === SALES)).toHaveLength(1);
    expect(ids.filter((id) => writtenFirst.has(id))).toHaveLength(20);

    // Done: the kept answer, without a Graph call.
    const calls = stack.emulator.requests.length;
    const fourth = bulk(await stack.graphql(BULK_ADD, variables));
    expect(fourth).toEqual(third);
    expect(stack.emulator.requests.length).toBe(calls);
  }, 30_000);

  it('the key with other pools is refused (IDEMPOTENCY_KEY_REUSED) and writes nothing', async () => {
    const calls = stack.emulator.requests.length;
    const reply = await stack.graphql(BULK_ADD, { poolIds: pools(3), assignments: [{ target: { kind: 'GROUP', groupId: SALES } }], key: 'bulk-add-sales-45' });
    expect(reply.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED' });
    expect(stack.emulator.requests.length).toBe(calls);
  });
});
